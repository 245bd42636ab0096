// The steps of a reproduction, in order, each one `ncml` command run as a
// child process: a step that failed or was interrupted is simply run again
// next time (training resumes from its checkpoint), and a step whose outputs
// exist is skipped, so re-running with the same --out continues the work.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { latestCheckpoint, listCheckpoints, readCheckpointState } from '../../runs/checkpoint.js';
import { checkpointEvery, type ModelSpec, ncmlFlags, type ReproducePlan, type SweepVariant } from './plan.js';

export interface Step {
  id: string;
  /** What a person reads while it runs. */
  label: string;
  /** The ncml command line. */
  args: string[];
  /** True when the step's work is already there. */
  done: () => boolean;
}

export const modelDir = (out: string, m: ModelSpec): string => join(out, m.name);
export const evalDir = (out: string, kind: string): string => join(out, 'eval', kind);
export const sampleFile = (out: string, m: ModelSpec, method: 'ar' | 'two-phase'): string =>
  join(out, 'samples', `${m.name}-${method}.png`);

/** Steps trained so far by a model's run (0 before its first checkpoint). */
export function trainedSteps(dir: string): number {
  const latest = existsSync(dir) ? latestCheckpoint(dir) : null;
  return latest === null ? 0 : readCheckpointState(latest).step;
}

const isVariant = (m: ModelSpec): m is SweepVariant => 'flags' in m;

/**
 * The training step of one model: a time budget for the first, the first's
 * step count for the others. A sweep variant adds its flags.
 */
export function trainStep(out: string, plan: ReproducePlan, m: ModelSpec, steps: number | null): Step {
  const dir = modelDir(out, m);
  const settings = m.objective === 'ncml' ? [...ncmlFlags(plan), ...(isVariant(m) ? m.flags : [])] : [];
  const limit =
    steps === null ? ['--time', String(Math.max(1, Math.round(plan.firstModelSeconds)))] : ['--steps', String(steps)];
  const fresh = [
    '--out',
    dir,
    '--dataset',
    plan.dataset,
    '--preset',
    plan.preset,
    '--objective',
    m.objective,
    '--sde',
    m.sde,
    '--seed',
    String(plan.seed),
    ...settings,
  ];
  const args = trainedSteps(dir) > 0 ? ['train', '--resume', dir, ...limit] : ['train', ...fresh, ...limit];
  // Every checkpoint is kept: the sweep's budget curve evaluates them.
  args.push('--eval-every', '0', '--checkpoint-every', String(checkpointEvery(plan)), '--keep-last', '1000');
  args.push('--log-every', '10');
  return {
    id: `train:${m.name}`,
    label: `train ${m.name}` + (steps === null ? ` for ${Math.round(plan.firstModelSeconds)} s` : ` to ${steps} steps`),
    args,
    done: () =>
      steps === null ? existsSync(join(dir, 'checkpoints')) && trainedSteps(dir) > 0 : trainedSteps(dir) >= steps,
  };
}

const resultIn = (dir: string) => () => existsSync(join(dir, 'result.json'));

function lsbStep(id: string, label: string, checkpoints: string[], plan: ReproducePlan, dir: string): Step {
  return {
    id,
    label,
    args: [
      'eval',
      'lsb',
      ...checkpoints.flatMap((c) => ['--checkpoint', c]),
      '--examples',
      String(plan.sizes.examples),
      '--seed',
      String(plan.seed),
      '--out',
      dir,
    ],
    done: resultIn(dir),
  };
}

export const historyDir = (out: string, m: ModelSpec): string => join(modelDir(out, m), 'eval', 'lsb-history');

/**
 * The sweep: each variant trained to `steps` (half the main models'), its LSB
 * test, and the LSB test of every kept checkpoint of the MLE and the first
 * NCML model (the budget curve, and the baselines at the variants' step).
 */
export function sweepTrainSteps(out: string, plan: ReproducePlan, steps: number): Step[] {
  return (plan.sweep ?? []).map((v) => trainStep(out, plan, v, steps));
}

