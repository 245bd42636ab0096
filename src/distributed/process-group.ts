// A c10d process group (Gloo), made like torch.distributed.init_process_group:
// every rank calls initProcessGroup with the same init method and world size
// and its own rank; the call returns once all ranks have joined (or throws
// after the timeout). The first group made becomes the default one that the
// collectives use when no group is given.
import { native } from '../binding/native.js';
import { DistributedError } from './distributed-error.js';
import { formatInitMethod, isLoopback, parseInitMethod } from './init-method.js';

export type Backend = 'gloo' | 'nccl';

/** How long a collective may wait for its peers before it fails (PyTorch's Gloo default is 30 min). */
export const DEFAULT_TIMEOUT_SECONDS = 300;

export interface InitProcessGroupOptions {
  /** 'gloo' (CPU, and CUDA tensors where Gloo has CUDA); 'nccl' needs a CUDA libtorch with NCCL. */
  backend?: Backend;
  /** tcp://host:port, file:///path or env:// (the default). */
  initMethod?: string;
  /** This process's rank in 0..worldSize-1 (default: $RANK). */
  rank?: number;
  /** Number of processes (default: $WORLD_SIZE). */
  worldSize?: number;
  /** Seconds a rendezvous or a collective may wait for its peers (default 300). */
  timeoutSeconds?: number;
  /** Seconds between liveness heartbeats (default 1). */
  heartbeatSeconds?: number;
  /** A peer silent this long is reported lost and waits for it end (default: min(timeout, 30 s)). */
  lostAfterSeconds?: number;
  /** Network interface Gloo uses (default: $GLOO_SOCKET_IFNAME, else loopback for a loopback rendezvous, else the hostname's address). */
  interface?: string;
  /** Address Gloo binds to, when no interface is given. */
  hostname?: string;
  /**
   * Compare every collective's op, shapes and dtypes across ranks before running it (c10d's
   * ProcessGroupWrapper; default true). Without it a mismatch aborts the process inside Gloo;
   * turn it off only to save its extra round trip per collective.
   */
  checkCollectives?: boolean;
}

export class ProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  readonly backend: Backend;
  readonly initMethod: string;
  readonly timeoutSeconds: number;
  #id: number | null;

  /** @internal use initProcessGroup */
  constructor(id: number, rank: number, worldSize: number, backend: Backend, initMethod: string, timeout: number) {
    this.#id = id;
    this.rank = rank;
    this.worldSize = worldSize;
    this.backend = backend;
    this.initMethod = initMethod;
    this.timeoutSeconds = timeout;
  }

  get destroyed(): boolean {
    return this.#id === null;
  }

  /** @internal the native group id */
  get id(): number {
    if (this.#id === null) throw new DistributedError('the process group was destroyed');
    return this.#id;
  }

  /** @internal */
  markDestroyed(): void {
    this.#id = null;
  }
}

let defaultGroup: ProcessGroup | null = null;

function envInteger(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new RangeError(`$${name} must be an integer, got '${v}'`);
  return n;
}

function positive(name: string, v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive number of seconds, got ${v}`);
  return v;
}

/** Whether this addon has c10d's Gloo backend (and why not, when it has not). */
export function isAvailable(): { gloo: boolean; nccl: boolean; reason?: string } {
  return native.distAvailable();
}

/** Joins a process group; the first one also becomes the default group. */
export function initProcessGroup(opts: InitProcessGroupOptions = {}): ProcessGroup {
  const backend = opts.backend ?? 'gloo';
  const spec = opts.initMethod ?? 'env://';
  const method = parseInitMethod(spec);
  const rank = opts.rank ?? envInteger('RANK');
  const worldSize = opts.worldSize ?? envInteger('WORLD_SIZE');
  if (worldSize === undefined || !Number.isInteger(worldSize) || worldSize < 1) {
    throw new RangeError(`worldSize must be a positive integer (or set $WORLD_SIZE), got ${worldSize}`);
  }
  if (rank === undefined || !Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new RangeError(`rank must be an integer in 0..${worldSize - 1} (or set $RANK), got ${rank}`);
  }
  const timeout = positive('timeoutSeconds', opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  const heartbeat = positive('heartbeatSeconds', opts.heartbeatSeconds ?? 1);
  const lostAfter = positive('lostAfterSeconds', opts.lostAfterSeconds ?? Math.min(timeout, 30));
  if (lostAfter < 3 * heartbeat) {
    throw new RangeError(`lostAfterSeconds (${lostAfter}) must be at least 3 heartbeats (${3 * heartbeat} s)`);
  }
  const iface = opts.interface ?? (process.env.GLOO_SOCKET_IFNAME || undefined);
  const hostname =
    opts.hostname ??
    (iface === undefined && method.kind === 'tcp' && isLoopback(method.host) ? '127.0.0.1' : undefined);
  let id: number;
  try {
    id = native.distInit({
      backend,
      store: method.kind,
      ...(method.kind === 'tcp' ? { host: method.host, port: method.port } : { path: method.path }),
      rank,
      worldSize,
      timeoutMs: Math.round(timeout * 1000),
      heartbeatMs: Math.round(heartbeat * 1000),
      lostAfterMs: Math.round(lostAfter * 1000),
      ...(iface !== undefined ? { interface: iface } : {}),
      ...(hostname !== undefined ? { hostname } : {}),
      checkCollectives: opts.checkCollectives ?? true,
    });
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw e;
    throw new DistributedError((e as Error).message);
  }
  const group = new ProcessGroup(id, rank, worldSize, backend, formatInitMethod(method), timeout);
  defaultGroup ??= group;
  return group;
}

/** Leaves a group (the default one when none is given); the others are told this rank left on purpose. */
export function destroyProcessGroup(group: ProcessGroup | null = defaultGroup): void {
  if (group === null || group.destroyed) return;
  native.distDestroy(group.id);
  group.markDestroyed();
  if (group === defaultGroup) defaultGroup = null;
}

export function isInitialized(): boolean {
  return defaultGroup !== null;
}

/** The default group; throws when initProcessGroup was not called. */
export function getDefaultGroup(): ProcessGroup {
  if (defaultGroup === null) throw new DistributedError('no process group: call initProcessGroup first');
  return defaultGroup;
}

export function getRank(group: ProcessGroup = getDefaultGroup()): number {
  return group.rank;
}

export function getWorldSize(group: ProcessGroup = getDefaultGroup()): number {
  return group.worldSize;
}
