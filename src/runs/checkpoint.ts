// Crash-safe checkpoints. Each checkpoint is a directory
//   <run>/checkpoints/step-00001000/
//     model.safetensors    the model's state dict (PyTorch-style names, loadable with safetensors)
//     ema.safetensors      the same names with the EMA weights (what evaluation and sampling use)
//     trainer.safetensors  optimizer state by parameter name, and the RNG state
//     state.json           step, data position, counters, the full training config
// written into a temporary directory (every file fsynced) that is renamed into
// place, so a kill -9 at any instant leaves the previous checkpoints intact and
// never a half-written one under a final name.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { LoaderPosition } from '../data/loader.js';
import type { NcpnConfig } from '../models/ncpn/config.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import type { EMA } from '../optim/ema.js';
import type { Optimizer } from '../optim/optimizer.js';
import { loadFile, saveFile } from '../serialization/safetensors.js';
import { getRngState, setRngState, type Tensor } from '../tensor/index.js';
import { fsyncDirectory, writeFileAtomic } from '../util/atomic-write.js';
import { configDifferences, parseTrainConfig, type TrainConfig } from './config.js';

export const CHECKPOINT_FORMAT = 'ncml-checkpoint-1';

export interface CheckpointState {
  format: string;
  /** Training steps done (including skipped ones). */
  step: number;
  optimizerStep: number;
  lr: number;
  emaUpdates: number;
  loaderPosition: LoaderPosition;
  skippedSteps: number;
  /** Training seconds over all sessions. */
  elapsedSeconds: number;
  /** [C, H, W] of the training images (absent in checkpoints that predate it). */
  imageShape?: [number, number, number];
  config: TrainConfig;
}

export interface TrainingObjects {
  model: NCPN;
  ema: EMA;
  optimizer: Optimizer;
}

export class CheckpointError extends Error {}

const STEP_DIR = /^step-(\d+)$/;

export function checkpointsDir(runDir: string): string {
  return join(runDir, 'checkpoints');
}

/** Complete checkpoints of a run, oldest first. */
export function listCheckpoints(runDir: string): { step: number; path: string }[] {
  const dir = checkpointsDir(runDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ m: STEP_DIR.exec(name), name }))
    .filter(({ m, name }) => m !== null && existsSync(join(dir, name, 'state.json')))
    .map(({ m, name }) => ({ step: Number((m as RegExpExecArray)[1]), path: join(dir, name) }))
    .sort((a, b) => a.step - b.step);
}

export function latestCheckpoint(runDir: string): string | null {
  return listCheckpoints(runDir).at(-1)?.path ?? null;
}

function paramNames(model: NCPN): string[] {
  return [...model.namedParameters()].map(([n]) => n);
}

/** Optimizer state keyed by parameter name rather than index, so it survives reordering. */
function optimizerTensors(model: NCPN, optimizer: Optimizer): Map<string, Tensor> {
  const names = paramNames(model);
  const out = new Map<string, Tensor>();
  for (const [key, t] of optimizer.stateDict().tensors) {
    const dot = key.indexOf('.');
    out.set(`optimizer.${names[Number(key.slice(0, dot))]}.${key.slice(dot + 1)}`, t);
  }
  return out;
}

export interface SaveOptions {
  keepLast: number;
  /** Called after each file is written (tests use it to kill the process mid-save). */
  onFileWritten?: (file: string) => void;
}

