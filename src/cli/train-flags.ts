// The training flags, in one table: each flag names the config path it sets.
// Flags carry no defaults of their own (the help shows the config's), so a
// flag given on the command line is exactly a flag the user typed, and it
// overrides the defaults, a --config file and a resumed run's config alike.
import { type Command, InvalidArgumentError, Option } from 'commander';

import { loadDataset } from '../data/registry.js';
import { PRESETS, type PresetName, presetConfig } from '../models/ncpn/config.js';
import { defaultSdeConfig, SDE_KINDS } from '../ncml/sde/config.js';
import type { SdeKind } from '../ncml/sde/sde.js';
import { formatTDistribution, parseTDistribution } from '../ncml/t-distribution.js';
import { defaultTrainConfig, overlayTrainConfig, type TrainConfig } from '../runs/config.js';
import { duration, integer, number, numberOrNone } from './options.js';

type Parse = (value: string) => unknown;

interface PathFlag {
  /** The flag as typed, with its value placeholder. */
  flags: string;
  /** Dotted path in TrainConfig. */
  path: string;
  description: string;
  parse?: Parse;
  choices?: readonly string[];
}

const tDistribution: Parse = (value) => {
  try {
    return parseTDistribution(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

const device: Parse = (value) => {
  if (!/^(cpu|cuda|cuda:\d+)$/.test(value))
    throw new InvalidArgumentError(`expected cpu, cuda or cuda:N, got '${value}'.`);
  return value;
};

/** Flags that set one config field each. */
export const PATH_FLAGS: readonly PathFlag[] = [
  {
    flags: '--dataset <spec>',
    path: 'dataset',
    description: 'fashion-mnist, mnist, cifar10:<dir>, idx:<dir>, folder:<dir>',
  },
  {
    flags: '--channels <n>',
    path: 'model.channels',
    description: "image channels the model takes (default: the dataset's)",
    parse: integer(1, 3),
  },
  {
    flags: '--filters <n>',
    path: 'model.nrFilters',
    description: 'model feature channels (nr_filters)',
    parse: integer(2),
  },
  {
    flags: '--resnets <n>',
    path: 'model.nrResnet',
    description: 'residual blocks per scale (nr_resnet)',
    parse: integer(1),
  },
  {
    flags: '--mixtures <n>',
    path: 'model.nrLogisticMix',
    description: 'logistic mixture components',
    parse: integer(1),
  },
  { flags: '--dropout <p>', path: 'model.dropout', description: 'dropout probability', parse: number(0, 1) },
  {
    flags: '--objective <name>',
    path: 'objective',
    description: 'ncml, or mle (t = 0 always)',
    choices: ['ncml', 'mle'],
  },
  {
    flags: '--mu <spec>',
    path: 'mu',
    description: 'noise-level distribution: atom:<p0>, grid:<K>, uniform, clean',
    parse: tDistribution,
  },
  {
    flags: '--noisy-likelihood <kind>',
    path: 'noisyLikelihood',
    description: 'likelihood for t > 0',
    choices: ['binned', 'continuous'],
  },
  {
    flags: '--device <name>',
    path: 'device',
    description: 'cpu, cuda or cuda:N (where the libtorch has CUDA)',
    parse: device,
  },
  { flags: '--batch-size <n>', path: 'batchSize', description: 'images per step', parse: integer(1) },
  { flags: '--optimizer <name>', path: 'optimizer', description: 'adam or adamax', choices: ['adam', 'adamax'] },
  { flags: '--lr <x>', path: 'lr', description: 'learning rate', parse: number(0, Infinity, { exclusiveMin: true }) },
  {
    flags: '--lr-decay <x>',
    path: 'lrDecay',
    description: 'learning-rate factor per step',
    parse: number(0, 1, { exclusiveMin: true }),
  },
  { flags: '--warmup <steps>', path: 'warmupSteps', description: 'linear learning-rate warmup', parse: integer(0) },
  {
    flags: '--grad-clip <x|none>',
    path: 'gradClip',
    description: 'clip the global gradient norm',
    parse: numberOrNone(0),
  },
  { flags: '--ema <decay>', path: 'emaDecay', description: 'EMA decay of the evaluation weights', parse: number(0, 1) },
  { flags: '--seed <n>', path: 'seed', description: 'random seed', parse: integer(0, 2 ** 32 - 1) },
  {
    flags: '--validation <n>',
    path: 'validation',
    description: 'training images held out for periodic evaluation',
    parse: integer(0),
  },
  { flags: '--log-every <n>', path: 'logEvery', description: 'steps between metric lines', parse: integer(1) },
  {
    flags: '--eval-every <n>',
    path: 'evalEvery',
    description: 'steps between evaluations (0: never)',
    parse: integer(0),
  },
  {
    flags: '--eval-examples <n>',
    path: 'evalExamples',
    description: 'held-out images per evaluation',
    parse: integer(1),
  },
  {
    flags: '--checkpoint-every <n>',
    path: 'checkpointEvery',
    description: 'steps between checkpoints (0: only at the end)',
    parse: integer(0),
  },
  { flags: '--keep-last <n>', path: 'keepLast', description: 'checkpoints to keep', parse: integer(1) },
];

/**
 * Flags that say how to run rather than what to train (data-parallel
 * launching); they are not part of the config and have no defaults of their
 * own here: launchFlags() applies the documented ones.
 */
export const LAUNCH_FLAGS: readonly { flags: string; description: string; parse?: Parse }[] = [
  {
    flags: '--nproc <n>',
    description:
      'train data-parallel in n local worker processes, the threads split among them (like torchrun --standalone)',
    parse: integer(1, 1024),
  },
  {
    flags: '--rendezvous <url>',
    description: 'join a data-parallel run as one rank: tcp://host:port (rank 0 serves it) or file:///shared/path',
  },
  { flags: '--rank <r>', description: "this process's rank with --rendezvous (0 writes the run)", parse: integer(0) },
  { flags: '--world-size <n>', description: 'the number of ranks with --rendezvous', parse: integer(1) },
  {
    flags: '--dist-timeout <duration>',
    description: 'how long a rank waits for its peers before failing (default 5m)',
    parse: duration,
  },
];

export interface LaunchFlags {
  nproc?: number;
  rendezvous?: string;
  rank?: number;
  worldSize?: number;
  /** Seconds (default DEFAULT_TIMEOUT_SECONDS of src/distributed). */
  distTimeout?: number;
}

/** The launcher flags the user typed, checked for combinations that make no sense. */
export function launchFlags(typed: Record<string, unknown>): LaunchFlags {
  const f: LaunchFlags = {};
  for (const { flags } of LAUNCH_FLAGS) {
    const v = typed[attributeOf(flags)];
    if (v !== undefined) (f as Record<string, unknown>)[attributeOf(flags)] = v;
  }
  if (f.nproc !== undefined && (f.rendezvous !== undefined || f.rank !== undefined || f.worldSize !== undefined)) {
    throw new InvalidArgumentError(
      '--nproc launches its own local rendezvous; for one rank of a multi-machine run use --rendezvous, --rank and --world-size instead',
    );
  }
  if (f.rendezvous === undefined && (f.rank !== undefined || f.worldSize !== undefined)) {
    throw new InvalidArgumentError('--rank and --world-size need --rendezvous tcp://host:port (or file:///path)');
  }
  if (f.rendezvous !== undefined && (f.rank === undefined || f.worldSize === undefined)) {
    throw new InvalidArgumentError('--rendezvous needs --rank and --world-size');
  }
  if (f.rank !== undefined && f.worldSize !== undefined && f.rank >= f.worldSize) {
    throw new InvalidArgumentError(`--rank ${f.rank} is not below --world-size ${f.worldSize}`);
  }
  return f;
}

/** Boolean flags with a negation, each setting one field. */
const SWITCHES: readonly { name: string; path: string; on: string; off: string }[] = [
  {
    name: 'attention',
    path: 'model.attention',
    on: 'causal axial attention after every residual block',
    off: 'no attention',
  },
  {
    name: 'bf16',
    path: 'bf16',
    on: 'bfloat16 autocast for convolutions and matrix products',
    off: 'float32 throughout',
  },
  {
    name: 'channels-last',
    path: 'channelsLast',
    on: 'channels_last convolutions',
    off: 'NCHW instead of channels_last convolutions',
  },
];

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const attributeOf = (flags: string) => camel((flags.split(' ')[0] as string).replace(/^--/, ''));

function get(config: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], config);
}

function describeDefault(value: unknown): string {
  if (value === null) return 'none';
  if (typeof value === 'object') return formatTDistribution(value as never);
  return String(value);
}

/** Adds every training flag to a command; the help shows the config defaults. */
export function addTrainOptions(cmd: Command): Command {
  const d = defaultTrainConfig();
  cmd.option('--config <file>', 'a JSON training config: an overlay on the defaults (flags override it)');
  cmd.addOption(new Option('--preset <name>', `model size (default: tiny)`).choices(Object.keys(PRESETS)));
  cmd.addOption(new Option('--sde <kind>', `noise process (default: ${d.sde.kind})`).choices(SDE_KINDS));
  cmd.option(
    '--T <t>',
    'NCML horizon: t is drawn from [0, T] (default: VE 0.5, VP 0.1, sub-VP 0.025)',
    number(0, Infinity, { exclusiveMin: true }),
  );
  cmd.option('--classes', 'class-conditional model (labels from the dataset)');
  cmd.option('--steps <n>', 'stop after this many steps', integer(1));
  cmd.option(
    '--time <duration>',
    'stop after this much training time, e.g. 600, 10m, 2h (default 10m without --steps)',
    duration,
  );
  for (const f of PATH_FLAGS) {
    const fieldDefault = f.path === 'model.channels' ? '' : ` (default: ${describeDefault(get(d, f.path))})`;
    const description = f.description.includes('default:') ? f.description : f.description + fieldDefault;
    const option = new Option(f.flags, description);
    if (f.choices) option.choices(f.choices);
    if (f.parse) option.argParser(f.parse as (value: string, previous: unknown) => unknown);
    cmd.addOption(option);
  }
  for (const s of SWITCHES) {
    const on = Boolean(get(d, s.path));
    cmd.option(`--${s.name}`, s.on + (on ? ' (default)' : ''));
    cmd.option(`--no-${s.name}`, s.off + (on ? '' : ' (default)'));
  }
  cmd.option('--out <dir>', 'run directory (default runs/<date>-<objective>-<sde>)');
  for (const f of LAUNCH_FLAGS) {
    const option = new Option(f.flags, f.description);
    if (f.parse) option.argParser(f.parse as (value: string, previous: unknown) => unknown);
    cmd.addOption(option);
  }
  return cmd;
}

/** The values of the flags the user typed, by attribute name. */
export function typedFlags(cmd: Command): Record<string, unknown> {
  const opts = cmd.opts();
  return Object.fromEntries(Object.entries(opts).filter(([k]) => cmd.getOptionValueSource(k) === 'cli'));
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) {
    node[k] = { ...(node[k] as Record<string, unknown>) };
    node = node[k] as Record<string, unknown>;
  }
  node[keys.at(-1) as string] = value;
}

