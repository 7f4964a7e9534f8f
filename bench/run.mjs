// npm run bench [name ...]: runs the named benchmarks (default: all) and prints their tables.
import { readdirSync } from 'node:fs';

const available = readdirSync(new URL('.', import.meta.url))
  .filter((file) => file.endsWith('.mjs') && !['run.mjs', 'lib.mjs', 'fixtures.mjs'].includes(file))
  .map((file) => file.replace(/\.mjs$/, ''));
const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!available.includes(name)) {
    console.error(`unknown benchmark "${name}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
}
for (const name of wanted.length ? wanted : available) {
  const { run } = await import(`./${name}.mjs`);
  await run();
}
