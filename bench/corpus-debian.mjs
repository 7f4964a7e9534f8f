// Real projects from Debian's packages, for the corpora: pinned versions, fetched with apt's own
// client into the cache beside bench/corpus.mjs's npm projects, each made a git repository.
// - Binary packages ship sources with their tests: Go (/usr/share/gocode/src), Rust crates
//   (/usr/share/cargo/registry), Python modules (dist-packages/NAME/tests). `apt-get download`
//   needs no root and installs nothing.
// - Source packages hold the upstream project as released (package.json with its scripts, its
//   lockfile, its tests): fetched with `apt-get source --download-only` against a private
//   sources list in the cache, so the machine's apt configuration is left alone.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE, commitAll, debianTree } from './corpus.mjs';

const SUITE = 'bookworm';
const MIRROR = 'http://deb.debian.org/debian';

/**
 * A binary package's folders as a project: `parts` maps folders inside the package to folders of
 * the project (`{'usr/share/gocode/src/github.com/google/uuid': '.'}`); `setup(root)` runs before
 * the first commit. Returns the project folder.
 */
export function debBinaryProject(name, version, parts, setup) {
  return debianTree(name, version, Object.entries(parts), setup);
}

/** The upstream tarball of a Debian source package (`NAME_VERSION.orig.tar.*`), unpacked. */
export function debSourceProject(name, version) {
  const root = join(CACHE, `rt-debsrc-${name}-${version}`);
  if (existsSync(join(root, '.corpus-ready'))) return root;
  const work = fresh(`${root}.download`);
  const options = sourceLists();
  // The Debian part of the source package is not needed and not always on the mirror: only the
  // upstream tarball has to arrive.
  try {
    download([...options, 'source', '--download-only', `${name}=${version}`], work);
  } catch (error) {
    if (!readdirSync(work).some((file) => file.includes('.orig.tar.'))) throw error;
  }
  const upstream = version.replace(/-[^-]+$/, '');
  const tarball = readdirSync(work).find((file) => file.startsWith(`${name}_${upstream}.orig.tar.`));
  if (!tarball) throw new Error(`apt-get source ${name}=${version} left no upstream tarball`);
  const unpacked = fresh(join(work, 'unpacked'));
  execFileSync('tar', ['-xf', join(work, tarball)], { cwd: unpacked });
  const [top, ...more] = readdirSync(unpacked);
  renameSync(more.length ? unpacked : join(unpacked, top), root);
  rmSync(work, { recursive: true, force: true });
  commitAll(root);
  return root;
}

function fresh(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** apt-get in `cwd`; a package the lists do not know yet gets one `apt-get update` and a retry. */
function download(args, cwd) {
  const run = () => execFileSync('apt-get', ['-q', ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  try {
    run();
  } catch (error) {
    if (!/Unable to locate|Can not find version|Can't find a source/i.test(String(error.stderr))) throw error;
    execFileSync('apt-get', ['-q', ...args.filter((arg) => arg.startsWith('-o')), 'update'], { stdio: 'ignore' });
    run();
  }
}

/** apt options for a sources list of its own (deb-src of Debian main) with its lists in the cache. */
function sourceLists() {
  const dir = join(CACHE, 'apt-sources');
  mkdirSync(join(dir, 'lists', 'partial'), { recursive: true });
  mkdirSync(join(dir, 'archives', 'partial'), { recursive: true });
  writeFileSync(join(dir, 'sources.list'), `deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${MIRROR} ${SUITE} main\n`);
  const options = [
    `-oDir::Etc::SourceList=${join(dir, 'sources.list')}`,
    '-oDir::Etc::SourceParts=/nonexistent',
    `-oDir::State::Lists=${join(dir, 'lists')}`,
    `-oDir::Cache=${dir}`,
    '-oDebug::NoLocking=1',
  ];
  if (!readdirSync(join(dir, 'lists')).some((file) => file.includes('Sources'))) {
    execFileSync('apt-get', ['-q', ...options, 'update'], { stdio: 'ignore' });
  }
  return options;
}

/**
 * A crate's dependencies offline, as Debian builds crates: the `librust-*-dev` packages' crates
 * unpacked into one folder, and the project's `.cargo/config.toml` pointing crates.io at it
 * (cargo resolves optional dependencies too, so those must be there even when unused).
 */
export function cargoDirectorySource(root, packages) {
  const vendor = join(CACHE, 'rt-cargo-vendor');
  for (const [name, version] of Object.entries(packages)) {
    const crate = debBinaryProject(name, version, { 'usr/share/cargo/registry': 'crates' });
    for (const dir of readdirSync(join(crate, 'crates'))) {
      if (!existsSync(join(vendor, dir))) cpSync(join(crate, 'crates', dir), join(vendor, dir), { recursive: true });
    }
  }
  mkdirSync(join(root, '.cargo'), { recursive: true });
  writeFileSync(
    join(root, '.cargo', 'config.toml'),
    `[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = ${JSON.stringify(vendor)}\n\n[net]\noffline = true\n`,
  );
}
