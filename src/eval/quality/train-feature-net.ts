// Trains the feature network on a labelled dataset (cross-entropy, Adam with
// a cosine schedule, seeded initialization and shuffles) and measures its
// test accuracy: the number that says whether its features mean anything.
import { makeBatch } from '../../data/batch.js';
import type { Dataset } from '../../data/dataset.js';
import { Xoshiro128, randomPermutation } from '../../data/prng.js';
import { crossEntropy } from '../../nn/losses.js';
import { Adam } from '../../optim/adam.js';
import { cosineDecay } from '../../optim/lr-schedule.js';
import { forkRng, noGrad, scope } from '../../tensor/index.js';
import { FeatureNet, type FeatureNetConfig, defaultFeatureNetConfig } from './feature-net.js';

const SHUFFLE_STREAM = 0x46454154;

export const FEATURE_NET_FORMAT = 'ncml-feature-net-1';

/** What is stored beside a feature net's weights. */
export interface FeatureNetInfo {
  format: typeof FEATURE_NET_FORMAT;
  config: FeatureNetConfig;
  /** The dataset it was trained on (spec when known, and source). */
  dataset: string;
  source: string;
  seed: number;
  steps: number;
  batchSize: number;
  lr: number;
  trainCount: number;
  testCount: number;
  /** Fraction of test images classified correctly. */
  testAccuracy: number;
  trainSeconds: number;
}

/** The training recipe's defaults (steps: about 3 epochs of Fashion-MNIST at batch 128). */
export const FEATURE_NET_TRAINING_DEFAULTS = { steps: 1500, batchSize: 128, lr: 2e-3 } as const;

export interface FeatureNetTrainingOptions {
  /** Optimizer steps (default 1500: about 3 epochs of Fashion-MNIST at batch 128). */
  steps?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Architecture overrides (filters, featureDim). */
  architecture?: Partial<Pick<FeatureNetConfig, 'filters' | 'featureDim'>>;
  /** Name of the dataset for the info (default its source). */
  dataset?: string;
  onProgress?: (step: number, steps: number, loss: number) => void;
}

/** Fraction of the dataset's images the classifier labels correctly. */
export function classifierAccuracy(net: FeatureNet, data: Dataset, batchSize = 500): number {
  let correct = 0;
  const wasTraining = net.training;
  net.eval();
  try {
    noGrad(() => {
      for (let start = 0; start < data.count; start += batchSize) {
        const n = Math.min(batchSize, data.count - start);
        correct += scope(() => {
          const b = makeBatch(
            data,
            Int32Array.from({ length: n }, (_, i) => start + i),
          );
          return net.forward(b.x).argmax(1).eq(b.y).sum().item();
        });
      }
    });
  } finally {
    net.train(wasTraining);
  }
  return correct / data.count;
}

/** A new feature net trained on `train`, with its accuracy on `test`. */
export function trainFeatureNet(
  train: Dataset,
  test: Dataset,
  opts: FeatureNetTrainingOptions = {},
): { net: FeatureNet; info: FeatureNetInfo } {
  const steps = opts.steps ?? FEATURE_NET_TRAINING_DEFAULTS.steps;
  const batchSize = Math.min(opts.batchSize ?? FEATURE_NET_TRAINING_DEFAULTS.batchSize, train.count);
  const lr = opts.lr ?? FEATURE_NET_TRAINING_DEFAULTS.lr;
  const seed = opts.seed ?? 0;
  if (train.numClasses < 2) {
    throw new RangeError(`${train.source} has no class labels; the feature net is trained as a classifier`);
  }
  for (const [k, a, b] of [
    ['channels', train.channels, test.channels],
    ['height', train.height, test.height],
    ['width', train.width, test.width],
  ] as const) {
    if (a !== b) throw new RangeError(`train and test images differ in ${k}: ${a} vs ${b}`);
  }
  const started = performance.now();
  const config = { ...defaultFeatureNetConfig(train, train.numClasses), ...opts.architecture };
  const net = forkRng(() => new FeatureNet(config), seed);
  const optimizer = new Adam(net.parameters(), { lr });
  const schedule = cosineDecay(lr, steps);
  let perm: Int32Array = new Int32Array(0);
  let cursor = 0;
  let epoch = 0;
  net.train();
  for (let step = 0; step < steps; step++) {
    if (cursor + batchSize > perm.length) {
      perm = randomPermutation(train.count, Xoshiro128.fromKey(seed, SHUFFLE_STREAM, epoch++));
      cursor = 0;
    }
    const indices = perm.subarray(cursor, cursor + batchSize);
    cursor += batchSize;
    optimizer.lr = schedule(step);
    const loss = scope(() => {
      const b = makeBatch(train, indices);
      const l = crossEntropy(net.forward(b.x), b.y);
      l.backward();
      return l.item();
    });
    optimizer.step();
    optimizer.zeroGrad();
    opts.onProgress?.(step + 1, steps, loss);
  }
  net.eval();
  const testAccuracy = classifierAccuracy(net, test);
  return {
    net,
    info: {
      format: FEATURE_NET_FORMAT,
      config: net.config,
      dataset: opts.dataset ?? train.source,
      source: train.source,
      seed,
      steps,
      batchSize,
      lr,
      trainCount: train.count,
      testCount: test.count,
      testAccuracy,
      trainSeconds: (performance.now() - started) / 1000,
    },
  };
}
