import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseGoTestJson } from '../parse/go-json.js';
import { fromReport } from './outcome.js';
import { exactNamesPattern, type RunRequest, type Runner } from './runner.js';

export const go: Runner = {
  id: 'go',
  async invocation(request) {
    // Package folders always start with ./, so none reads as a flag (go test has no "--").
    // onlyFailed: only the packages the failures are in (a failure's file is its import path), not ./...
    const failedPackages = request.only?.length
      ? await packageFolders(
          request,
          request.only.map((test) => test.file),
        )
      : undefined;
    const packages = failedPackages ?? (request.files.length ? [...new Set(request.files.map((file) => `./${dirname(file)}`))] : ['./...']);
    const names = request.only?.map((test) => test.name.split('/')[0]!);
    const pattern = names?.length ? exactNamesPattern([...new Set(names)]) : request.testNamePattern;
    // Glued: one argv element whatever the pattern starts with.
    return { file: 'go', args: ['test', '-json', ...(pattern ? [`-run=${pattern}`] : []), ...packages], cwd: request.dir, reportOnStdout: true };
  },
  parse: (report, output) => fromReport(report, output, 'json', (text) => parseGoTestJson(text)),
  progress(line) {
    const event = /"Action":"(pass|fail|skip)".*"Test":"([^"]+)"/.exec(line);
    return event ? { finished: 1 } : undefined;
  },
};

/** Import paths as ./ folders of the module in the tested folder; undefined when one is not in it. */
async function packageFolders(request: RunRequest, importPaths: Array<string | undefined>): Promise<string[] | undefined> {
  const goMod = await readFile(join(request.dir, 'go.mod'), 'utf8').catch(() => '');
  const module = /^module\s+(\S+)/m.exec(goMod)?.[1];
  if (!module) return undefined;
  const folders = new Set<string>();
  for (const path of importPaths) {
    if (path === module) folders.add('.');
    else if (path?.startsWith(`${module}/`)) folders.add(`./${path.slice(module.length + 1)}`);
    else return undefined;
  }
  return [...folders];
}
