// Bundles the CLI with esbuild: one entry file plus lazily loaded chunks. Resolving and
// compiling hundreds of node_modules files is what makes an MCP server slow to start;
// a bundle with the heavy parts (tokenizer, openai, HTTP stack) split out avoids both.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

/**
 * The MCP SDK statically imports three things Baton never runs, and they are a large share of its
 * start-up: Ajv (validates elicitation answers; Baton never elicits), zod v3 and
 * zod-to-json-schema (only for zod v3 schemas; Baton's are zod v4). In the bundle they are
 * replaced by stubs that fail loudly if they are ever reached.
 */
const STUBBED = [
  { name: 'ajv-provider', filter: /validation\/ajv-provider\.js$/ },
  { name: 'zod/v3', filter: /^zod\/v3$/ },
  { name: 'zod-to-json-schema', filter: /^zod-to-json-schema$/ },
];
const stubbedHits = new Set();

const unusedSdkParts = {
  name: 'unused-sdk-parts',
  setup(build) {
    const stub = (message) => ({
      contents: `const fail = () => { throw new Error(${JSON.stringify(message)}); };
        export class AjvJsonSchemaValidator { getValidator() { fail(); } }
        export const object = fail; export const zodToJsonSchema = fail;`,
      loader: 'js',
    });
    for (const { name, filter } of STUBBED) {
      build.onResolve({ filter }, (args) => {
        if (!args.importer.includes('@modelcontextprotocol')) return undefined;
        stubbedHits.add(name);
        return { path: args.path, namespace: 'stub' };
      });
    }
    build.onLoad({ filter: /.*/, namespace: 'stub' }, (args) =>
      stub(`Baton's bundle leaves out ${args.path}: it is not used by Baton (see scripts/build.mjs)`),
    );
  },
};

/**
 * A stub that matched nothing means the SDK changed how it loads that part: the bundle would
 * then carry it (and its start-up cost) again without anyone noticing. Fail the build instead.
 */
function checkStubsUsed() {
  const missed = STUBBED.filter(({ name }) => !stubbedHits.has(name)).map(({ name }) => name);
  if (missed.length) {
    throw new Error(`scripts/build.mjs stubs SDK imports that are no longer there: ${missed.join(', ')}. Check what the SDK imports now and update STUBBED.`);
  }
}

const shared = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  plugins: [unusedSdkParts],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: { js: "import { createRequire as __batonRequire } from 'node:module'; const require = __batonRequire(import.meta.url);" },
  logLevel: 'warning',
};

// tools/list, the language maps and the o200k table never change at run time, so they are computed here, once.
// (Split like the real bundle: esbuild orders lazily imported modules correctly only then.)
const assetsDir = new URL('../dist/assets-build/', import.meta.url);
await build({ ...shared, entryPoints: { entry: 'scripts/build-assets-entry.ts' }, outdir: assetsDir.pathname, splitting: true });
const { tools, languages, vocabulary } = await import(new URL('entry.js', assetsDir).href);
rmSync(assetsDir, { recursive: true });
stubbedHits.clear(); // the check is about the bundle that ships

await build({
  ...shared,
  // parse-worker: the entry of repo-scan's parse threads, which parse-pool.ts finds next to the chunks.
  entryPoints: { cli: 'src/cli.ts', 'parse-worker': 'src/tools/repo-scan/parse-worker.ts' },
  outdir: 'dist',
  splitting: true,
  minify: true,
  sourcemap: 'linked',
  sourcesContent: false, // stacks map to files and lines (src/core/stack.ts); the sources are in src/
  chunkNames: 'chunks/[name]-[hash]',
  define: { __BATON_VERSION__: JSON.stringify(version), __BATON_TOOL_LIST__: JSON.stringify(tools), __BATON_LANGUAGES__: JSON.stringify(languages) },
});
checkStubsUsed();
writeFileSync(new URL('../dist/o200k.bin', import.meta.url), vocabulary());
