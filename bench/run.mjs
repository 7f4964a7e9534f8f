// npm run bench [name ...]: runs the named benchmarks (default: all) and prints their tables.
// A benchmark is a module here that exports `run`; compare-builds needs another checkout to
// compare with, so it runs only when named: node bench/compare-builds.mjs OTHER_CHECKOUT.
import { readdirSync } from 'node:fs';

const modules = readdirSync(new URL('.', import.meta.url))
  .filter((file) => file.endsWith('.mjs') && file !== 'run.mjs')
  .map((file) => file.replace(/\.mjs$/, ''));
const benchmarks = [];
for (const name of modules) if (typeof (await import(`./${name}.mjs`)).run === 'function') benchmarks.push(name);
const byDefault = benchmarks.filter((name) => name !== 'compare-builds');

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!byDefault.includes(name)) {
    console.error(`unknown benchmark "${name}"; available: ${byDefault.join(', ')}`);
    process.exit(2);
  }
}
for (const name of wanted.length ? wanted : byDefault) {
  const { run } = await import(`./${name}.mjs`);
  await run();
}
