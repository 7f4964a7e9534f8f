import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parseGoTestJson } from '../parse/go-json.js';
import { fromReport } from './outcome.js';
import { exactNamesPattern, type RunRequest, type Runner } from './runner.js';

/** The module path of the tested folder's go.mod, read once per run (parse needs it, and it is synchronous). */
const modules = new WeakMap<RunRequest, string | undefined>();

export const go: Runner = {
  id: 'go',
  async invocation(request) {
    const module = await modulePath(request);
    modules.set(request, module);
    // Package folders always start with ./, so none reads as a flag (go test has no "--").
    // onlyFailed: only the packages the failures are in, not ./...
    const failedPackages = request.only?.length
      ? packageFolders(
          module,
          request.only.map((test) => test.package ?? test.file),
        )
      : undefined;
    const packages = failedPackages ?? (request.files.length ? [...new Set(request.files.map((file) => `./${dirname(file)}`))] : ['./...']);
    const names = request.only?.map((test) => test.name.split('/')[0]!);
    const pattern = names?.length ? exactNamesPattern([...new Set(names)]) : request.testNamePattern;
    // Glued: one argv element whatever the pattern starts with.
    return { file: 'go', args: ['test', '-json', ...(pattern ? [`-run=${pattern}`] : []), ...packages], cwd: request.dir, reportInOutput: true };
  },
  parse(report, output, request) {
    const module = modules.get(request);
    const base = relative(request.root, request.dir);
    const folderOf = (importPath: string): string | undefined => {
      if (module === undefined) return undefined;
      if (importPath === module) return base;
      return importPath.startsWith(`${module}/`) ? join(base, importPath.slice(module.length + 1)) : undefined;
    };
    // go before 1.24 prints build errors on stderr as text: they are in the report, between the events.
    return fromReport(report, output, 'json', (text) => parseGoTestJson(text, folderOf));
  },
  progress(line) {
    const event = /"Action":"(pass|fail|skip)".*?"Package":"([^"]+)".*?"Test":"/.exec(line);
    return event ? { finished: 1, file: event[2]! } : undefined;
  },
};

async function modulePath(request: RunRequest): Promise<string | undefined> {
  const goMod = await readFile(join(request.dir, 'go.mod'), 'utf8').catch(() => '');
  return /^module\s+(\S+)/m.exec(goMod)?.[1];
}

/** Import paths as ./ folders of the module in the tested folder; undefined when one is not in it. */
function packageFolders(module: string | undefined, importPaths: Array<string | undefined>): string[] | undefined {
  if (!module) return undefined;
  const folders = new Set<string>();
  for (const path of importPaths) {
    if (path === module) folders.add('.');
    else if (path?.startsWith(`${module}/`)) folders.add(`./${path.slice(module.length + 1)}`);
    else return undefined;
  }
  return [...folders];
}
