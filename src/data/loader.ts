// Seeded, resumable batching. The order of epoch e is a pure function of
// (seed, e), so a position {epoch, index} is all it takes to resume: no PRNG
// state is saved, and the batches after a resume are the ones that would have
// come without the interruption.
import { type Batch, type BatchOptions, makeBatch } from './batch.js';
import { type Dataset } from './dataset.js';
import { Xoshiro128, randomPermutation } from './prng.js';

/** Where the next batch starts: `index` examples into the order of epoch `epoch`. */
export interface LoaderPosition {
  readonly epoch: number;
  readonly index: number;
}

export interface LoaderOptions extends BatchOptions {
  batchSize: number;
  /** Reshuffle every epoch (default true); false keeps the dataset order. */
  shuffle?: boolean;
  /** Skip each epoch's last batch when it would be smaller than batchSize (default false). */
  dropLast?: boolean;
  /** An integer in [0, 2^32) (default 0). */
  seed?: number;
  /** Resume from a position read earlier from `position` (default the start). */
  position?: LoaderPosition;
  /**
   * Data-parallel training: batchSize is the global batch, and this loader
   * yields rank's contiguous 1/worldSize of each one, so every rank walks the
   * same seeded order and the batches do not depend on the number of ranks.
   * Needs dropLast and a batchSize divisible by worldSize.
   */
  shard?: { rank: number; worldSize: number };
}

// Keeps the shuffle streams apart from other users of the same seed.
const SHUFFLE_STREAM = 0x53485546;

const isUint32 = (v: number): boolean => Number.isInteger(v) && v >= 0 && v < 2 ** 32;

/**
 * Batches of a dataset. `for (const batch of loader)` runs to the end of the
 * current epoch (the whole next epoch when at an epoch start); `nextBatch()`
 * goes on across epochs. The caller owns every yielded tensor (see Batch).
 */
export class DataLoader implements Iterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number;
  readonly shard: { readonly rank: number; readonly worldSize: number } | undefined;
  readonly #batchOptions: BatchOptions;
  #epoch = 0;
  #index = 0;
  #order: { epoch: number; order: Int32Array } | undefined;

  constructor(dataset: Dataset, opts: LoaderOptions) {
    const { batchSize, shuffle = true, dropLast = false, seed = 0 } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    if (!isUint32(seed)) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    if (dataset.count === 0 || (dropLast && dataset.count < batchSize)) {
      throw new RangeError(
        `${dataset.source}: ${dataset.count} examples make no batch of ${batchSize}${dropLast ? ' with dropLast' : ''}`,
      );
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.seed = seed;
    if (opts.shard !== undefined) {
      const { rank, worldSize } = opts.shard;
      if (!Number.isInteger(worldSize) || worldSize < 1 || !Number.isInteger(rank) || rank < 0 || rank >= worldSize)
        throw new RangeError(`shard: rank must be in 0..worldSize-1, got rank ${rank} of ${worldSize}`);
      if (batchSize % worldSize !== 0)
        throw new RangeError(`the global batch of ${batchSize} does not split evenly over ${worldSize} ranks`);
      if (!dropLast) throw new RangeError('a sharded loader needs dropLast, so that every rank gets a full share');
      this.shard = { rank, worldSize };
    }
    this.#batchOptions = { uint8: opts.uint8, device: opts.device };
    if (opts.position !== undefined) this.seek(opts.position);
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    const n = this.dataset.count / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The position of the next batch; pass it to `seek` or the `position` option to resume there. */
  get position(): LoaderPosition {
    return { epoch: this.#epoch, index: this.#index };
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** Moves to a position (an epoch end is the next epoch's start). */
  seek(position: LoaderPosition): void {
    const { epoch, index } = position;
    if (!isUint32(epoch)) throw new RangeError(`position.epoch must be an integer in [0, 2^32), got ${epoch}`);
    if (!Number.isInteger(index) || index < 0 || index > this.dataset.count) {
      throw new RangeError(`position.index must be an integer in 0..${this.dataset.count}, got ${index}`);
    }
    this.#epoch = epoch;
    this.#index = index;
    this.#rollOver();
  }

  /** The order of the examples in an epoch: a seeded permutation, or 0..count-1 without shuffling. */
  epochOrder(epoch: number): Int32Array {
    if (this.#order?.epoch === epoch) return this.#order.order;
    const n = this.dataset.count;
    const order = this.shuffle
      ? randomPermutation(n, Xoshiro128.fromKey(this.seed, epoch, SHUFFLE_STREAM))
      : Int32Array.from({ length: n }, (_, i) => i);
    this.#order = { epoch, order };
    return order;
  }

  /** The next batch (this rank's share of it when sharded), moving into the next epoch when this one is done. */
  nextBatch(): Batch {
    const order = this.epochOrder(this.#epoch);
    const end = Math.min(this.#index + this.batchSize, this.dataset.count);
    let indices = order.subarray(this.#index, end);
    if (this.shard !== undefined) {
      const share = this.batchSize / this.shard.worldSize;
      indices = indices.subarray(this.shard.rank * share, (this.shard.rank + 1) * share);
    }
    const batch = makeBatch(this.dataset, indices, this.#batchOptions);
    this.#index = end;
    this.#rollOver();
    return batch;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const epoch = this.#epoch;
    while (this.#epoch === epoch) yield this.nextBatch();
  }

  // An epoch ends when no (full, with dropLast) batch is left in it.
  #rollOver(): void {
    const left = this.dataset.count - this.#index;
    if (left < (this.dropLast ? this.batchSize : 1)) {
      this.#epoch += 1;
      this.#index = 0;
    }
  }
}
