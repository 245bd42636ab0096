// Loads the native addon (build/Release/ncml.node) and describes its surface.
// Everything above this file talks to libtorch only through `native`.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An opaque reference to one libtorch tensor: a slot index and generation, as a number. */
export type Handle = number & { readonly __handle: unique symbol };

/** A JavaScript value the dispatcher converts by the operator's schema. */
export type Arg = Handle | number | boolean | string | null | undefined | readonly Arg[];

export interface NativeInfo {
  torchVersion: string;
  library: string;
  threads: number;
  interopThreads: number;
  hardwareConcurrency: number;
  mkldnn: boolean;
  openmp: boolean;
  lapack: boolean;
  cudaDevices: number;
  parallelInfo: string;
  config: string;
}

/** What `distInit` takes: the rendezvous store, this rank, the group's size and its timeouts. */
export interface DistInitOptions {
  backend: string;
  store: 'tcp' | 'file';
  host?: string;
  port?: number;
  path?: string;
  rank: number;
  worldSize: number;
  timeoutMs: number;
  heartbeatMs: number;
  lostAfterMs: number;
  /** Gloo's network interface (e.g. eth0), or the hostname/address to bind; neither: the default device. */
  interface?: string;
  hostname?: string;
  checkCollectives?: boolean;
}

export interface NativeBinding {
  op(name: string, overload: string): number;
  call(id: number, ...args: Arg[]): unknown;
  schema(id: number): string;

  fromArray(data: ArrayBufferView, shape: readonly number[], dtype: number): Handle;
  toArray(h: Handle): ArrayBufferView;
  shareArray(h: Handle): ArrayBufferView;
  dispose(h: Handle): void;
  isDisposed(h: Handle): boolean;
  /** Handles not yet disposed (tests use it to find leaks). */
  liveHandles(): number;
  shape(h: Handle): number[];
  strides(h: Handle): number[];
  dtype(h: Handle): number;
  device(h: Handle): string;
  isContiguous(h: Handle, memoryFormat: number): boolean;
  sameStorage(a: Handle, b: Handle): boolean;
  share(h: Handle): Handle;
  describe(h: Handle): string;

  backward(
    tensors: Handle[],
    grads: Handle[] | null,
    retainGraph: boolean | null,
    createGraph: boolean,
    inputs: Handle[] | null,
  ): void;
  grad(
    outputs: Handle[],
    inputs: Handle[],
    gradOutputs: Handle[] | null,
    retainGraph: boolean | null,
    createGraph: boolean,
    allowUnused: boolean,
  ): (Handle | null)[];
  getGrad(h: Handle): Handle | null;
  setGrad(h: Handle, g: Handle | null): void;
  requiresGrad(h: Handle): boolean;
  setRequiresGrad(h: Handle, value: boolean): void;
  isLeaf(h: Handle): boolean;
  gradFn(h: Handle): string | null;
  retainGrad(h: Handle): void;
  setGradEnabled(enabled: boolean): boolean;
  isGradEnabled(): boolean;

  setNumThreads(n: number): void;
  getNumThreads(): number;
  manualSeed(seed: number): void;
  /** The default generator's state of a device (the CPU's by default). */
  getRngState(device?: string): Handle;
  setRngState(state: Handle, device?: string): void;
  setAutocast(enabled: boolean, dtype?: number): boolean;
  isAutocast(): boolean;
  info(): NativeInfo;
  concatElu(x: Handle): Handle;
  gatedResidual(x: Handle, c: Handle): Handle;
  profilerStart(recordShapes: boolean): void;
  profilerStop(): { name: string; calls: number; totalUs: number; selfUs: number }[];
  cudaDeviceCount(): number;

  /** Which c10d backends this build has (`reason` says why Gloo is missing). */
  distAvailable(): { gloo: boolean; nccl: boolean; reason?: string };
  /** Creates a process group (blocks until every rank joined or the timeout); returns its id. */
  distInit(opts: DistInitOptions): number;
  /** In place; with `async` returns a work id for distWait, else waits. */
  /** `checked: false` skips the group's cross-rank call check (callers that guarantee matching calls). */
  distAllReduce(group: number, tensors: Handle[], op: string, async: boolean, checked?: boolean): number | undefined;
  distBroadcast(group: number, tensors: Handle[], src: number, async: boolean, checked?: boolean): number | undefined;
  distBarrier(group: number, checked?: boolean): void;
  distAllGather(group: number, tensor: Handle, checked?: boolean): Handle[];
  distWait(work: number): void;
  distDestroy(group: number): void;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const addonPath = join(root, 'build', 'Release', 'ncml.node');

function load(): NativeBinding {
  if (!existsSync(addonPath)) {
    throw new Error(
      `the ncml native addon is not built (expected ${addonPath}). ` +
        'Run `npm run build` (or `npm test` / `npm start`, which build it when missing).',
    );
  }
  const require = createRequire(import.meta.url);
  return require(addonPath) as NativeBinding;
}

export const native: NativeBinding = load();

/** Which libtorch the addon was built against (written by the build), or null if unknown. */
export function libtorchBuildInfo(): { source: string; prefix: string; cuda: boolean } | null {
  const p = join(root, 'build', 'libtorch.json');
  return existsSync(p)
    ? (JSON.parse(readFileSync(p, 'utf8')) as { source: string; prefix: string; cuda: boolean })
    : null;
}

// libtorch's intra-op pool defaults to one thread inside an addon; use every core unless told otherwise.
function initialThreads(): number {
  const fromEnv = process.env.NCML_NUM_THREADS;
  if (fromEnv === undefined || fromEnv === '') return availableParallelism();
  const n = Number(fromEnv);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`NCML_NUM_THREADS must be a positive integer, got '${fromEnv}'`);
  }
  return n;
}

native.setNumThreads(initialThreads());
