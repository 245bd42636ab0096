// Brings a checkout to a runnable state, doing only what is missing:
//   1. system packages (apt-get when root; otherwise the exact command to run)
//   2. npm dependencies (`npm ci` when node_modules is missing or stale)
//   3. the native addon (node-gyp when missing or older than its sources)
//   4. the TypeScript build (tsc, incremental)
// Plain JavaScript without dependencies: it runs before `npm ci`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { INSTALL_HELP, LibtorchNotFoundError, findLibtorch } from './libtorch.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');

function log(msg) {
  if (!quiet) process.stderr.write(`[bootstrap] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`[bootstrap] ${msg}\n`);
  process.exit(1);
}

function run(cmd, argv, opts = {}) {
  log(`$ ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) fail(`'${cmd} ${argv.join(' ')}' failed (exit ${r.status ?? r.signal})`);
}

// ---- 1. system packages ----

// Each package with the file that proves it is installed, and when it is needed.
const SYSTEM_PACKAGES = [
  {
    pkg: 'libopenblas0-pthread',
    needed: (lt) => lt?.source === 'system',
    present: () => dpkgInstalled('libopenblas0-pthread'),
  },
  // Gloo's headers: c10d's ProcessGroupGloo.hpp includes them (distributed training, src/distributed/).
  {
    pkg: 'libgloo-dev',
    needed: (lt) => lt?.source === 'system',
    present: () => existsSync('/usr/include/gloo/rendezvous/store.h'),
  },
  // PyTorch in Python: the interoperability tests load our files with it, and benchmarks compare against it.
  {
    pkg: 'python3-torch',
    needed: () => true,
    present: () => existsSync('/usr/lib/python3/dist-packages/torch/__init__.py'),
  },
  {
    pkg: 'dataset-fashion-mnist',
    needed: () => true,
    present: () => existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz'),
  },
  // Headless Chromium for the dashboard's browser tests (playwright-core drives it and never downloads one).
  {
    pkg: 'chromium',
    needed: () => true,
    present: () => existsSync('/usr/bin/chromium'),
  },
];

function dpkgInstalled(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).includes('install ok installed');
  } catch {
    return false;
  }
}

function locateLibtorch() {
  try {
    return findLibtorch();
  } catch (e) {
    if (e instanceof LibtorchNotFoundError) return null;
    throw e;
  }
}

function ensureSystemPackages() {
  let lt = locateLibtorch();
  const missing = [];
  if (!lt) missing.push('libtorch-dev', 'libopenblas0-pthread');
  // Without a libtorch, Debian's is about to be installed: its companions are needed in this same apt run,
  // before npm ci builds the addon (Gloo's headers found only later would leave the addon without c10d).
  const planned = lt ?? { source: 'system' };
  for (const p of SYSTEM_PACKAGES) {
    if (p.needed(planned) && !p.present() && !missing.includes(p.pkg)) missing.push(p.pkg);
  }
  if (missing.length === 0) return lt;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (!hasApt) {
    if (!lt) fail(INSTALL_HELP);
    log(`optional system packages missing (${missing.join(', ')}); no apt-get here, continuing`);
    return lt;
  }
  if (process.getuid?.() !== 0) {
    fail(
      `missing system packages: ${missing.join(', ')}. As root, run:\n  sudo sh -c '${command}'\nthen run this again.`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  lt = locateLibtorch();
  if (!lt) fail(INSTALL_HELP);
  return lt;
}

// ---- 2. npm dependencies ----

function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function ensureNodeModules() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && mtime(marker) >= mtime(join(root, 'package-lock.json'))) return;
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// ---- 3. native addon ----

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : mtime(p));
  }
  return newest;
}

function ensureNativeAddon(lt) {
  const addon = join(root, 'build', 'Release', 'ncml.node');
  const sources = Math.max(
    newestSource(join(root, 'native')),
    mtime(join(root, 'binding.gyp')),
    mtime(join(root, 'scripts', 'libtorch.mjs')),
  );
  const record = join(root, 'build', 'libtorch.json');
  if (!args.has('--force-native') && existsSync(addon) && mtime(addon) >= sources) {
    // `npm ci` builds the addon itself (binding.gyp is npm's default install script); note which libtorch it used.
    if (!existsSync(record)) writeFileSync(record, JSON.stringify(lt, null, 2) + '\n');
    return;
  }
  log(`building the native addon against libtorch from ${lt.source} (${lt.prefix})`);
  const gyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const gypArgs = [gyp, 'rebuild', '-j', String(availableParallelism()), '--loglevel=warn'];
  // npm passes its nodedir setting to scripts; Debian's node ships its headers under /usr.
  if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/common.gypi')) gypArgs.push('--nodedir=/usr');
  run(process.execPath, gypArgs);
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(record, JSON.stringify(lt, null, 2) + '\n');
}

// ---- 4. TypeScript ----

function ensureTypeScriptBuild() {
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root]);
}

const lt = ensureSystemPackages();
ensureNodeModules();
ensureNativeAddon(lt);
ensureTypeScriptBuild();
