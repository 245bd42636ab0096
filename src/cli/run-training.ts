// Runs a Trainer from the command line: progress display, and SIGINT/SIGTERM
// stopping cleanly with a checkpoint (a second signal exits at once; the
// checkpoints already written are complete either way).
import { Trainer, type TrainSummary } from '../train/trainer.js';
import type { TrainConfig } from '../runs/config.js';
import { TrainingProgress } from './progress.js';

export async function runTraining(
  config: TrainConfig,
  runDir: string,
  resumeFrom?: string,
): Promise<{ trainer: Trainer; summary: TrainSummary }> {
  let progress: TrainingProgress | null = null;
  const trainer = new Trainer(config, runDir, {
    resumeFrom,
    events: {
      onStep: (step) => progress?.step(step),
      onLog: (l) => progress?.log(l),
      onEval: (e) => progress?.evaluated(e),
      onCheckpoint: (path, step) => progress?.message(`checkpoint at step ${step}: ${path}`),
      onSkip: (step, reason) => progress?.message(`step ${step} skipped: ${reason}`),
    },
  });
  progress = new TrainingProgress({ startStep: trainer.step, steps: config.steps, seconds: config.timeBudgetSeconds });
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
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
