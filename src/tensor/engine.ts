// What libtorch is loaded and how it is configured.
import { readFileSync } from 'node:fs';

import { libtorchBuildInfo, native } from '../binding/native.js';

export interface EngineInfo {
  torchVersion: string;
  /** How the build found libtorch: LIBTORCH, system, or python:<interpreter>. */
  source: string;
  /** The libtorch_cpu library actually loaded. */
  library: string;
  threads: number;
  hardwareConcurrency: number;
  blas: string;
  mkldnn: boolean;
  openmp: boolean;
  cudaDevices: number;
  /** The CPU kernel level libtorch dispatches to (AVX2, AVX512). */
  cpuCapability: string;
  config: string;
}

// Debian's libtorch reports BLAS_INFO=generic and calls whatever libblas.so.3 the
// alternatives system selects; the mapped library tells which BLAS really runs.
function loadedBlas(config: string): string {
  try {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const lib = maps.split('\n').find((l) => /blas|mkl_rt/.test(l));
    if (lib) return lib.slice(lib.indexOf('/'));
  } catch {
    // not Linux: fall back to the build's report
  }
  return /BLAS_INFO=([^,\s]+)/.exec(config)?.[1] ?? 'unknown';
}

export function engineInfo(): EngineInfo {
  const i = native.info();
  return {
    torchVersion: i.torchVersion,
    source: libtorchBuildInfo()?.source ?? 'unknown',
    library: i.library,
    threads: i.threads,
    hardwareConcurrency: i.hardwareConcurrency,
    blas: loadedBlas(i.config),
    mkldnn: i.mkldnn,
    openmp: i.openmp,
    cudaDevices: i.cudaDevices,
    cpuCapability: /CPU capability usage: (\S+)/.exec(i.config)?.[1] ?? 'unknown',
    config: i.config,
  };
}

/** libtorch's intra-op threads (default: every core, or NCML_NUM_THREADS). */
export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}

export function getNumThreads(): number {
  return native.getNumThreads();
}

export function cudaDeviceCount(): number {
  return native.cudaDeviceCount();
}
