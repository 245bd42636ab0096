// Feature nets on disk: weights as safetensors and what they are as JSON
// (architecture, training data, seed, test accuracy), cached by dataset, seed
// and training recipe (a 30-step net is not the 1500-step one) so that `ncml eval quality` trains one once and every later evaluation
// of that dataset measures in the same feature space.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import type { Dataset } from '../../data/dataset.js';
import { datasetSplits, loadDataset, parseDatasetSpec } from '../../data/registry.js';
import { loadFile, saveFile } from '../../serialization/safetensors.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { FeatureNet } from './feature-net.js';
import {
  FEATURE_NET_FORMAT,
  FEATURE_NET_TRAINING_DEFAULTS,
  type FeatureNetInfo,
  type FeatureNetTrainingOptions,
  trainFeatureNet,
} from './train-feature-net.js';

export const FEATURE_NET_WEIGHTS = 'feature-net.safetensors';
export const FEATURE_NET_INFO = 'feature-net.json';

export class FeatureNetError extends Error {}

/** Writes the weights, then the info (its presence marks a complete net). */
export function saveFeatureNet(dir: string, net: FeatureNet, info: FeatureNetInfo): void {
  mkdirSync(dir, { recursive: true });
  saveFile(join(dir, FEATURE_NET_WEIGHTS), net.stateDict(), { format: FEATURE_NET_FORMAT });
  writeFileAtomic(join(dir, FEATURE_NET_INFO), JSON.stringify(info, null, 2) + '\n');
}

/** A saved feature net, checked against its info. */
export function loadFeatureNet(dir: string): { net: FeatureNet; info: FeatureNetInfo } {
  const infoPath = join(dir, FEATURE_NET_INFO);
  if (!existsSync(infoPath)) throw new FeatureNetError(`no feature net in ${dir}: ${FEATURE_NET_INFO} is missing`);
  let info: FeatureNetInfo;
  try {
    info = JSON.parse(readFileSync(infoPath, 'utf8')) as FeatureNetInfo;
  } catch (e) {
    throw new FeatureNetError(`${infoPath} is not valid JSON: ${(e as Error).message}`);
  }
  if (info.format !== FEATURE_NET_FORMAT) {
    throw new FeatureNetError(`${infoPath}: format '${String(info.format)}', expected '${FEATURE_NET_FORMAT}'`);
  }
  const net = new FeatureNet(info.config);
  const { tensors } = loadFile(join(dir, FEATURE_NET_WEIGHTS));
  try {
    net.loadStateDict(tensors);
  } catch (e) {
    throw new FeatureNetError(
      `${join(dir, FEATURE_NET_WEIGHTS)} does not fit ${FEATURE_NET_INFO}: ${(e as Error).message}`,
    );
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  net.eval();
  return { net, info };
}

/** Where cached feature nets live: $NCML_CACHE_DIR/features, else $XDG_CACHE_HOME/ncml/features, else ~/.cache/ncml/features. */
export function defaultFeatureCacheRoot(): string {
  if (process.env.NCML_CACHE_DIR) return join(process.env.NCML_CACHE_DIR, 'features');
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ncml', 'features');
}

/** What decides a cached net besides the data: seed and training recipe. */
export type FeatureNetRecipe = Pick<FeatureNetTrainingOptions, 'steps' | 'batchSize' | 'lr' | 'architecture'>;

/**
 * The cache directory of a dataset spec, seed and recipe: the dataset's name
 * (plus a hash of its directory when it has one), the seed and step count in
 * plain sight, and a hash of the rest of the recipe when it is not the default.
 */
export function featureNetCacheDir(
  datasetSpec: string,
  seed: number,
  root = defaultFeatureCacheRoot(),
  recipe: FeatureNetRecipe = {},
): string {
  const spec = parseDatasetSpec(datasetSpec);
  const hash = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 10);
  const where = spec.dir === undefined ? '' : `-${hash(resolve(spec.dir))}`;
  const steps = recipe.steps ?? FEATURE_NET_TRAINING_DEFAULTS.steps;
  const rest = {
    batchSize: recipe.batchSize ?? FEATURE_NET_TRAINING_DEFAULTS.batchSize,
    lr: recipe.lr ?? FEATURE_NET_TRAINING_DEFAULTS.lr,
    architecture: recipe.architecture ?? {},
  };
  const isDefault =
    rest.batchSize === FEATURE_NET_TRAINING_DEFAULTS.batchSize &&
    rest.lr === FEATURE_NET_TRAINING_DEFAULTS.lr &&
    Object.keys(rest.architecture).length === 0;
  return join(root, `${spec.kind}${where}-seed${seed}-steps${steps}${isDefault ? '' : `-${hash(rest)}`}`);
}

export interface FeatureNetForOptions extends Omit<FeatureNetTrainingOptions, 'seed' | 'dataset'> {
  seed?: number;
  /** The cache root (default defaultFeatureCacheRoot()). */
  cacheRoot?: string;
  /** The dataset's splits, if the caller has them loaded already. */
  data?: { train: Dataset; test: Dataset };
  /** Called before a net is trained (nothing was cached). */
  onTrain?: (dir: string) => void;
}

/** The cached feature net of a dataset, seed and recipe, trained (and cached) on first use. */
export function featureNetFor(
  datasetSpec: string,
  opts: FeatureNetForOptions = {},
): { net: FeatureNet; info: FeatureNetInfo; dir: string; trained: boolean } {
  const seed = opts.seed ?? 0;
  const dir = featureNetCacheDir(datasetSpec, seed, opts.cacheRoot, opts);
  if (existsSync(join(dir, FEATURE_NET_INFO))) return { ...loadFeatureNet(dir), dir, trained: false };
  if (!datasetSplits(datasetSpec).includes('test')) {
    throw new FeatureNetError(`${datasetSpec} has no test split: the feature net's accuracy is measured on one`);
  }
  opts.onTrain?.(dir);
  const train = opts.data?.train ?? loadDataset(datasetSpec, 'train');
  const test = opts.data?.test ?? loadDataset(datasetSpec, 'test');
  const { net, info } = trainFeatureNet(train, test, {
    ...opts,
    seed,
    dataset: datasetSpec,
  });
  saveFeatureNet(dir, net, info);
  return { net, info, dir, trained: true };
}
