// The training loop: NCML or MLE objective, Adam/Adamax with PixelCNN++'s
// learning-rate decay, gradient clipping, EMA weights, periodic evaluation,
// crash-safe checkpoints and exact resume. A step whose loss or gradient is
// not finite never reaches the weights: it is skipped and counted.
// With `distributed`, N processes train one model data-parallel (see
// data-parallel.ts): batchSize is the global batch, each rank takes its share
// of the same seeded order, and rank 0 alone writes checkpoints and metrics;
// the results do not depend on N (up to float32 summation order).
import { existsSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import { DataLoader } from '../data/loader.js';
import type { Dataset } from '../data/dataset.js';
import { subsetDataset } from '../data/dataset.js';
import type { LoaderPosition } from '../data/loader.js';
import { broadcastObject } from '../distributed/index.js';
import { evaluateBitsPerDim, meanAndStandardError } from '../eval/bits-per-dim.js';
import { NCPN } from '../models/ncpn/ncpn.js';
import { createSde } from '../ncml/sde/index.js';
import {
  CheckpointError,
  type CheckpointState,
  CHECKPOINT_FORMAT,
  listCheckpoints,
  readCheckpointState,
  removeIncompleteCheckpoints,
  restoreCheckpoint,
  saveCheckpoint,
} from '../runs/checkpoint.js';
import { configDifferences, RESUMABLE_OVERRIDES, resumeConflicts, type TrainConfig } from '../runs/config.js';
import { appendMetric, type MetricsEntry, metricsPath, truncateMetrics } from '../runs/metrics.js';
import { DataMismatchError, loadRunData } from '../runs/data.js';
import { configPath, createRunDir } from '../runs/run-dir.js';
import type { Sde } from '../ncml/sde/sde.js';
import { Adam } from '../optim/adam.js';
import { Adamax } from '../optim/adamax.js';
import { clipGradNorm_ } from '../optim/clip-grad.js';
import { EMA } from '../optim/ema.js';
import { exponentialDecay, linearWarmup, type LrSchedule } from '../optim/lr-schedule.js';
import type { Optimizer } from '../optim/optimizer.js';
import { autocast, getRngState, manualSeed, scope, setRngState, type Tensor, zerosLike } from '../tensor/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { DataParallel, type DistributedTrainingOptions } from './data-parallel.js';
import { TBucketStats } from './t-buckets.js';
import { type BatchShard, ncmlObjective, type ObjectiveOptions } from './objective.js';

export interface StepLog {
  step: number;
  /** Mean training bits/dim over the last logEvery steps. */
  loss: number;
  /** Mean bits/dim per noise-level bucket over the same steps. */
  buckets: Record<string, number>;
  lr: number;
  gradNorm: number;
  stepsPerSecond: number;
  imagesPerSecond: number;
  skippedSteps: number;
  elapsedSeconds: number;
  /** Data-parallel runs: the number of processes, and the mean seconds per step spent averaging gradients. */
  worldSize?: number;
  allReduceSeconds?: number;
}

export interface EvalLog {
  step: number;
  /** Held-out bits/dim at t = 0 with the EMA weights. */
  bitsPerDim: number;
  examples: number;
}

export interface TrainerEvents {
  onLog?(log: StepLog): void;
  onEval?(log: EvalLog): void;
  onCheckpoint?(path: string, step: number): void;
  onSkip?(step: number, reason: string): void;
  /** Called after every step (progress bars). */
  onStep?(step: number): void;
}

export interface TrainerOptions {
  /** Resume from this checkpoint directory. */
  resumeFrom?: string;
  /** Use this model instead of building one from config.model (must have that config). */
  model?: NCPN;
  /** Use these datasets instead of loading config.dataset. */
  data?: { train: Dataset; validation: Dataset | null };
  events?: TrainerEvents;
  /** Passed to the checkpoint writer (tests kill the process mid-save with it). */
  onCheckpointFileWritten?: (file: string) => void;
  /**
   * Train data-parallel in this process group: every rank constructs its
   * Trainer with the same config; rank 0's state (fresh or resumed: only rank
   * 0 reads `resumeFrom` and writes to the run directory) is broadcast to all.
   */
  distributed?: DistributedTrainingOptions;
}

export interface TrainSummary {
  steps: number;
  skippedSteps: number;
  elapsedSeconds: number;
  lastLoss: number;
  lastEval: EvalLog | null;
  checkpoint: string | null;
  stoppedBy: 'steps' | 'time' | 'request';
}

export class TrainingDivergedError extends Error {}

/** What rank 0 tells the other ranks when a data-parallel trainer starts. */
type StartState =
  | {
      ok: true;
      step: number;
      skippedSteps: number;
      elapsedSeconds: number;
      position: LoaderPosition | undefined;
      optimizerStep: number;
      lr: number;
      emaUpdates: number;
      /** Keys of the optimizer state rank 0 holds (`${paramIndex}.${name}`). */
      optimizerKeys: string[];
      config: TrainConfig;
    }
  | { ok: false; error: string };

// Step flags every rank contributes; their OR is what all ranks act on.
const STOP_REQUESTED = 1;
const TIME_UP = 2;

function schedule(c: TrainConfig): LrSchedule {
  return linearWarmup(exponentialDecay(c.lr, c.lrDecay), c.warmupSteps);
}

export class Trainer {
  readonly config: TrainConfig;
  readonly runDir: string;
  readonly model: NCPN;
  readonly ema: EMA;
  readonly optimizer: Optimizer;
  readonly sde: Sde;
  readonly loader: DataLoader;
  readonly validation: Dataset | null;
  step = 0;
  skippedSteps = 0;
  elapsedSeconds = 0;
  lastEval: EvalLog | null = null;
  /** Whether this process writes the run directory (rank 0, or the only process). */
  readonly isWriter: boolean;
  /** Set when training data-parallel. */
  readonly dataParallel: DataParallel | null;
  #consecutiveSkips = 0;
  #agreedStop: 'time' | 'request' | null = null;
  #timeUp: () => boolean = () => false;
  #evalShard: { begin: number; end: number; data: Dataset } | null = null;
  #stopRequested = false;
  #events: TrainerEvents;
  #lr: LrSchedule;
  #objective: ObjectiveOptions;
  #buckets: TBucketStats;
  #onFileWritten: ((file: string) => void) | undefined;

  constructor(config: TrainConfig, runDir: string, opts: TrainerOptions = {}) {
    this.config = config;
    this.runDir = runDir;
    this.#events = opts.events ?? {};
    this.#onFileWritten = opts.onCheckpointFileWritten;
    manualSeed(config.seed);
    const data = opts.data ?? loadRunData(config);
    if (data.train.channels !== config.model.channels) {
      const d = data.train;
      throw new DataMismatchError(
        `the model takes ${config.model.channels}-channel images (model.channels ${config.model.channels}); ` +
          `${d.source} has ${d.channels}x${d.height}x${d.width} images: set model.channels (--channels) to ${d.channels}, ` +
          'or leave it unset so the model follows the dataset',
      );
    }
    this.validation = data.validation;
    this.model = opts.model ?? new NCPN(config.model);
    // Before the EMA and the optimizer take references to the parameters.
    if (config.device !== 'cpu') this.model.to(config.device);
    this.model.channelsLast = config.channelsLast;
    this.model.train();
    this.ema = new EMA(this.model, { decay: config.emaDecay, warmup: config.emaWarmup });
    const optOpts = { lr: config.lr, betas: config.betas };
    this.optimizer =
      config.optimizer === 'adam'
        ? new Adam(this.model.parameters(), optOpts)
        : new Adamax(this.model.parameters(), optOpts);
    this.sde = createSde(config.sde);
    const mu = config.objective === 'mle' ? ({ kind: 'clean' } as const) : config.mu;
    this.#objective = { sde: this.sde, mu, noisyLikelihood: config.noisyLikelihood };
    this.#lr = schedule(config);
    this.#buckets = new TBucketStats(this.sde.T);
    const dist = opts.distributed;
    this.isWriter = dist === undefined || dist.group.rank === 0;
    if (dist !== undefined && config.batchSize % dist.group.worldSize !== 0) {
      throw new RangeError(
        `the global batch size ${config.batchSize} does not split evenly over ${dist.group.worldSize} processes; ` +
          'choose a --batch-size divisible by the number of processes',
      );
    }
    this.dataParallel = dist !== undefined ? new DataParallel(this.model.parameters(), dist) : null;
    const position =
      this.dataParallel === null
        ? this.#prepareRunDir(opts.resumeFrom)
        : this.#startDataParallel(this.dataParallel, opts.resumeFrom);
    this.loader = new DataLoader(data.train, {
      batchSize: config.batchSize,
      seed: config.seed,
      dropLast: true,
      position,
      device: config.device,
      ...(this.dataParallel !== null
        ? { shard: { rank: this.dataParallel.rank, worldSize: this.dataParallel.worldSize } }
        : {}),
    });
    if (this.isWriter) writeFileAtomic(configPath(runDir), JSON.stringify(config, null, 2) + '\n');
  }

  /** Creates or reopens the run directory and restores a checkpoint into this process; returns the data position. */
  #prepareRunDir(resumeFrom: string | undefined): LoaderPosition | undefined {
    const runDir = this.runDir;
    createRunDir(runDir);
    removeIncompleteCheckpoints(runDir);
    if (!resumeFrom && (listCheckpoints(runDir).length > 0 || existsSync(this.metricsPath))) {
      // A fresh run here would mix its metrics and checkpoints with the earlier run's.
      throw new CheckpointError(
        `${runDir} already holds a training run: resume it (--resume ${runDir}) or choose another run directory (--out)`,
      );
    }
    if (!resumeFrom) return undefined;
    const conflicts = resumeConflicts(readCheckpointState(resumeFrom).config, this.config);
    if (conflicts.length > 0) {
      throw new CheckpointError(
        `cannot resume from ${resumeFrom} with different settings: ${conflicts.join('; ')}. ` +
          `Only ${RESUMABLE_OVERRIDES.join(', ')} may change when resuming.`,
      );
    }
    const state = restoreCheckpoint(resumeFrom, { model: this.model, ema: this.ema, optimizer: this.optimizer });
    this.step = state.step;
    this.skippedSteps = state.skippedSteps;
    this.elapsedSeconds = state.elapsedSeconds;
    truncateMetrics(runDir, state.step);
    return state.loaderPosition;
  }

  /**
   * Rank 0 prepares the run directory (and resumes); then its whole training
   * state (counters, weights, EMA, optimizer moments, RNG) is broadcast, so
   * every rank starts identical, whatever number of ranks wrote the checkpoint.
   */
  #startDataParallel(dp: DataParallel, resumeFrom: string | undefined): LoaderPosition | undefined {
    let start: StartState | undefined;
    let failure: unknown = null;
    if (dp.rank === 0) {
      try {
        const position = this.#prepareRunDir(resumeFrom);
        start = {
          ok: true,
          step: this.step,
          skippedSteps: this.skippedSteps,
          elapsedSeconds: this.elapsedSeconds,
          position,
          optimizerStep: this.optimizer.stepCount,
          lr: this.optimizer.lr,
          emaUpdates: this.ema.updates,
          optimizerKeys: [...this.optimizer.stateDict().tensors.keys()],
          config: this.config,
        };
      } catch (e) {
        failure = e;
        start = { ok: false, error: (e as Error).message };
      }
    }
    const agreed = broadcastObject<StartState>(start, { group: dp.group });
    if (failure !== null) throw failure;
    if (!agreed.ok) throw new CheckpointError(`rank 0 could not start the run: ${agreed.error}`);
    // The training loop's collectives skip the per-call check: the same config makes them match.
    // (Only the device may differ: one GPU per local rank.)
    const differences = configDifferences({ ...agreed.config, device: null }, { ...this.config, device: null }).map(
      (d) => d.replace(' in the checkpoint, ', ' on rank 0, ').replace(/ now$/, ` on rank ${dp.rank}`),
    );
    const disagreeing = dp.ranksWhere(differences.length > 0);
    if (disagreeing.length > 0) {
      throw new RangeError(
        `every rank must train with the same config; rank${disagreeing.length > 1 ? 's' : ''} ${disagreeing.join(', ')} ` +
          `differ${disagreeing.length > 1 ? '' : 's'} from rank 0` +
          (differences.length > 0 ? `: ${differences.join('; ')}` : ''),
      );
    }
    if (dp.rank !== 0) {
      this.step = agreed.step;
      this.skippedSteps = agreed.skippedSteps;
      this.elapsedSeconds = agreed.elapsedSeconds;
      this.ema.updates = agreed.emaUpdates;
      // Creates the optimizer state rank 0 has; the broadcast below fills it.
      const params = this.optimizer.params;
      scope(() =>
        this.optimizer.loadStateDict({
          step: agreed.optimizerStep,
          lr: agreed.lr,
          tensors: new Map(agreed.optimizerKeys.map((k) => [k, zerosLike(params[Number(k.split('.')[0])]!)])),
        }),
      );
    }
    scope(() => {
      const optimizerState = this.optimizer.stateDict().tensors;
      const rngs = [getRngState()];
      if (this.config.device !== 'cpu') rngs.push(getRngState(this.config.device));
      const tensors: Tensor[] = [
        ...this.model.stateDict().values(),
        ...this.ema.shadow.values(),
        ...agreed.optimizerKeys.map((k) => optimizerState.get(k) as Tensor),
        ...rngs,
      ];
      dp.broadcastFromRank0(tensors);
      if (dp.rank !== 0) {
        setRngState(rngs[0]!);
        if (rngs[1] !== undefined) setRngState(rngs[1], this.config.device);
      }
    });
    return agreed.position ?? undefined;
  }

  /** Ask the loop to save a checkpoint and stop after the current step (signal handlers call this). */
  requestStop(): void {
    this.#stopRequested = true;
  }

  get metricsPath(): string {
    return metricsPath(this.runDir);
  }

  private record(entry: MetricsEntry): void {
    if (this.isWriter) appendMetric(this.runDir, entry);
  }

  /** One training step; returns the batch loss (NaN for a skipped step). */
  trainStep(): { loss: number; gradNorm: number } {
    const c = this.config;
    const dp = this.dataParallel;
    const objective = dp !== null ? { ...this.#objective, shard: this.#shard(dp) } : this.#objective;
    const result = scope(() => {
      const batch = this.loader.nextBatch();
      const y = c.model.numClasses !== null ? batch.y : null;
      const out = autocast(() => ncmlObjective(this.model, batch.x, y, objective), { enabled: c.bf16 });
      this.optimizer.zeroGrad();
      out.loss.backward();
      dp?.averageGradients();
      const gradNorm = clipGradNorm_(this.optimizer.params, c.gradClip ?? Infinity);
      let loss = out.loss.item();
      let global: { bpd: Float32Array; t: Float32Array } | null = null;
      if (dp !== null) {
        // Every rank must take the same decisions: skip, step, stop.
        const flags = (this.#stopRequested ? STOP_REQUESTED : 0) | (this.#timeUp() ? TIME_UP : 0);
        const all = dp.gatherStep(loss, flags, out.bitsPerDim, out.t);
        loss = all.loss;
        this.#agreedStop = all.flags & TIME_UP ? 'time' : all.flags & STOP_REQUESTED ? 'request' : null;
        global = { bpd: all.bitsPerDim, t: all.t };
      }
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) return { loss, gradNorm, bpd: null, t: null };
      return {
        loss,
        gradNorm,
        bpd: global?.bpd ?? (out.bitsPerDim.detach().toArray() as Float32Array),
        t: global?.t ?? (out.t.toArray() as Float32Array),
      };
    });
    this.step += 1;
    if (result.bpd === null || result.t === null) {
      this.optimizer.zeroGrad();
      this.skippedSteps += 1;
      this.#consecutiveSkips += 1;
      const reason = `non-finite ${Number.isFinite(result.loss) ? 'gradient' : 'loss'}`;
      this.#events.onSkip?.(this.step, reason);
      this.record({ type: 'skip', step: this.step, reason });
      if (this.#consecutiveSkips >= c.maxConsecutiveSkips) {
        throw new TrainingDivergedError(
          `training diverged: ${this.#consecutiveSkips} steps in a row had a ${reason} (step ${this.step}); ` +
            'the weights are those of the last good step. Try a lower --lr, --grad-clip, or fp32 instead of --bf16.',
        );
      }
      return { loss: NaN, gradNorm: result.gradNorm };
    }
    this.#consecutiveSkips = 0;
    this.optimizer.lr = this.#lr(this.optimizer.stepCount);
    this.optimizer.step();
    this.ema.update();
    this.#buckets.add(result.t, result.bpd);
    return { loss: result.loss, gradNorm: result.gradNorm };
  }

  /** This rank's share of the global batch, and its own dropout stream when the model has dropout. */
  #shard(dp: DataParallel): BatchShard {
    const shard: BatchShard = { rank: dp.rank, worldSize: dp.worldSize };
    if (dp.worldSize > 1 && this.config.model.dropout > 0) {
      shard.forwardSeed =
        (this.config.seed ^ Math.imul(this.step + 1, 0x9e3779b1) ^ Math.imul(dp.rank + 1, 0x85ebca77)) >>> 0;
    }
    return shard;
  }

  /** Held-out bits/dim at t = 0 with the EMA weights (data-parallel: each rank takes a share of the examples). */
  evaluate(): EvalLog | null {
    if (!this.validation) return null;
    const limit = Math.min(this.config.evalExamples, this.validation.count);
    const dp = this.dataParallel;
    let r: { bitsPerDim: number; count: number };
    if (dp === null) {
      r = this.ema.withAveraged(() => evaluateBitsPerDim(this.model, this.validation as Dataset, { limit }));
    } else {
      const share = Math.ceil(limit / dp.worldSize);
      const begin = Math.min(limit, dp.rank * share);
      const end = Math.min(limit, begin + share);
      if (end > begin && (this.#evalShard?.begin !== begin || this.#evalShard.end !== end)) {
        const indices = Int32Array.from({ length: end - begin }, (_, i) => begin + i);
        this.#evalShard = { begin, end, data: subsetDataset(this.validation, indices) };
      }
      const part = end > begin ? this.#evalShard?.data : undefined;
      const mine =
        part !== undefined
          ? this.ema.withAveraged(() => evaluateBitsPerDim(this.model, part).perExample)
          : new Float64Array(0);
      const all = dp.gatherValues(mine, share);
      r = { bitsPerDim: meanAndStandardError(all).mean, count: all.length };
    }
    const log = { step: this.step, bitsPerDim: r.bitsPerDim, examples: r.count };
    this.lastEval = log;
    this.record({ type: 'eval', ...log });
    this.#events.onEval?.(log);
    return log;
  }

  checkpointState(): CheckpointState {
    return {
      format: CHECKPOINT_FORMAT,
      step: this.step,
      optimizerStep: this.optimizer.stepCount,
      lr: this.optimizer.lr,
      emaUpdates: this.ema.updates,
      loaderPosition: this.loader.position,
      skippedSteps: this.skippedSteps,
      elapsedSeconds: this.elapsedSeconds,
      imageShape: [this.loader.dataset.channels, this.loader.dataset.height, this.loader.dataset.width],
      config: this.config,
    };
  }

  /** Writes a checkpoint (the writer only: rank 0 when data-parallel). */
  saveCheckpoint(): string {
    if (!this.isWriter)
      throw new CheckpointError(`rank ${this.dataParallel?.rank} does not write checkpoints; rank 0 does`);
    const path = saveCheckpoint(this.runDir, this, this.checkpointState(), {
      keepLast: this.config.keepLast,
      onFileWritten: this.#onFileWritten,
    });
    this.record({ type: 'checkpoint', step: this.step, path });
    this.#events.onCheckpoint?.(path, this.step);
    return path;
  }

  /** Trains until the step limit, the time budget or a stop request; always ends with a checkpoint. */
  async run(): Promise<TrainSummary> {
    const c = this.config;
    const sessionStart = performance.now();
    let windowStart = sessionStart;
    let windowSteps = 0;
    let windowLoss = 0;
    let windowLossSteps = 0;
    let lastLoss = NaN;
    let lastGradNorm = NaN;
    let stoppedBy: TrainSummary['stoppedBy'] = 'steps';
    let checkpoint: string | null = null;
    const sessionSeconds = () => (performance.now() - sessionStart) / 1000;
    const elapsedBefore = this.elapsedSeconds;
    const dp = this.dataParallel;
    this.#timeUp = () => c.timeBudgetSeconds !== null && sessionSeconds() >= c.timeBudgetSeconds;
    this.#agreedStop = null;
    for (;;) {
      if (c.steps !== null && this.step >= c.steps) break;
      if (dp !== null) {
        // Decided together at the end of the last step (see trainStep).
        if (this.#agreedStop !== null) {
          stoppedBy = this.#agreedStop;
          break;
        }
      } else if (this.#timeUp()) {
        stoppedBy = 'time';
        break;
      } else if (this.#stopRequested) {
        stoppedBy = 'request';
        break;
      }
      const { loss, gradNorm } = this.trainStep();
      this.elapsedSeconds = elapsedBefore + sessionSeconds();
      windowSteps += 1;
      if (Number.isFinite(loss)) {
        lastLoss = loss;
        lastGradNorm = gradNorm;
        windowLoss += loss;
        windowLossSteps += 1;
      }
      this.#events.onStep?.(this.step);
      if (this.step % c.logEvery === 0) {
        const seconds = (performance.now() - windowStart) / 1000;
        const log: StepLog = {
          step: this.step,
          loss: windowLossSteps ? windowLoss / windowLossSteps : NaN,
          buckets: this.#buckets.takeMeans(),
          lr: this.optimizer.lr,
          gradNorm: lastGradNorm,
          stepsPerSecond: windowSteps / seconds,
          imagesPerSecond: (windowSteps * c.batchSize) / seconds,
          skippedSteps: this.skippedSteps,
          elapsedSeconds: this.elapsedSeconds,
          ...(dp !== null
            ? { worldSize: dp.worldSize, allReduceSeconds: dp.takeAllReduceSeconds() / windowSteps }
            : {}),
        };
        this.record({ type: 'train', ...log });
        this.#events.onLog?.(log);
        windowStart = performance.now();
        windowSteps = windowLoss = windowLossSteps = 0;
      }
      if (c.evalEvery > 0 && this.step % c.evalEvery === 0) this.evaluate();
      if (c.checkpointEvery > 0 && this.step % c.checkpointEvery === 0 && this.isWriter)
        checkpoint = this.saveCheckpoint();
      // Lets signal handlers and deferred finalizers run between steps.
      await yieldToEventLoop();
    }
    if (this.isWriter) checkpoint = this.saveCheckpoint();
    // Nobody reports done before rank 0's last checkpoint is complete.
    dp?.barrier();
    return {
      steps: this.step,
      skippedSteps: this.skippedSteps,
      elapsedSeconds: this.elapsedSeconds,
      lastLoss,
      lastEval: this.lastEval,
      checkpoint,
      stoppedBy,
    };
  }
}
