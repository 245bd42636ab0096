// The images an OOD evaluation of a run needs, each taken where it may be:
// references from training images, the choice of t from held-out images (the
// run's validation split when --in is its dataset) against a synthetic proxy,
// and the test images of the in-distribution and OOD sets.
import { type Dataset, subsetDataset } from '../../data/dataset.js';
import { Xoshiro128, randomPermutation } from '../../data/prng.js';
import { loadDataset } from '../../data/registry.js';
import type { TrainConfig } from '../../runs/config.js';
import { loadRunData } from '../../runs/data.js';
import type { NamedSet } from './evaluate-ood.js';
import { SYNTHETIC_OOD_SETS, type SyntheticOodSet, syntheticOodSet } from './synthetic-sets.js';

const SUBSET_STREAM = 0x4f4f4453;

export class OodDataError extends Error {}

/** `count` images of ds drawn without replacement by a seeded permutation (all when count >= ds.count). */
export function randomSubset(ds: Dataset, count: number, seed: number, stream = 0): Dataset {
  if (count >= ds.count) return ds;
  const perm = randomPermutation(ds.count, Xoshiro128.fromKey(seed, SUBSET_STREAM, stream));
  return subsetDataset(ds, perm.subarray(0, count).sort(), `${ds.source} (${count} random images)`);
}

function checkShape(set: Dataset, like: Dataset, what: string): void {
  const s = (d: Dataset) => `${d.channels}x${d.height}x${d.width}`;
  if (s(set) !== s(like)) {
    throw new OodDataError(`${what} (${set.source}) has ${s(set)} images; the in-distribution images are ${s(like)}`);
  }
}

const isSynthetic = (spec: string): spec is SyntheticOodSet => (SYNTHETIC_OOD_SETS as readonly string[]).includes(spec);

/**
 * An OOD set: a synthetic set made from `inImages`, or the first test images
 * of a dataset spec (at most as many as `inImages` holds).
 */
export function loadOodSet(spec: string, inImages: Dataset, seed = 0): NamedSet {
  let data = isSynthetic(spec) ? syntheticOodSet(spec, inImages, seed) : loadDataset(spec, 'test');
  checkShape(data, inImages, `OOD set ${spec}`);
  if (data.count > inImages.count) {
    data = subsetDataset(
      data,
      Int32Array.from({ length: inImages.count }, (_, i) => i),
      data.source,
    );
  }
  return { name: spec, data };
}

export interface OodDataOptions {
  /** In-distribution dataset spec (default: the run's dataset). */
  inSpec?: string;
  oodSpecs: readonly string[];
  /** In-distribution test images used (default all). */
  examples?: number;
  /** Training images for the references (default 1000). */
  fitExamples?: number;
  /** Held-out images for the choice of t (default 1000), and the proxy OOD set (default 'shuffled-patches'). */
  selectExamples?: number;
  selectOod?: string;
  seed?: number;
}

export interface OodData {
  inSpec: string;
  inTest: Dataset;
  fitData: Dataset;
  selection: { inData: Dataset; ood: NamedSet };
  oodSets: NamedSet[];
}

/** Every set an OOD evaluation of a run uses (see the file comment). */
export function oodDataForRun(config: TrainConfig, opts: OodDataOptions): OodData {
  const inSpec = opts.inSpec ?? config.dataset;
  const seed = opts.seed ?? 0;
  let inTest = loadDataset(inSpec, 'test');
  if (opts.examples !== undefined && opts.examples < inTest.count) {
    inTest = subsetDataset(
      inTest,
      Int32Array.from({ length: opts.examples }, (_, i) => i),
      inTest.source,
    );
  }
  // Training and held-out images: the run's own split when it trained on inSpec
  // (so the held-out images are exactly those it never saw); otherwise two
  // disjoint random parts of inSpec's training split.
  let train: Dataset;
  let heldOut: Dataset;
  const fitCount = opts.fitExamples ?? 1000;
  const selectCount = opts.selectExamples ?? 1000;
  const run = inSpec === config.dataset ? loadRunData(config) : null;
  if (run !== null && run.validation !== null) {
    train = randomSubset(run.train, fitCount, seed, 1);
    heldOut = randomSubset(run.validation, selectCount, seed, 2);
  } else {
    const all = run?.train ?? loadDataset(inSpec, 'train');
    if (all.count < 2) throw new OodDataError(`${inSpec} has ${all.count} training images; need at least 2`);
    const perm = randomPermutation(all.count, Xoshiro128.fromKey(seed, SUBSET_STREAM, 3));
    const nFit = Math.min(fitCount, Math.floor(all.count / 2));
    const nSel = Math.min(selectCount, all.count - nFit);
    train = subsetDataset(all, perm.subarray(0, nFit).sort(), `${all.source} (${nFit} random images)`);
    heldOut = subsetDataset(all, perm.subarray(nFit, nFit + nSel).sort(), `${all.source} (${nSel} other images)`);
  }
  const selectOod = opts.selectOod ?? 'shuffled-patches';
  const proxy: NamedSet = isSynthetic(selectOod)
    ? { name: selectOod, data: syntheticOodSet(selectOod, heldOut, seed + 1) }
    : { name: selectOod, data: randomSubset(loadDataset(selectOod, 'train'), selectCount, seed, 4) };
  checkShape(proxy.data, inTest, `validation OOD set ${selectOod}`);
  if (opts.oodSpecs.length === 0) throw new OodDataError('--ood: expected at least one OOD set');
  const oodSets = opts.oodSpecs.map((spec) => loadOodSet(spec, inTest, seed));
  return { inSpec, inTest, fitData: train, selection: { inData: heldOut, ood: proxy }, oodSets };
}

/** The OOD sets to try when none are named: the sibling digit/clothing set, then the synthetic ones. */
export function defaultOodSpecs(inSpec: string): string[] {
  const base = inSpec.split(':')[0];
  const sibling = base === 'fashion-mnist' ? ['mnist'] : base === 'mnist' ? ['fashion-mnist'] : [];
  return [...sibling, 'uniform-noise', 'constant', 'vflip', 'invert'];
}
