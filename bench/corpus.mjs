// Real projects for the benchmarks, from the npm registry: pinned versions, unpacked once into a
// cache outside the repository (BATON_CORPUS_DIR, default ~/.cache/baton-corpus), each made a git
// repository so Baton sees it as a user's checkout would be.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

const CACHE = process.env.BATON_CORPUS_DIR ?? join(homedir(), '.cache', 'baton-corpus');

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
 * A Debian package at a pinned version (`apt-get download`, unpacked with dpkg-deb), the folders
 * `layout` maps ([inside the package, inside the repository]) laid out as a repository.
 */
export function debianTree(name, version, layout) {
  // The layout is part of the name: another benchmark may lay out the same package differently.
  const shape = createHash('sha256').update(JSON.stringify(layout)).digest('hex').slice(0, 8);
  const root = join(CACHE, `deb-${name}-${version.replace(/[^\w.-]/g, '_')}-${shape}`);
  if (existsSync(join(root, '.corpus-ready'))) return root;
  rmSync(root, { recursive: true, force: true });
  const work = `${root}.download`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const download = () => execFileSync('apt-get', ['download', '-q', `${name}=${version}`], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    download();
  } catch {
    execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore' }); // a fresh machine has no package lists yet
    download();
  }
  const deb = readdirSync(work).find((file) => file.endsWith('.deb'));
  execFileSync('dpkg-deb', ['-x', deb, 'unpacked'], { cwd: work });
  for (const [from, to] of layout) cpSync(join(work, 'unpacked', from), join(root, to), { recursive: true });
  rmSync(work, { recursive: true, force: true });
  commitAll(root);
  return root;
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

function commitAll(root) {
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=corpus', '-c', 'user.email=corpus@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
      cwd: root,
      stdio: 'ignore',
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'as published');
  writeFileSync(join(root, '.corpus-ready'), new Date().toISOString());
}
