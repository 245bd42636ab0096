// Runs a Trainer from the command line: progress display, and SIGINT/SIGTERM
// stopping cleanly with a checkpoint (a second signal exits at once; the
// checkpoints already written are complete either way). In a data-parallel
// run every rank runs this; rank 0 alone shows progress, and a stop requested
// on any rank stops all of them after the same step.
import type { DistributedTrainingOptions } from '../train/data-parallel.js';
import { Trainer, type TrainSummary } from '../train/trainer.js';
import type { TrainConfig } from '../runs/config.js';
import { LAUNCHER_PID_ENV } from './launcher.js';
import { TrainingProgress } from './progress.js';

export interface RunTrainingOptions {
  distributed?: DistributedTrainingOptions;
}

export async function runTraining(
  config: TrainConfig,
  runDir: string,
  resumeFrom?: string,
  opts: RunTrainingOptions = {},
): Promise<{ trainer: Trainer; summary: TrainSummary }> {
  let progress: TrainingProgress | null = null;
  const launcher = Number(process.env[LAUNCHER_PID_ENV] ?? NaN);
  let orphaned = false;
  const trainer: Trainer = new Trainer(config, runDir, {
    resumeFrom,
    distributed: opts.distributed,
    events: {
      onStep: (step) => {
        progress?.step(step);
        // A worker of `ncml train --nproc` whose launcher is gone stops with the others, with a checkpoint.
        if (!orphaned && Number.isInteger(launcher) && process.ppid !== launcher) {
          orphaned = true;
          process.stderr.write(`ncml: the launcher (pid ${launcher}) is gone: stopping after this step\n`);
          trainer.requestStop();
        }
      },
      onLog: (l) => progress?.log(l),
      onEval: (e) => progress?.evaluated(e),
      onCheckpoint: (path, step) => progress?.message(`checkpoint at step ${step}: ${path}`),
      onSkip: (step, reason) => progress?.message(`step ${step} skipped: ${reason}`),
    },
  });
  if (trainer.isWriter) {
    progress = new TrainingProgress({
      startStep: trainer.step,
      steps: config.steps,
      seconds: config.timeBudgetSeconds,
    });
  }
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      progress?.stop();
      process.stderr.write(`\n${signal} again: exiting now; the last complete checkpoint is intact\n`);
      process.exit(130);
    }
    progress?.message(`${signal}: stopping after this step and saving a checkpoint (send again to exit at once)`);
    trainer.requestStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await trainer.run();
    return { trainer, summary };
  } finally {
    progress?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
