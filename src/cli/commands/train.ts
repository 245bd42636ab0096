// `ncml train`: every training setting as a flag; a JSON config file for the
// rest; --resume continues a run exactly.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type Command, InvalidArgumentError, Option } from 'commander';

import { loadDataset } from '../../data/registry.js';
import { PRESETS, type PresetName } from '../../models/ncpn/config.js';
import { latestCheckpoint, readCheckpointState } from '../../train/checkpoint.js';
import { parseTrainConfig, type TrainConfig } from '../../train/config.js';
import { defaultTrainConfig } from '../../train/defaults.js';
import { DEFAULT_T_DISTRIBUTION, parseTDistribution, type TDistribution } from '../../train/t-distribution.js';
import { duration, integer, number, numberOrNone } from '../options.js';
import { runTraining } from '../run-training.js';

interface TrainFlags {
  config?: string;
  dataset?: string;
  preset?: PresetName;
  channels?: 1 | 3;
  filters?: number;
  resnets?: number;
  mixtures?: number;
  dropout?: number;
  attention?: boolean;
  classes?: boolean;
  sde?: 've' | 'vp' | 'subvp';
  T?: number;
  objective?: 'ncml' | 'mle';
  mu?: TDistribution;
  noisyLikelihood?: 'binned' | 'continuous';
  batchSize?: number;
  steps?: number;
  time?: number;
  optimizer?: 'adam' | 'adamax';
  lr?: number;
  lrDecay?: number;
  warmup?: number;
  gradClip?: number | null;
  ema?: number;
  bf16?: boolean;
  channelsLast?: boolean;
  seed?: number;
  validation?: number;
  logEvery?: number;
  evalEvery?: number;
  evalExamples?: number;
  checkpointEvery?: number;
  keepLast?: number;
  out?: string;
  resume?: string | boolean;
}

export function addTrainOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'a JSON training config (flags given as well override it)')
    .option('--dataset <spec>', 'fashion-mnist, mnist, cifar10:<dir>, idx:<dir>, folder:<dir>', 'fashion-mnist')
    .addOption(new Option('--preset <name>', 'model size').choices(Object.keys(PRESETS)).default('tiny'))
    .option('--channels <n>', "image channels the model expects (default: the dataset's)", integer(1, 3))
    .option('--filters <n>', 'model feature channels (nr_filters)', integer(2))
    .option('--resnets <n>', 'residual blocks per scale (nr_resnet)', integer(1))
    .option('--mixtures <n>', 'logistic mixture components', integer(1))
    .option('--dropout <p>', 'dropout probability', number(0, 1))
    .option('--attention', 'causal axial attention after every residual block')
    .option('--no-attention', 'no attention')
    .option('--classes', 'class-conditional model (labels from the dataset)')
    .addOption(new Option('--sde <kind>', 'noise process').choices(['ve', 'vp', 'subvp']).default('vp'))
    .option(
      '--T <t>',
      'NCML horizon: t is drawn from [0, T] (default: VE 0.5, VP 0.1, sub-VP 0.025)',
      number(0, Infinity, { exclusiveMin: true }),
    )
    .addOption(new Option('--objective <name>', 'ncml, or mle (t = 0 always)').choices(['ncml', 'mle']).default('ncml'))
    .option(
      '--mu <spec>',
      'noise-level distribution: atom:<p0>, grid:<K>, uniform',
      tDistribution,
      DEFAULT_T_DISTRIBUTION,
    )
    .addOption(
      new Option('--noisy-likelihood <kind>', 'likelihood for t > 0')
        .choices(['binned', 'continuous'])
        .default('binned'),
    )
    .option('--batch-size <n>', 'images per step', integer(1), 32)
    .option('--steps <n>', 'stop after this many steps', integer(1))
    .option(
      '--time <duration>',
      'stop after this much training time, e.g. 600, 10m, 2h (default 10m without --steps)',
      duration,
    )
    .addOption(new Option('--optimizer <name>').choices(['adam', 'adamax']).default('adam'))
    .option('--lr <x>', 'learning rate', number(0, Infinity, { exclusiveMin: true }), 1e-3)
    .option('--lr-decay <x>', 'learning-rate factor per step', number(0, 1, { exclusiveMin: true }), 0.999995)
    .option('--warmup <steps>', 'linear learning-rate warmup', integer(0), 0)
    .option('--grad-clip <x|none>', 'clip the global gradient norm', numberOrNone(0), 100)
    .option('--ema <decay>', 'EMA decay of the evaluation weights', number(0, 1), 0.9995)
    .option('--bf16', 'bfloat16 autocast for convolutions and matrix products', false)
    .option('--no-channels-last', 'NCHW instead of channels_last convolutions')
    .option('--seed <n>', 'random seed', integer(0, 2 ** 32 - 1), 0)
    .option('--validation <n>', 'training images held out for periodic evaluation', integer(0), 2000)
    .option('--log-every <n>', 'steps between metric lines', integer(1), 10)
    .option('--eval-every <n>', 'steps between evaluations (0: never)', integer(0), 500)
    .option('--eval-examples <n>', 'held-out images per evaluation', integer(1), 1000)
    .option('--checkpoint-every <n>', 'steps between checkpoints (0: only at the end)', integer(0), 500)
    .option('--keep-last <n>', 'checkpoints to keep', integer(1), 3)
    .option('--out <dir>', 'run directory (default runs/<date>-<objective>-<sde>)');
}