/**
 * Applies typed flags to a config. Compound flags first (--preset sets the
 * model's architecture, --sde the whole SDE when it changes the kind, --classes the label count), then
 * the one-field flags, so `--preset small --filters 48` means small with 48 filters.
 */
export function applyTrainFlags(base: TrainConfig, typed: Record<string, unknown>): TrainConfig {
  const next = structuredClone(base) as unknown as Record<string, unknown>;
  const model = next.model as TrainConfig['model'];
  if (typed.preset !== undefined) {
    const preset = presetConfig(typed.preset as PresetName, model.channels);
    next.model = { ...preset, numClasses: model.numClasses };
  }
  // --sde of another kind replaces the SDE; of the same kind it keeps the file's (or run's) parameters.
  if (typed.sde !== undefined && typed.sde !== base.sde.kind) next.sde = defaultSdeConfig(typed.sde as SdeKind);
  if (typed.T !== undefined) setPath(next, 'sde.T', typed.T);
  if (typed.steps !== undefined) {
    next.steps = typed.steps;
    if (typed.time === undefined) next.timeBudgetSeconds = null;
  }
  if (typed.time !== undefined) next.timeBudgetSeconds = typed.time;
  for (const f of PATH_FLAGS) {
    const v = typed[attributeOf(f.flags)];
    if (v !== undefined) setPath(next, f.path, v);
  }
  for (const s of SWITCHES) {
    const v = typed[camel(s.name)];
    if (v !== undefined) setPath(next, s.path, v);
  }
  if (typed.classes === true) {
    const ds = loadDataset(next.dataset as string, 'train');
    setPath(next, 'model.numClasses', ds.numClasses);
  }
  return overlayTrainConfig(base, next);
}

