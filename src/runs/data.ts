// The data of a run: the training images minus the held-out validation
// examples (the same seeded split the trainer made), the held-out examples,
// and the test split; each checked against the model the run trains.
import type { Dataset } from '../data/dataset.js';
import { datasetSplits, loadDataset } from '../data/registry.js';
import { splitTrainValidation } from '../data/split.js';
import type { NcpnConfig } from '../models/ncpn/config.js';
import type { TrainConfig } from './config.js';

export type RunSplit = 'train' | 'validation' | 'test';

export class DataMismatchError extends Error {}

/** The trainer's split: train minus the held-out examples, and the held-out examples (null with validation 0). */
export function loadRunData(config: TrainConfig): { train: Dataset; validation: Dataset | null } {
  const full = loadDataset(config.dataset, 'train');
  if (config.validation === 0) return { train: full, validation: null };
  return splitTrainValidation(full, { validation: config.validation, seed: config.seed });
}

/**
 * A split to evaluate a run's model on. 'validation' is exactly the images the
 * run held out from training; 'test' needs a dataset with a test split.
 */
export function loadRunSplit(config: TrainConfig, split: RunSplit, spec: string = config.dataset): Dataset {
  if (split === 'validation') {
    if (spec !== config.dataset) {
      throw new DataMismatchError(
        `--split validation means the images the run held out of ${config.dataset}; it cannot be taken from ${spec}`,
      );
    }
    const { validation } = loadRunData(config);
    if (validation === null) {
      throw new DataMismatchError(`the run held out no validation images (validation: 0); use --split test or train`);
    }
    return validation;
  }
  if (split === 'test' && !datasetSplits(spec).includes('test')) {
    throw new DataMismatchError(
      `${spec} has no test split (a folder dataset needs a test/ subfolder for one); ` +
        `use --split validation to evaluate the ${config.validation} images this run held out from training ` +
        '(the same seeded split as the trainer)',
    );
  }
  return loadDataset(spec, split);
}

/**
 * Throws, naming both sides, when a trained model meets images it does not
 * take: another channel count, or another size than it was trained on
 * (imageShape [C, H, W] from the checkpoint; null for checkpoints that predate it).
 */
export function checkModelFitsData(
  model: NcpnConfig,
  imageShape: readonly number[] | null,
  data: Dataset,
  what = 'the checkpoint',
): void {
  const d = `${data.channels}x${data.height}x${data.width}`;
  const m = imageShape ? imageShape.join('x') : `${model.channels}xHxW`;
  if (data.channels !== model.channels || (imageShape !== null && m !== d)) {
    throw new DataMismatchError(`${what}'s model takes ${m} images; ${data.source} has ${d}`);
  }
}