/** Flags the user actually typed (not defaults): these override a config file or a resumed run. */
function given(cmd: Command, flags: TrainFlags): Partial<TrainFlags> {
  return Object.fromEntries(
    Object.entries(flags).filter(([key]) => cmd.getOptionValueSource(key) === 'cli'),
  ) as Partial<TrainFlags>;
}

/** Applies flags to a config; `only` limits it to the flags the user typed. */
export function configFromFlags(base: TrainConfig, f: Partial<TrainFlags>): TrainConfig {
  const model = { ...base.model };
  if (f.channels !== undefined) model.channels = f.channels as 1 | 3;
  if (f.filters !== undefined) model.nrFilters = f.filters;
  if (f.resnets !== undefined) model.nrResnet = f.resnets;
  if (f.mixtures !== undefined) model.nrLogisticMix = f.mixtures;
  if (f.dropout !== undefined) model.dropout = f.dropout;
  if (f.attention !== undefined) model.attention = f.attention;
  const c: TrainConfig = { ...base, model };
  if (f.dataset !== undefined) c.dataset = f.dataset;
  if (f.objective !== undefined) c.objective = f.objective;
  if (f.mu !== undefined) c.mu = f.mu;
  if (f.noisyLikelihood !== undefined) c.noisyLikelihood = f.noisyLikelihood;
  if (f.batchSize !== undefined) c.batchSize = f.batchSize;
  if (f.steps !== undefined) c.steps = f.steps;
  if (f.time !== undefined) c.timeBudgetSeconds = f.time;
  if (f.steps !== undefined && f.time === undefined) c.timeBudgetSeconds = null;
  if (f.optimizer !== undefined) c.optimizer = f.optimizer;
  if (f.lr !== undefined) c.lr = f.lr;
  if (f.lrDecay !== undefined) c.lrDecay = f.lrDecay;
  if (f.warmup !== undefined) c.warmupSteps = f.warmup;
  if (f.gradClip !== undefined) c.gradClip = f.gradClip;
  if (f.ema !== undefined) c.emaDecay = f.ema;
  if (f.bf16 !== undefined) c.bf16 = f.bf16;
  if (f.channelsLast !== undefined) c.channelsLast = f.channelsLast;
  if (f.seed !== undefined) c.seed = f.seed;
  if (f.validation !== undefined) c.validation = f.validation;
  if (f.logEvery !== undefined) c.logEvery = f.logEvery;
  if (f.evalEvery !== undefined) c.evalEvery = f.evalEvery;
  if (f.evalExamples !== undefined) c.evalExamples = f.evalExamples;
  if (f.checkpointEvery !== undefined) c.checkpointEvery = f.checkpointEvery;
  if (f.keepLast !== undefined) c.keepLast = f.keepLast;
  return parseTrainConfig(c);
}

