// Finds the libtorch to build against, in a fixed order:
//   1. LIBTORCH: a prefix with include/ and lib/ (the archive from pytorch.org, CPU or CUDA)
//   2. the system install (Debian/Ubuntu: apt-get install libtorch-dev libopenblas0-pthread)
//   3. the libtorch inside an importable Python `torch`
// Plain JavaScript without dependencies: binding.gyp and the bootstrap run it before `npm ci`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export class LibtorchNotFoundError extends Error {}

const API_HEADER = 'torch/csrc/api/include/torch/torch.h';

function cudaLibs(libDir) {
  return existsSync(join(libDir, 'libtorch_cuda.so'));
}

const GLOO_HEADER = 'gloo/rendezvous/store.h';

// c10d's ProcessGroupGloo.hpp includes Gloo's headers, which libtorch does not
// always ship: the pytorch.org archives and wheels carry them under include/,
// Debian has them in libgloo-dev. NCML_GLOO_INCLUDE names any other directory.
// Without them the addon builds without distributed training.
function glooIncludeDir(includeDir, env) {
  const candidates = [env.NCML_GLOO_INCLUDE, includeDir, '/usr/include'].filter(Boolean);
  return candidates.find((d) => existsSync(join(d, GLOO_HEADER))) ?? null;
}

function describe(source, prefix, includeDir, libDir, cxx11abi, env = process.env) {
  const gloo = glooIncludeDir(includeDir, env);
  return {
    source,
    prefix,
    // -I/usr/include would reorder the compiler's own system include path.
    includeDirs: [...new Set([includeDir, join(includeDir, 'torch/csrc/api/include'), gloo])].filter(
      (d) => d !== null && d !== '/usr/include',
    ),
    libDir,
    cxx11abi,
    cuda: cudaLibs(libDir),
    gloo: gloo !== null,
  };
}

// The pytorch.org archives state their ABI in TorchConfig.cmake; pip wheels before 2.x used the old ABI.
function abiFromCmake(prefix) {
  const cfg = join(prefix, 'share/cmake/Torch/TorchConfig.cmake');
  if (existsSync(cfg)) {
    const m = /_GLIBCXX_USE_CXX11_ABI=([01])/.exec(readFileSync(cfg, 'utf8'));
    if (m) return m[1] === '1';
  }
  return true;
}

function fromEnv(env) {
  const prefix = env.LIBTORCH;
  if (!prefix) return null;
  const includeDir = join(prefix, 'include');
  const libDir = join(prefix, 'lib');
  const missing = [join(includeDir, API_HEADER), join(libDir, 'libtorch.so')].filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new LibtorchNotFoundError(
      `LIBTORCH=${prefix} is not a libtorch prefix: missing ${missing.join(', ')}. ` +
        'Expected the layout of the archive from https://pytorch.org (include/ and lib/), or unset LIBTORCH.',
    );
  }
  return describe('LIBTORCH', prefix, includeDir, libDir, abiFromCmake(prefix), env);
}

function fromSystem(root = '/', env = process.env) {
  for (const prefix of [join(root, 'usr'), join(root, 'usr/local')]) {
    const includeDir = join(prefix, 'include');
    if (!existsSync(join(includeDir, API_HEADER))) continue;
    const libRoot = join(prefix, 'lib');
    const candidates = [libRoot];
    if (existsSync(libRoot)) {
      for (const d of readdirSync(libRoot)) if (d.endsWith('-linux-gnu')) candidates.push(join(libRoot, d));
    }
    const libDir = candidates.find((d) => existsSync(join(d, 'libtorch.so')));
    if (libDir) return describe('system', prefix, includeDir, libDir, true, env);
  }
  return null;
}

function fromPython(env) {
  const pythons = env.NCML_PYTHON ? [env.NCML_PYTHON] : ['python3', 'python'];
  const probe =
    'import os, torch; d = os.path.dirname(torch.__file__); ' + 'print(d); print(int(torch._C._GLIBCXX_USE_CXX11_ABI))';
  for (const py of pythons) {
    let out;
    try {
      out = execFileSync(py, ['-c', probe], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000 });
    } catch {
      continue;
    }
    const [dir, abi] = out.trim().split('\n');
    const includeDir = join(dir, 'include');
    const libDir = join(dir, 'lib');
    if (existsSync(join(includeDir, API_HEADER)) && existsSync(join(libDir, 'libtorch.so'))) {
      return describe(`python:${py}`, dir, includeDir, libDir, abi === '1', env);
    }
  }
  return null;
}

export const INSTALL_HELP = [
  'libtorch was not found. ncml builds against libtorch, found in this order:',
  '  1. LIBTORCH=/path/to/libtorch  (the unpacked archive from https://pytorch.org, CPU or CUDA)',
  '  2. the system install: apt-get install libtorch-dev libopenblas0-pthread  (Debian/Ubuntu)',
  '  3. an importable Python torch:  python3 -c "import torch"  (or set NCML_PYTHON to that python)',
].join('\n');

/** Returns the first libtorch found, or throws LibtorchNotFoundError naming all three ways. */
export function findLibtorch({ env = process.env, systemRoot = '/' } = {}) {
  const found = fromEnv(env) ?? fromSystem(systemRoot, env) ?? fromPython(env);
  if (!found) throw new LibtorchNotFoundError(INSTALL_HELP);
  return found;
}

function gypOutput(what, lt) {
  switch (what) {
    case 'include_dirs':
      return lt.includeDirs.join(' ');
    case 'libraries': {
      const libs = [`-L${lt.libDir}`, '-ltorch', '-ltorch_cpu', '-lc10'];
      // CUDA kernels register themselves at load; --no-as-needed keeps the library linked.
      if (lt.cuda) libs.push('-Wl,--no-as-needed', '-ltorch_cuda', '-lc10_cuda', '-Wl,--as-needed');
      if (lt.source !== 'system') libs.push(`-Wl,-rpath,${lt.libDir}`);
      return libs.join(' ');
    }
    case 'defines':
      return [`_GLIBCXX_USE_CXX11_ABI=${lt.cxx11abi ? 1 : 0}`, ...(lt.gloo ? ['NCML_HAVE_GLOO=1'] : [])].join(' ');
    case 'json':
      return JSON.stringify(lt, null, 2);
    default:
      throw new Error(`unknown query ${what}; expected include_dirs, libraries, defines or json`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(gypOutput(process.argv[2] ?? 'json', findLibtorch()) + '\n');
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
