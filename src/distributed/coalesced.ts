// Collectives over many tensors at once, as DistributedDataParallel does them:
// the tensors are copied into a few flat buffers ("buckets", about 25 MB each,
// one dtype and device per bucket), one collective runs per bucket, and the
// results are copied back. Bucket k's all-reduce is in flight while bucket
// k+1 is being filled. A Coalescer keeps its buffers, so a training loop
// pays for them once.
import { type DType, elementSize, empty, keep, noGrad, scope, type Tensor } from '../tensor/index.js';
import type { CollectiveOptions, ReduceOp } from './all-reduce.js';
import { allReduce } from './all-reduce.js';
import { broadcast } from './broadcast.js';
import type { Work } from './work.js';

/** PyTorch DDP's default bucket_cap_mb. */
export const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;

export interface TensorSpec {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly device: string;
}

const numelOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Groups tensor indices into buckets of at most capBytes each, in order; a
 * bucket holds one dtype and device, and a tensor larger than the cap gets a
 * bucket of its own.
 */
export function assignBuckets(specs: readonly TensorSpec[], capBytes: number = DEFAULT_BUCKET_BYTES): number[][] {
  if (!(capBytes > 0)) throw new RangeError(`bucket size must be positive, got ${capBytes} bytes`);
  const buckets: number[][] = [];
  const open = new Map<string, { members: number[]; bytes: number }>();
  specs.forEach((s, i) => {
    const key = `${s.dtype}@${s.device}`;
    const bytes = numelOf(s.shape) * elementSize(s.dtype);
    let b = open.get(key);
    if (b !== undefined && b.bytes + bytes > capBytes && b.members.length > 0) b = undefined;
    if (b === undefined) {
      b = { members: [], bytes: 0 };
      open.set(key, b);
      buckets.push(b.members);
    }
    b.members.push(i);
    b.bytes += bytes;
  });
  return buckets;
}

export interface CoalescerOptions {
  bucketBytes?: number;
}

export class Coalescer {
  readonly specs: readonly TensorSpec[];
  readonly buckets: readonly (readonly number[])[];
  readonly #flats: Tensor[];
  /** Per tensor: its place in its bucket's buffer, viewed with its shape. */
  readonly #views: Tensor[];

  constructor(specs: readonly TensorSpec[], opts: CoalescerOptions = {}) {
    this.specs = specs.map((s) => ({ shape: [...s.shape], dtype: s.dtype, device: s.device }));
    this.buckets = assignBuckets(this.specs, opts.bucketBytes ?? DEFAULT_BUCKET_BYTES);
    this.#flats = [];
    this.#views = new Array<Tensor>(specs.length);
    for (const members of this.buckets) {
      const first = this.specs[members[0] as number] as TensorSpec;
      const total = members.reduce((n, i) => n + numelOf((this.specs[i] as TensorSpec).shape), 0);
      const flat = keep(empty([total], { dtype: first.dtype, device: first.device as never }));
      this.#flats.push(flat);
      let offset = 0;
      for (const i of members) {
        const shape = (this.specs[i] as TensorSpec).shape;
        const n = numelOf(shape);
        this.#views[i] = keep(scope(() => flat.narrow(0, offset, n).view([...shape])));
        offset += n;
      }
    }
  }

  /** Bytes in all buckets. */
  get bytes(): number {
    return this.specs.reduce((n, s) => n + numelOf(s.shape) * elementSize(s.dtype), 0);
  }

  #check(tensors: readonly Tensor[]): void {
    if (tensors.length !== this.specs.length) {
      throw new RangeError(`expected ${this.specs.length} tensors (the coalescer's layout), got ${tensors.length}`);
    }
    tensors.forEach((t, i) => {
      const s = this.specs[i] as TensorSpec;
      if (t.dtype !== s.dtype || t.shape.join('x') !== s.shape.join('x')) {
        throw new RangeError(
          `tensor ${i} is ${t.dtype} [${t.shape}], the coalescer's layout has ${s.dtype} [${s.shape}] there`,
        );
      }
    });
  }

  #fill(tensors: readonly Tensor[], members: readonly number[]): void {
    for (const i of members) (this.#views[i] as Tensor).copy_(tensors[i] as Tensor);
  }

  #drain(tensors: readonly Tensor[], members: readonly number[]): void {
    for (const i of members) (tensors[i] as Tensor).copy_(this.#views[i] as Tensor);
  }

  /** All-reduces the tensors in place, one collective per bucket. */
  allReduce(tensors: readonly Tensor[], opts: CollectiveOptions & { op?: ReduceOp } = {}): void {
    this.#check(tensors);
    noGrad(() => {
      const works: Work[] = [];
      this.buckets.forEach((members, b) => {
        this.#fill(tensors, members);
        works.push(
          allReduce(this.#flats[b] as Tensor, {
            op: opts.op ?? 'sum',
            group: opts.group,
            checked: opts.checked,
            asyncOp: true,
          }),
        );
      });
      this.buckets.forEach((members, b) => {
        (works[b] as Work).wait();
        this.#drain(tensors, members);
      });
    });
  }

  /** Broadcasts the tensors from rank `src` in place, one collective per bucket. */
  broadcast(tensors: readonly Tensor[], opts: CollectiveOptions & { src?: number; rank: number }): void {
    this.#check(tensors);
    const src = opts.src ?? 0;
    noGrad(() => {
      const works: Work[] = [];
      this.buckets.forEach((members, b) => {
        if (opts.rank === src) this.#fill(tensors, members);
        works.push(
          broadcast(this.#flats[b] as Tensor, { src, group: opts.group, checked: opts.checked, asyncOp: true }),
        );
      });
      this.buckets.forEach((members, b) => {
        (works[b] as Work).wait();
        if (opts.rank !== src) this.#drain(tensors, members);
      });
    });
  }

  dispose(): void {
    for (const t of [...this.#flats, ...this.#views]) t.dispose();
    this.#flats.length = 0;
  }
}

function specsOf(tensors: readonly Tensor[]): TensorSpec[] {
  return tensors.map((t) => ({ shape: t.shape, dtype: t.dtype, device: t.device }));
}

/** All-reduces many tensors in place through temporary ~25 MB buckets. */
export function allReduceCoalesced(
  tensors: readonly Tensor[],
  opts: CollectiveOptions & CoalescerOptions & { op?: ReduceOp } = {},
): void {
  if (tensors.length === 0) return;
  const c = new Coalescer(specsOf(tensors), opts);
  try {
    c.allReduce(tensors, opts);
  } finally {
    c.dispose();
  }
}

/** Broadcasts many tensors in place from rank `src` through temporary buckets (every rank passes the same layout). */
export function broadcastCoalesced(
  tensors: readonly Tensor[],
  opts: CollectiveOptions & CoalescerOptions & { src?: number; rank: number },
): void {
  if (tensors.length === 0) return;
  const c = new Coalescer(specsOf(tensors), opts);
  try {
    c.broadcast(tensors, opts);
  } finally {
    c.dispose();
  }
}