function tDistribution(value: string): TDistribution {
  try {
    return parseTDistribution(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function readConfigFile(path: string): TrainConfig {
  if (!existsSync(path)) throw new InvalidArgumentError(`--config: no such file '${path}'`);
  try {
    return parseTrainConfig(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    throw new Error(`--config ${path}: ${(e as Error).message}`);
  }
}

/** runs/<date>-<time>-<label>, the label defaulting to the objective and SDE. */
export function defaultRunDir(config: TrainConfig, label = `${config.objective}-${config.sde.kind}`): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return join('runs', `${stamp}-${label}`);
}

/** The checkpoint to resume from: a checkpoint directory, or the latest in a run directory. */
function resolveResume(resume: string | boolean, out: string | undefined): string {
  const target = typeof resume === 'string' ? resume : out;
  if (target === undefined)
    throw new InvalidArgumentError('--resume needs a run directory: pass --resume <dir> or --out <dir>');
  if (existsSync(join(target, 'state.json'))) return target;
  const latest = latestCheckpoint(target);
  if (latest === null) throw new Error(`--resume: no complete checkpoint in ${target}`);
  return latest;
}

/** Builds the config the flags describe (fresh run), or the resumed run's with the typed overrides. */
export function buildTrainConfig(
  cmd: Command,
  flags: TrainFlags,
): { config: TrainConfig; runDir: string; resumeFrom?: string } {
  const typed = given(cmd, flags);
  if (flags.resume !== undefined) {
    const resumeFrom = resolveResume(flags.resume, flags.out);
    const saved = readCheckpointState(resumeFrom).config;
    const runDir = flags.out ?? join(resumeFrom, '..', '..');
    return { config: configFromFlags(saved, typed), runDir, resumeFrom };
  }
  let base: TrainConfig;
  if (flags.config !== undefined) {
    base = readConfigFile(flags.config);
  } else {
    const channels = (flags.channels ?? (flags.dataset?.startsWith('cifar10') ? 3 : 1)) as 1 | 3;
    base = defaultTrainConfig(
      { dataset: flags.dataset, channels, preset: flags.preset, sde: flags.sde, T: flags.T },
      { steps: flags.steps ?? null, timeBudgetSeconds: flags.steps === undefined ? 600 : null },
    );
    if (flags.classes) base.model.numClasses = loadDataset(base.dataset, 'train').numClasses;
  }
  const config = configFromFlags(base, flags.config !== undefined ? typed : flags);
  return { config, runDir: flags.out ?? defaultRunDir(config) };
}

export function registerTrain(program: Command): void {
  const cmd = program.command('train').description('train an NCPN with the NCML (or MLE) objective');
  addTrainOptions(cmd)
    .option('--resume [dir]', 'continue a run from its latest checkpoint (or the given checkpoint)')
    .action(async (flags: TrainFlags) => {
      const { config, runDir, resumeFrom } = buildTrainConfig(cmd, flags);
      process.stderr.write(
        `training ${config.objective.toUpperCase()} (${config.sde.kind} SDE, T=${config.sde.T}) on ${config.dataset} into ${runDir}` +
          (resumeFrom ? `, resuming from ${resumeFrom}` : '') +
          '\n',
      );
      const { summary } = await runTraining(config, runDir, resumeFrom);
      process.stdout.write(
        [
          `done: ${summary.steps} steps (${summary.skippedSteps} skipped) in ${summary.elapsedSeconds.toFixed(0)} s, stopped by ${summary.stoppedBy}`,
          `last training loss: ${summary.lastLoss.toFixed(4)} bits/dim`,
          summary.lastEval
            ? `last evaluation: ${summary.lastEval.bitsPerDim.toFixed(4)} bits/dim (step ${summary.lastEval.step})`
            : '',
          `checkpoint: ${summary.checkpoint}`,
          `metrics: ${join(runDir, 'metrics.jsonl')}`,
        ]
          .filter(Boolean)
          .join('\n') + '\n',
      );
    });
}
