// The data-parallel side of training, as PyTorch's DistributedDataParallel
// does it: every rank holds the whole model, the training state starts as
// rank 0's (broadcast), gradients are averaged with bucketed all-reduce after
// each backward pass, so every rank takes the same optimizer step; the
// per-example statistics and the stop decisions are gathered so that every
// rank agrees on them. The loop's collectives skip c10d's per-call check
// (checked: false): the trainer verifies at start that every rank has the
// same config, which makes every call match. libtorch's autograd hooks are out of reach from here
// (c10d's Reducer is not in Debian's headers), so the all-reduce runs after
// backward, bucket k in flight while bucket k+1 is filled.
import { allGather, barrier, broadcastCoalesced, Coalescer, DEFAULT_BUCKET_BYTES } from '../distributed/index.js';
import type { ProcessGroup } from '../distributed/index.js';
import type { Parameter } from '../nn/parameter.js';
import { cat, fromTypedArray, noGrad, scope, type Tensor, zerosLike } from '../tensor/index.js';

export interface DistributedTrainingOptions {
  group: ProcessGroup;
  /** Gradient bucket size in bytes (default 25 MiB, DDP's bucket_cap_mb). */
  bucketBytes?: number;
}

/** What a data-parallel step's statistics add up to over all ranks. */
export interface GatheredStep {
  /** Mean of the ranks' batch losses (the global batch's mean: equal shares). */
  loss: number;
  /** Bitwise OR of the ranks' flags. */
  flags: number;
  /** Per-example bits/dim and t of the global batch, in global batch order. */
  bitsPerDim: Float32Array;
  t: Float32Array;
}

export class DataParallel {
  readonly group: ProcessGroup;
  readonly params: readonly Parameter[];
  readonly #coalescer: Coalescer;
  #allReduceSeconds = 0;

  constructor(params: readonly Parameter[], opts: DistributedTrainingOptions) {
    this.group = opts.group;
    this.params = params;
    this.#coalescer = new Coalescer(
      params.map((p) => ({ shape: p.shape, dtype: p.dtype, device: p.device })),
      { bucketBytes: opts.bucketBytes ?? DEFAULT_BUCKET_BYTES },
    );
  }

  get rank(): number {
    return this.group.rank;
  }

  get worldSize(): number {
    return this.group.worldSize;
  }

  /** Gradient buckets (lists of parameter indices). */
  get buckets(): readonly (readonly number[])[] {
    return this.#coalescer.buckets;
  }

  /**
   * Replaces every gradient by its average over the ranks. A parameter without
   * a gradient on this rank contributes zeros and gets the average, so every
   * rank ends with the same gradients.
   */
  averageGradients(): void {
    const start = performance.now();
    noGrad(() =>
      scope(() => {
        const grads = this.params.map((p) => {
          const g = p.grad;
          if (g !== null) return g;
          p.grad = zerosLike(p);
          return p.grad as Tensor;
        });
        this.#coalescer.allReduce(grads, { op: 'avg', group: this.group, checked: false });
      }),
    );
    this.#allReduceSeconds += (performance.now() - start) / 1000;
  }

  /** Seconds spent averaging gradients since the last call. */
  takeAllReduceSeconds(): number {
    const s = this.#allReduceSeconds;
    this.#allReduceSeconds = 0;
    return s;
  }

  /** Gathers one step's loss, flags and per-example statistics from every rank. */
  gatherStep(loss: number, flags: number, bitsPerDim: Tensor, t: Tensor): GatheredStep {
    const rows = scope(() => {
      const local = cat([
        fromTypedArray(new Float64Array([loss, flags]), [2]),
        bitsPerDim.detach().double().cpu(),
        t.double().cpu(),
      ]);
      return allGather(local, { group: this.group, checked: false }).map((r) => r.toArray() as Float64Array);
    });
    const share = (rows[0]!.length - 2) / 2;
    const out: GatheredStep = {
      loss: 0,
      flags: 0,
      bitsPerDim: new Float32Array(share * rows.length),
      t: new Float32Array(share * rows.length),
    };
    rows.forEach((r, k) => {
      out.loss += r[0]! / rows.length;
      out.flags |= r[1]!;
      out.bitsPerDim.set(r.subarray(2, 2 + share), k * share);
      out.t.set(r.subarray(2 + share), k * share);
    });
    return out;
  }

  /** Every rank's values (rank order) of a list of up to `share` numbers per rank. */
  gatherValues(values: Float64Array, share: number): Float64Array {
    if (values.length > share) throw new RangeError(`gatherValues: ${values.length} values exceed the share ${share}`);
    const rows = scope(() => {
      const padded = new Float64Array(share + 1);
      padded[0] = values.length;
      padded.set(values, 1);
      return allGather(fromTypedArray(padded, [share + 1]), { group: this.group, checked: false }).map(
        (r) => r.toArray() as Float64Array,
      );
    });
    const parts = rows.map((r) => r.subarray(1, 1 + r[0]!));
    const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** The ranks for which `condition` holds (every rank learns every rank's answer). */
  ranksWhere(condition: boolean): number[] {
    const flags = scope(() =>
      allGather(fromTypedArray(new Float64Array([condition ? 1 : 0]), [1]), { group: this.group }).map((t) => t.item()),
    );
    return flags.flatMap((f, r) => (f !== 0 ? [r] : []));
  }

  /** Overwrites the tensors on every rank with rank 0's (every rank passes the same layout). */
  broadcastFromRank0(tensors: readonly Tensor[]): void {
    broadcastCoalesced(tensors, { group: this.group, rank: this.rank, src: 0 });
  }

  barrier(): void {
    barrier({ group: this.group });
  }

  dispose(): void {
    this.#coalescer.dispose();
  }
}
