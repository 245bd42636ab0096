// What every `ncml eval <kind>` starts from: the trained models of
// --checkpoint, and the images to evaluate them on (a dataset split, or the
// images a run held out), each model checked against the images it meets.
import { existsSync, statSync } from 'node:fs';

import type { Command } from 'commander';

import type { Dataset } from '../data/dataset.js';
import { type ModelInfo, modelInfos } from '../eval/model-info.js';
import { DataMismatchError, type RunSplit, checkModelFitsData, loadRunSplit } from '../runs/data.js';
import { type TrainedModel, loadTrainedModel } from '../runs/load.js';
import { evalOutDir } from './eval-options.js';
import { choice, integer } from './options.js';

export interface EvalData {
  models: TrainedModel[];
  infos: ModelInfo[];
  dataset: Dataset;
  /** The dataset spec evaluated (the first run's unless --dataset). */
  spec: string;
  split: RunSplit;
}

/** Loads the models and the split they are evaluated on; throws with both sides named if they do not fit. */
export function loadEvalData(
  checkpoints: readonly string[],
  opts: { weights: 'ema' | 'model'; dataset?: string; split: RunSplit },
): EvalData {
  const models = checkpoints.map((path) => loadTrainedModel(path, { weights: opts.weights }));
  const first = models[0] as TrainedModel;
  const spec = opts.dataset ?? first.config.dataset;
  if (opts.split === 'validation') {
    // The held-out images are set by each run's dataset, validation count and seed.
    const key = (m: TrainedModel) => JSON.stringify([m.config.dataset, m.config.validation, m.config.seed]);
    const other = models.find((m) => key(m) !== key(first));
    if (other !== undefined) {
      throw new DataMismatchError(
        `--split validation: ${first.runDir} and ${other.runDir} held out different images ` +
          `(dataset, validation count or seed differ); compare them on --split test`,
      );
    }
  }
  const dataset = loadRunSplit(first.config, opts.split, spec);
  const infos = modelInfos(models);
  models.forEach((m, i) => {
    const what = models.length === 1 ? 'the checkpoint' : `the checkpoint ${(infos[i] as ModelInfo).label}`;
    checkModelFitsData(m.config.model, m.imageShape, dataset, what);
  });
  return { models, infos, dataset, spec, split: opts.split };
}

/** The results directory of an evaluation, refused early if --out names a file. */
export function resolveEvalOut(kind: string, runDir: string, out: string | undefined): string {
  const dir = evalOutDir(kind, runDir, out);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new Error(`--out ${dir} is a file; expected a directory for the results (created if missing)`);
  }
  return dir;
}

export interface EvalDataFlags {
  dataset?: string;
  split: RunSplit;
  batchSize: number;
  /** undefined: as the run was trained. */
  bf16?: boolean;
}

/** --dataset, --split, --batch-size and --bf16/--no-bf16, shared by lsb and noise. */
export function addEvalDataOptions(cmd: Command): Command {
  return cmd
    .option('--dataset <spec>', 'dataset (default: the one the model was trained on)')
    .option(
      '--split <name>',
      "test, train, or validation (exactly the images the run held out from training, the trainer's seeded split)",
      choice(['train', 'validation', 'test'] as const),
      'test',
    )
    .option('--batch-size <n>', 'images per forward pass', integer(1), 100)
    .option('--bf16', 'bfloat16 convolutions (default: as the run was trained)')
    .option('--no-bf16', 'float32 convolutions even if the run trained with --bf16');
}