export function sweepEvalSteps(out: string, plan: ReproducePlan): Step[] {
  const result: Step[] = [];
  for (const v of plan.sweep ?? []) {
    const dir = join(modelDir(out, v), 'eval', 'lsb');
    result.push(lsbStep(`lsb:${v.name}`, `LSB test of ${v.name}`, [modelDir(out, v)], plan, dir));
  }
  const baselines = [plan.models[0], plan.models.find((m) => m.objective === 'ncml')];
  for (const m of baselines) {
    if (m === undefined || (plan.sweep ?? []).length === 0) continue;
    const checkpoints = listCheckpoints(modelDir(out, m)).map((c) => c.path);
    if (checkpoints.length === 0) continue;
    result.push(
      lsbStep(
        `lsb-history:${m.name}`,
        `LSB test of every checkpoint of ${m.name}`,
        checkpoints,
        plan,
        historyDir(out, m),
      ),
    );
  }
  return result;
}

/** Every evaluation, sampling and quality step, after training. */
export function evaluationSteps(out: string, plan: ReproducePlan): Step[] {
  const s = plan.sizes;
  const ckpts = plan.models.map((m) => modelDir(out, m));
  const all = ckpts.flatMap((c) => ['--checkpoint', c]);
  const steps: Step[] = [];
  for (const m of plan.models) {
    const dir = join(modelDir(out, m), 'eval', 'lsb');
    steps.push(lsbStep(`lsb:${m.name}`, `LSB test of ${m.name}`, [modelDir(out, m)], plan, dir));
  }
  const noise = evalDir(out, 'noise');
  steps.push({
    id: 'noise',
    label: 'Delta log p versus t, every model',
    args: [
      'eval',
      'noise',
      ...all,
      '--examples',
      String(s.examples),
      '--points',
      String(s.noisePoints),
      '--seed',
      String(plan.seed),
      '--out',
      noise,
    ],
    done: resultIn(noise),
  });
  const ood = evalDir(out, 'ood');
  steps.push({
    id: 'ood',
    label: 'OOD detection, Fashion-MNIST -> MNIST',
    args: [
      'eval',
      'ood',
      ...all,
      '--ood',
      'mnist',
      '--examples',
      String(s.examples),
      '--fit-examples',
      String(s.examples),
      '--select-examples',
      String(s.examples),
      '--bootstrap',
      String(s.bootstrap),
      '--seed',
      String(plan.seed),
      '--out',
      ood,
    ],
    done: resultIn(ood),
  });
  for (const m of plan.models) {
    const methods: ('ar' | 'two-phase')[] = m.objective === 'mle' ? ['ar'] : ['ar', 'two-phase'];
    for (const method of methods) {
      const png = sampleFile(out, m, method);
      const args = [
        'sample',
        '--checkpoint',
        modelDir(out, m),
        '--num',
        String(s.samples),
        '--method',
        method,
        '--seed',
        String(plan.seed),
        '--out',
        png,
      ];
      if (method === 'two-phase') args.push('--steps', String(s.refineSteps));
      steps.push({
        id: `sample:${m.name}:${method}`,
        label: `${method} samples of ${m.name}`,
        args,
        done: () => existsSync(png),
      });
      const q = evalDir(out, `quality-${m.name}-${method}`);
      steps.push({
        id: `quality:${m.name}:${method}`,
        label: `FID/KID of the ${method} samples of ${m.name}`,
        args: [
          'eval',
          'quality',
          '--checkpoint',
          modelDir(out, m),
          '--samples',
          png.replace(/\.png$/, '.safetensors'),
          '--feature-steps',
          String(s.featureSteps),
          // The run's own feature net: a smoke run's few-step net must not land in the user's cache.
          '--feature-cache',
          join(out, 'features'),
          '--kid-subset-size',
          String(Math.min(1000, s.samples)),
          '--seed',
          String(plan.seed),
          '--out',
          q,
        ],
        done: resultIn(q),
      });
    }
  }
  const ncml = plan.models.find((m) => m.objective === 'ncml');
  for (const m of [plan.models[0], ncml]) {
    if (m === undefined) continue;
    const png = join(out, 'samples', `${m.name}-completions.png`);
    steps.push({
      id: `complete:${m.name}`,
      label: `completions of ${m.name}`,
      args: [
        'complete',
        '--checkpoint',
        modelDir(out, m),
        '--num',
        String(s.completions),
        '--keep-rows',
        '14',
        '--per-image',
        '2',
        '--method',
        m.objective === 'mle' ? 'ar' : 'two-phase',
        '--seed',
        String(plan.seed),
        '--out',
        png,
      ],
      done: () => existsSync(png),
    });
  }
  return steps;
}
