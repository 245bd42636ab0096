// What an evaluation says about each model it compares: a short label for
// tables and plot legends, and how the model was trained.
import { basename } from 'node:path';

import type { TrainedModel } from '../runs/load.js';

export interface ModelInfo {
  /** Unique among the models of one evaluation: the run directory's name (with @step if needed). */
  label: string;
  /** e.g. "NCML, VP SDE, T = 0.1" or "MLE". */
  description: string;
  objective: 'ncml' | 'mle';
  sde: string;
  T: number;
  noiseConditioning: boolean;
  checkpoint: string;
  step: number;
  weights: 'ema' | 'model';
}

const SDE_NAMES: Record<string, string> = { ve: 'VE', vp: 'VP', subvp: 'sub-VP' };

export function sdeName(kind: string): string {
  return SDE_NAMES[kind] ?? kind;
}

function describe(m: TrainedModel): string {
  if (m.config.objective === 'mle') return 'MLE';
  return `NCML, ${sdeName(m.config.sde.kind)} SDE, T = ${m.config.sde.T}`;
}

/** The infos of the models of one evaluation, labelled uniquely. */
export function modelInfos(models: readonly TrainedModel[]): ModelInfo[] {
  const base = models.map((m) => basename(m.runDir) || m.runDir);
  const withStep = models.map((m, i) => `${base[i]}@${m.state.step}`);
  const count = (xs: string[], x: string) => xs.filter((y) => y === x).length;
  const labels = models.map((_, i) => {
    if (count(base, base[i] as string) === 1) return base[i] as string;
    if (count(withStep, withStep[i] as string) === 1) return withStep[i] as string;
    return `${withStep[i]}#${i + 1}`;
  });
  return models.map((m, i) => ({
    label: labels[i] as string,
    description: describe(m),
    objective: m.config.objective,
    sde: m.config.sde.kind,
    T: m.config.sde.T,
    noiseConditioning: m.config.model.noiseConditioning,
    checkpoint: m.checkpoint,
    step: m.state.step,
    weights: m.weights,
  }));
}
