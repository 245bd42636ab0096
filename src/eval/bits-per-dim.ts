// Test-set negative log-likelihood in bits/dim, optionally under the paper's
// LSB sanity test (pi-flipped images, Sec. 3.1) and at a noise level t, with
// the per-example values so that callers can report intervals.
//
// Every random draw belongs to one example: example i's flips and its noise
// come from generators seeded by (seed, i). So the values do not depend on
// the batch size or on how many examples are evaluated, and evaluations at
// different pi use the same noise z for an example: x_t = m x_pi + s z and
// x_t = m x + s z differ only by the flips (the pairing Delta log p needs).
import { makeBatch } from '../data/batch.js';
import type { Dataset } from '../data/dataset.js';
import { bitsPerDim, logProbFromParams, type NoisyLikelihoodKind, toBitsPerDim } from '../models/likelihood.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import { bitflip } from '../ncml/bitflip.js';
import type { Sde } from '../ncml/sde/sde.js';
import { type Tensor, autocast, cat, forkRng, full, manualSeed, noGrad, scope } from '../tensor/index.js';
import { modelDevice } from '../models/device.js';

export interface BitsPerDimOptions {
  /** LSB flip probability pi (default 0: the data as is). */
  pi?: number;
  /** Noise level to condition on and perturb with (default 0; t > 0 needs sde). */
  t?: number;
  sde?: Sde;
  /**
   * The noise level the model is told, if not t: 0 scores x_t as a model
   * trained on clean data only (MLE) would without its never-trained t input.
   */
  conditioningT?: number;
  /** Likelihood at t > 0 (default 'binned'). */
  kind?: NoisyLikelihoodKind;
  batchSize?: number;
  /** Evaluate only the first `limit` examples. */
  limit?: number;
  /** Seed of the flips and the noise; the caller's random stream is left untouched. */
  seed?: number;
  /** Run the network's convolutions in bfloat16 (as a run trained with bf16 does; the likelihood stays float32). */
  bf16?: boolean;
  /** Called after each batch with the number of examples done. */
  onProgress?: (done: number, total: number) => void;
}

export interface BitsPerDimResult {
  /** Mean over the examples. */
  bitsPerDim: number;
  /** Standard error of the mean (0 for one example). */
  standardError: number;
  count: number;
  /** Bits/dim of each example, in dataset order. */
  perExample: Float64Array;
}

/** Mean and standard error of the mean. */
export function meanAndStandardError(values: ArrayLike<number>): { mean: number; standardError: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((values[i] as number) - mean) ** 2;
  return { mean, standardError: n > 1 ? Math.sqrt(ss / (n - 1) / n) : 0 };
}

// murmur3's finalizer: a bijection on 32-bit integers that mixes every bit.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const STREAMS = { flip: 0x9e3779b9, noise: 0x7f4a7c15 } as const;

/**
 * The generator seed of one example's flips or noise. libtorch's CPU
 * generator keeps only the low 32 bits of a seed, so seeds are 32-bit, and
 * distinct for distinct examples of one stream (a bijection of the index).
 */
export function exampleSeed(seed: number, stream: keyof typeof STREAMS, index: number): number {
  return fmix32((fmix32((seed ^ STREAMS[stream]) >>> 0) + index) >>> 0);
}

export interface EvaluationInputOptions {
  pi?: number;
  t?: number;
  sde?: Sde;
  seed?: number;
}

/**
 * The images a bits/dim evaluation scores: uint8 images [B, C, H, W] of the
 * dataset examples `indices`, each with its LSB flipped with probability pi
 * and then perturbed by the SDE to t, as floats. Draws from the global
 * generator (wrap in forkRng to leave the caller's stream alone).
 */
export function evaluationInputs(
  xUint8: Tensor,
  indices: ArrayLike<number>,
  opts: EvaluationInputOptions = {},
): Tensor {
  const { pi = 0, t = 0, seed = 0 } = opts;
  if (t > 0 && !opts.sde) throw new TypeError('evaluating at t > 0 needs the SDE that defines the noise');
  const n = xUint8.shape[0] as number;
  if (indices.length !== n) throw new RangeError(`evaluationInputs: ${indices.length} indices for ${n} images`);
  return scope(() => {
    const perExample = (stream: keyof typeof STREAMS, x: Tensor, draw: (row: Tensor) => Tensor) =>
      cat(
        Array.from({ length: n }, (_, j) => {
          manualSeed(exampleSeed(seed, stream, indices[j] as number));
          return draw(x.narrow(0, j, 1));
        }),
      );
    // pi = 0 and pi = 1 draw nothing.
    const flipped = pi > 0 && pi < 1 ? perExample('flip', xUint8, (row) => bitflip(row, pi)) : bitflip(xUint8, pi);
    const x0 = flipped.float().sub(127.5).div(127.5);
    return t > 0 ? perExample('noise', x0, (row) => opts.sde!.perturb(row, t).xt) : x0;
  });
}

/** Bits/dim of a dataset's images under the model (eval mode, no autograd). */
export function evaluateBitsPerDim(model: NCPN, dataset: Dataset, opts: BitsPerDimOptions = {}): BitsPerDimResult {
  const { pi = 0, t = 0, batchSize = 100, seed = 0 } = opts;
  if (t > 0 && !opts.sde) throw new TypeError('evaluating at t > 0 needs the SDE that defines the noise');
  const total = Math.min(dataset.count, opts.limit ?? dataset.count);
  const device = modelDevice(model);
  const perExample = new Float64Array(total);
  const told = opts.conditioningT ?? t;
  const score = (xt: Tensor, y: Tensor | null): Tensor =>
    told === t
      ? bitsPerDim(model, xt, { t, y, kind: opts.kind })
      : toBitsPerDim(
          logProbFromParams(
            model.forward(xt, { t: full([xt.shape[0] as number], told, { device }), y }),
            xt,
            t,
            model.config.channels,
            opts.kind,
          ),
          xt,
        );
  const wasTraining = model.training;
  model.eval();
  try {
    forkRng(() =>
      noGrad(() => {
        for (let start = 0; start < total; start += batchSize) {
          const n = Math.min(batchSize, total - start);
          const indices = Int32Array.from({ length: n }, (_, i) => start + i);
          const values = scope(() => {
            const batch = makeBatch(dataset, indices, { uint8: true, device });
            const xt = evaluationInputs(batch.xUint8!, indices, { pi, t, sde: opts.sde, seed });
            const y = model.config.numClasses !== null ? batch.y : null;
            const bpd = autocast(() => score(xt, y), { enabled: opts.bf16 ?? false });
            return bpd.double().cpu().toArray() as Float64Array;
          });
          perExample.set(values, start);
          opts.onProgress?.(start + n, total);
        }
      }),
    );
  } finally {
    model.train(wasTraining);
  }
  const { mean, standardError } = meanAndStandardError(perExample);
  return { bitsPerDim: mean, standardError, count: total, perExample };
}
