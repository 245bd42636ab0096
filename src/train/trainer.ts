// The training loop: NCML or MLE objective, Adam/Adamax with PixelCNN++'s
// learning-rate decay, gradient clipping, EMA weights, periodic evaluation,
// crash-safe checkpoints and exact resume. A step whose loss or gradient is
// not finite never reaches the weights: it is skipped and counted.
import { existsSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import { DataLoader } from '../data/loader.js';
import type { Dataset } from '../data/dataset.js';
import { evaluateBitsPerDim } from '../eval/bits-per-dim.js';
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
import { RESUMABLE_OVERRIDES, resumeConflicts, type TrainConfig } from '../runs/config.js';
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
import { autocast, manualSeed, scope } from '../tensor/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { TBucketStats } from './t-buckets.js';
import { ncmlObjective, type ObjectiveOptions } from './objective.js';

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
  #consecutiveSkips = 0;
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
    let position = undefined;
    createRunDir(runDir);
    removeIncompleteCheckpoints(runDir);
    if (!opts.resumeFrom && (listCheckpoints(runDir).length > 0 || existsSync(this.metricsPath))) {
      // A fresh run here would mix its metrics and checkpoints with the earlier run's.
      throw new CheckpointError(
        `${runDir} already holds a training run: resume it (--resume ${runDir}) or choose another run directory (--out)`,
      );
    }
    if (opts.resumeFrom) {
      const conflicts = resumeConflicts(readCheckpointState(opts.resumeFrom).config, config);
      if (conflicts.length > 0) {
        throw new CheckpointError(
          `cannot resume from ${opts.resumeFrom} with different settings: ${conflicts.join('; ')}. ` +
            `Only ${RESUMABLE_OVERRIDES.join(', ')} may change when resuming.`,
        );
      }
      const state = restoreCheckpoint(opts.resumeFrom, { model: this.model, ema: this.ema, optimizer: this.optimizer });
      this.step = state.step;
      this.skippedSteps = state.skippedSteps;
      this.elapsedSeconds = state.elapsedSeconds;
      position = state.loaderPosition;
      truncateMetrics(runDir, state.step);
    }
    this.loader = new DataLoader(data.train, {
      batchSize: config.batchSize,
      seed: config.seed,
      dropLast: true,
      position,
      device: config.device,
    });
    writeFileAtomic(configPath(runDir), JSON.stringify(config, null, 2) + '\n');
  }

  /** Ask the loop to save a checkpoint and stop after the current step (signal handlers call this). */
  requestStop(): void {
    this.#stopRequested = true;
  }

  get metricsPath(): string {
    return metricsPath(this.runDir);
  }

  private record(entry: MetricsEntry): void {
    appendMetric(this.runDir, entry);
  }

  /** One training step; returns the batch loss (NaN for a skipped step). */
  trainStep(): { loss: number; gradNorm: number } {
    const c = this.config;
    const result = scope(() => {
      const batch = this.loader.nextBatch();
      const y = c.model.numClasses !== null ? batch.y : null;
      const out = autocast(() => ncmlObjective(this.model, batch.x, y, this.#objective), { enabled: c.bf16 });
      this.optimizer.zeroGrad();
      out.loss.backward();
      const gradNorm = clipGradNorm_(this.optimizer.params, c.gradClip ?? Infinity);
      const loss = out.loss.item();
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) return { loss, gradNorm, bpd: null, t: null };
      return {
        loss,
        gradNorm,
        bpd: out.bitsPerDim.detach().toArray() as Float32Array,
        t: out.t.toArray() as Float32Array,
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

  /** Held-out bits/dim at t = 0 with the EMA weights. */
  evaluate(): EvalLog | null {
    if (!this.validation) return null;
    const limit = Math.min(this.config.evalExamples, this.validation.count);
    const r = this.ema.withAveraged(() => evaluateBitsPerDim(this.model, this.validation as Dataset, { limit }));
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

  saveCheckpoint(): string {
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
    for (;;) {
      if (c.steps !== null && this.step >= c.steps) break;
      if (c.timeBudgetSeconds !== null && sessionSeconds() >= c.timeBudgetSeconds) {
        stoppedBy = 'time';
        break;
      }
      if (this.#stopRequested) {
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
        };
        this.record({ type: 'train', ...log });
        this.#events.onLog?.(log);
        windowStart = performance.now();
        windowSteps = windowLoss = windowLossSteps = 0;
      }
      if (c.evalEvery > 0 && this.step % c.evalEvery === 0) this.evaluate();
      if (c.checkpointEvery > 0 && this.step % c.checkpointEvery === 0) checkpoint = this.saveCheckpoint();
      // Lets signal handlers and deferred finalizers run between steps.
      await yieldToEventLoop();
    }
    checkpoint = this.saveCheckpoint();
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