/**
 * The config of a fresh run: defaults, then the --config file, then the typed
 * flags. What neither sets follows the dataset: the model's channels, and for
 * datasets under 20,000 images a validation hold-out of 10% instead of 2,000.
 */
export function freshTrainConfig(
  typed: Record<string, unknown>,
  file: Record<string, unknown> | null,
): { config: TrainConfig; notes: string[] } {
  const notes: string[] = [];
  let config = defaultTrainConfig();
  if (file !== null) config = overlayTrainConfig(config, file);
  const spec = (typed.dataset as string | undefined) ?? config.dataset;
  const fileModel = file?.model as Record<string, unknown> | undefined;
  if (typed.channels === undefined && fileModel?.channels === undefined) {
    const channels = datasetFacts(spec).channels;
    if (channels !== config.model.channels) config = overlayTrainConfig(config, { model: { channels } });
  }
  if (typed.validation === undefined && file?.validation === undefined) {
    const { count, source } = datasetFacts(spec);
    if (count < 20000) {
      const validation = Math.floor(count / 10);
      config = overlayTrainConfig(config, { validation });
      notes.push(
        `holding out ${validation} of the ${count} images of ${source} for validation (10%; --validation changes it)`,
      );
    }
  }
  return { config: applyTrainFlags(config, typed), notes };
}

const facts = new Map<string, { channels: 1 | 3; count: number; source: string }>();

/** Channels (1 or 3), image count and source of a dataset's training split. */
export function datasetFacts(spec: string): { channels: 1 | 3; count: number; source: string } {
  if (spec === 'fashion-mnist') return { channels: 1, count: 60000, source: 'fashion-mnist' };
  let f = facts.get(spec);
  if (f === undefined) {
    const ds = loadDataset(spec, 'train');
    if (ds.channels !== 1 && ds.channels !== 3) {
      throw new InvalidArgumentError(
        `${ds.source} has ${ds.channels}-channel images; NCPN models take 1 (gray) or 3 (RGB) channels`,
      );
    }
    f = { channels: ds.channels, count: ds.count, source: ds.source };
    facts.set(spec, f);
  }
  return f;
}