/** Writes a checkpoint for `state.step` and prunes old ones; returns its directory. */
export function saveCheckpoint(
  runDir: string,
  objs: TrainingObjects,
  state: CheckpointState,
  opts: SaveOptions,
): string {
  const dir = checkpointsDir(runDir);
  mkdirSync(dir, { recursive: true });
  const name = `step-${String(state.step).padStart(8, '0')}`;
  const final = join(dir, name);
  if (existsSync(join(final, 'state.json'))) return final; // this step is already saved
  const tmp = join(dir, `.tmp-${name}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const meta = { format: CHECKPOINT_FORMAT, step: String(state.step), config: JSON.stringify(objs.model.config) };
  const modelState = objs.model.stateDict();
  const emaState = new Map(modelState);
  for (const [n, t] of objs.ema.shadow) emaState.set(n, t);
  // The CPU generator always drives t, noise and dropout draws made on the CPU;
  // a model on another device also draws there, so that generator is saved too.
  const device = state.config.device;
  const rngs = new Map<string, Tensor>([['rng.cpu', getRngState()]]);
  if (device !== 'cpu') rngs.set(`rng.${device}`, getRngState(device));
  const trainerState = optimizerTensors(objs.model, objs.optimizer);
  for (const [k, t] of rngs) trainerState.set(k, t);
  const files: [string, () => void][] = [
    ['model.safetensors', () => saveFile(join(tmp, 'model.safetensors'), modelState, meta)],
    ['ema.safetensors', () => saveFile(join(tmp, 'ema.safetensors'), emaState, meta)],
    ['trainer.safetensors', () => saveFile(join(tmp, 'trainer.safetensors'), trainerState, meta)],
    ['state.json', () => writeFileAtomic(join(tmp, 'state.json'), JSON.stringify(state, null, 2) + '\n')],
  ];
  try {
    for (const [file, write] of files) {
      write();
      opts.onFileWritten?.(file);
    }
  } finally {
    for (const t of rngs.values()) t.dispose();
  }
  rmSync(final, { recursive: true, force: true }); // a leftover without state.json
  renameSync(tmp, final);
  fsyncDirectory(dir);
  for (const old of listCheckpoints(runDir).slice(0, -opts.keepLast))
    rmSync(old.path, { recursive: true, force: true });
  return final;
}

/** Removes temporary directories left by a process killed while saving. */
export function removeIncompleteCheckpoints(runDir: string): void {
  const dir = checkpointsDir(runDir);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir))
    if (name.startsWith('.tmp-')) rmSync(join(dir, name), { recursive: true, force: true });
}

export function readCheckpointState(path: string): CheckpointState {
  const file = join(path, 'state.json');
  if (!existsSync(file)) throw new CheckpointError(`${path} is not a complete checkpoint: it has no state.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const s = raw as CheckpointState;
  if (s.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      `${file}: unknown checkpoint format '${String(s.format)}', expected ${CHECKPOINT_FORMAT}`,
    );
  }
  // Checkpoints from before `device` was a setting trained on the CPU.
  const config: unknown = typeof s.config === 'object' && s.config !== null ? { device: 'cpu', ...(s.config as object) } : s.config;
  try {
    return { ...s, config: parseTrainConfig(config) };
  } catch (e) {
    throw new CheckpointError(`${file}: ${(e as Error).message}`);
  }
}

function assertSameModel(path: string, saved: NcpnConfig, model: NCPN): void {
  const diffs = configDifferences(saved, model.config).map((d) => d.replace(' now', ' in the model'));
  if (diffs.length > 0) {
    throw new CheckpointError(`checkpoint ${path} does not match the model's config: ${diffs.join('; ')}`);
  }
}

/** Loads only weights into a model (EMA weights by default, as evaluation and sampling use). */
export function loadCheckpointWeights(path: string, model: NCPN, which: 'ema' | 'model' = 'ema'): CheckpointState {
  const state = readCheckpointState(path);
  assertSameModel(path, state.config.model, model);
  const { tensors } = loadFile(join(path, `${which}.safetensors`));
  model.loadStateDict(tensors);
  for (const t of tensors.values()) t.dispose();
  return state;
}

/** Restores everything a training run needs to continue exactly where the checkpoint was taken. */
export function restoreCheckpoint(path: string, objs: TrainingObjects): CheckpointState {
  const state = loadCheckpointWeights(path, objs.model, 'model');
  const ema = loadFile(join(path, 'ema.safetensors')).tensors;
  objs.ema.load(ema);
  objs.ema.updates = state.emaUpdates;
  const trainer = loadFile(join(path, 'trainer.safetensors')).tensors;
  const byIndex = new Map<string, Tensor>();
  paramNames(objs.model).forEach((name, i) => {
    for (const [key, t] of trainer) {
      const prefix = `optimizer.${name}.`;
      if (key.startsWith(prefix)) byIndex.set(`${i}.${key.slice(prefix.length)}`, t);
    }
  });
  objs.optimizer.loadStateDict({ step: state.optimizerStep, lr: state.lr, tensors: byIndex });
  const rng = trainer.get('rng.cpu');
  if (!rng) throw new CheckpointError(`${path}/trainer.safetensors has no RNG state ('rng.cpu')`);
  setRngState(rng);
  const device = state.config.device;
  const deviceRng = device === 'cpu' ? undefined : trainer.get(`rng.${device}`);
  if (deviceRng) setRngState(deviceRng, device);
  for (const t of [...ema.values(), ...trainer.values()]) t.dispose();
  return state;
}
