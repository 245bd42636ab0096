// A trained model from a run directory or a checkpoint, ready to use: the
// model with its EMA (or raw) weights on the chosen device, in eval mode,
// with the config it was trained with and the SDE that defines its noise.
import { NCPN } from '../models/ncpn/ncpn.js';
import { createSde } from '../ncml/sde/index.js';
import type { Sde } from '../ncml/sde/sde.js';
import type { Device } from '../tensor/dtype.js';
import { type CheckpointState, loadCheckpointWeights, readCheckpointState } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { resolveCheckpoint } from './run-dir.js';

export interface LoadOptions {
  /** 'ema' (default: what evaluation and sampling use) or 'model' (the raw weights). */
  weights?: 'ema' | 'model';
  /** Where to put the model (default: the CPU). */
  device?: Device;
  /** Used in error messages for the path (default '--checkpoint'). */
  what?: string;
}

export interface TrainedModel {
  model: NCPN;
  config: TrainConfig;
  sde: Sde;
  /** The checkpoint directory the weights came from. */
  checkpoint: string;
  runDir: string;
  state: CheckpointState;
  weights: 'ema' | 'model';
  /** [C, H, W] of the training images, or null for checkpoints that predate it. */
  imageShape: [number, number, number] | null;
}

/** Loads a checkpoint, or the latest checkpoint of a run directory. */
export function loadTrainedModel(path: string, opts: LoadOptions = {}): TrainedModel {
  const weights = opts.weights ?? 'ema';
  const { checkpoint, runDir } = resolveCheckpoint(path, opts.what);
  const state = readCheckpointState(checkpoint);
  const model = new NCPN(state.config.model);
  loadCheckpointWeights(checkpoint, model, weights);
  if (opts.device !== undefined && opts.device !== 'cpu') model.to(opts.device);
  model.channelsLast = state.config.channelsLast;
  model.eval();
  return {
    model,
    config: state.config,
    sde: createSde(state.config.sde),
    checkpoint,
    runDir,
    state,
    weights,
    imageShape: state.imageShape ?? null,
  };
}
