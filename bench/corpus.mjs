// Real projects for the benchmarks, from the npm registry and Debian's archive: pinned versions,
// unpacked once into a cache outside the repository (BATON_CORPUS_DIR, default
// ~/.cache/baton-corpus), each made a git repository so Baton sees it as a user's checkout would be.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

export const CACHE = process.env.BATON_CORPUS_DIR ?? join(homedir(), '.cache', 'baton-corpus');

/** `npm pack name@version`, unpacked and committed; returns the folder. */
export function npmProject(name, version) {
  const root = join(CACHE, `${name.replace('/', '__')}-${version}`);
  if (existsSync(join(root, '.corpus-ready'))) return root;
  rmSync(root, { recursive: true, force: true });
  const work = `${root}.download`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  execFileSync('npm', ['pack', `${name}@${version}`, '--silent'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(work).find((file) => file.endsWith('.tgz'));
  execFileSync('tar', ['-xzf', tarball], { cwd: work });
  renameSync(join(work, 'package'), root);
  rmSync(work, { recursive: true, force: true });
  commitAll(root);
  return root;
}

/**
 * A Debian package's files (`apt-get download`, `dpkg-deb -x`: nothing is installed, no root
 * needed), committed as a repository; returns the folder. `layout` ([inside the package, inside
 * the repository] pairs) lays out just those folders; without it the whole package is the
 * repository; `setup(root)` runs before the first commit. The archive keeps only the newest
 * version of a package, so when a security update has replaced the pinned one, the current
 * version is used and a line says so.
 */
export function debianTree(name, version, layout, setup) {
  // The layout and set-up are part of the name: another corpus may lay out the same package differently.
  const shape =
    layout || setup
      ? `-${createHash('sha256')
          .update(JSON.stringify(layout ?? null) + String(setup))
          .digest('hex')
          .slice(0, 8)}`
      : '';
  const folder = (v) => join(CACHE, `deb-${name}-${v.replace(/[^\w.-]/g, '_')}${shape}`);
  let wanted = version;
  if (!existsSync(join(folder(version), '.corpus-ready'))) {
    let candidate = aptCandidate(name);
    if (candidate === undefined) {
      execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore' }); // a fresh machine has no package lists yet
      candidate = aptCandidate(name);
    }
    if (candidate === undefined) throw new Error(`Debian package ${name} is unknown to apt here: run apt-get update (as root) first`);
    if (candidate !== version) {
      console.error(`corpus: ${name} ${version} is no longer in the archive; using ${candidate}`);
      wanted = candidate;
    }
  }
  const root = folder(wanted);
  if (existsSync(join(root, '.corpus-ready'))) return root;
  rmSync(root, { recursive: true, force: true });
  const work = `${root}.download`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  execFileSync('apt-get', ['download', '-q', `${name}=${wanted}`], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  const deb = readdirSync(work).find((file) => file.endsWith('.deb'));
  execFileSync('dpkg-deb', ['-x', deb, 'unpacked'], { cwd: work });
  if (layout) for (const [from, to] of layout) cpSync(join(work, 'unpacked', from), join(root, to), { recursive: true });
  else renameSync(join(work, 'unpacked'), root);
  rmSync(work, { recursive: true, force: true });
  setup?.(root);
  commitAll(root);
  return root;
}

/** A whole Debian package as a repository (see debianTree). */
export function debianPackage(name, version) {
  return debianTree(name, version);
}

/** The version `apt-get download NAME` would fetch, or undefined when apt knows no such package. */
function aptCandidate(name) {
  const policy = execFileSync('apt-cache', ['policy', name], { encoding: 'utf8' });
  const candidate = /Candidate: (\S+)/.exec(policy)?.[1];
  return candidate === undefined || candidate === '(none)' ? undefined : candidate;
}

/** The repositories of bench/imports.mjs RANKING_CORPUS, by name. */
export function rankingProject(name) {
  switch (name) {
    case 'express':
      return debianTree('node-express', '4.18.2+~4.17.14-1', [
        ['usr/share/nodejs/express', '.'],
        ['usr/share/doc/node-express/examples', 'examples'],
      ]);
    case 'rxjs':
      return npmProject('rxjs', '7.8.1');
    case 'networkx':
      return debianTree('python3-networkx', '2.8.8-1', [['usr/lib/python3/dist-packages/networkx', 'networkx']]);
    case 'regex':
      return debianTree('librust-regex-dev', '1.7.1-1', [['usr/share/cargo/registry/regex-1.7.1', '.']]);
    default:
      throw new Error(`no ranking project ${name}`);
  }
}

/** This repository as it is committed: a real TypeScript project, cloned into the cache. */
export function batonCheckout() {
  const root = join(CACHE, 'baton-checkout');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  execFileSync('git', ['clone', '-q', '--local', ROOT, root]);
  return root;
}

/** One commit of everything under `root` (a new repository), then the marker that says the tree is ready. */
export function commitAll(root, message = 'as published', readyMarker = '.corpus-ready') {
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=corpus', '-c', 'user.email=corpus@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
      cwd: root,
      stdio: 'ignore',
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', message);
  writeFileSync(join(root, readyMarker), new Date().toISOString());
}
