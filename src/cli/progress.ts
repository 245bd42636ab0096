// Training progress on the terminal: a live bar on a TTY, one line per log
// interval otherwise (CI logs, files).
import cliProgress from 'cli-progress';

import type { EvalLog, StepLog } from '../train/trainer.js';

export interface ProgressLimits {
  startStep: number;
  steps: number | null;
  seconds: number | null;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export class TrainingProgress {
  readonly #tty: boolean;
  readonly #limits: ProgressLimits;
  readonly #bar: cliProgress.SingleBar | null;
  readonly #started = performance.now();
  #lastLoss = NaN;
  #lastEval = '';
  #rate = NaN;

  constructor(limits: ProgressLimits, stream: NodeJS.WriteStream = process.stderr) {
    this.#limits = limits;
    this.#tty = stream.isTTY === true;
    this.#bar = this.#tty
      ? new cliProgress.SingleBar(
          {
            format: 'step {step} |{bar}| {percentage}% | {rate} it/s | loss {loss} bpd | eval {eval} | ETA {etaText}',
            barsize: 24,
            hideCursor: true,
            stream,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
    this.#bar?.start(100, 0, this.#payload(limits.startStep));
  }

  #fraction(step: number): number {
    const { steps, seconds, startStep } = this.#limits;
    const bySteps = steps !== null ? (step - startStep) / Math.max(1, steps - startStep) : 0;
    const byTime = seconds !== null ? (performance.now() - this.#started) / 1000 / seconds : 0;
    return Math.min(1, Math.max(bySteps, byTime));
  }

  #payload(step: number) {
    const f = this.#fraction(step);
    const elapsed = (performance.now() - this.#started) / 1000;
    return {
      step,
      rate: Number.isFinite(this.#rate) ? this.#rate.toFixed(2) : '-',
      loss: Number.isFinite(this.#lastLoss) ? this.#lastLoss.toFixed(3) : '-',
      eval: this.#lastEval || '-',
      etaText: f > 0 ? clock((elapsed * (1 - f)) / f) : '--:--',
    };
  }

  step(step: number): void {
    this.#bar?.update(Math.round(100 * this.#fraction(step)), this.#payload(step));
  }

  log(l: StepLog): void {
    this.#lastLoss = l.loss;
    this.#rate = l.stepsPerSecond;
    if (!this.#tty) {
      const buckets = Object.entries(l.buckets)
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .join(', ');
      process.stderr.write(
        `step ${l.step}  loss ${l.loss.toFixed(4)} bpd  [${buckets}]  ${l.stepsPerSecond.toFixed(2)} it/s  ` +
          `${l.imagesPerSecond.toFixed(1)} img/s  lr ${l.lr.toExponential(2)}  elapsed ${clock(l.elapsedSeconds)}\n`,
      );
    }
  }

  evaluated(e: EvalLog): void {
    this.#lastEval = `${e.bitsPerDim.toFixed(3)} bpd`;
    this.message(
      `eval at step ${e.step}: ${e.bitsPerDim.toFixed(4)} bits/dim on ${e.examples} held-out images (EMA weights)`,
    );
  }

  message(text: string): void {
    if (this.#bar) {
      this.#bar.stop();
      process.stderr.write(text + '\n');
      this.#bar.start(100, 0);
    } else {
      process.stderr.write(text + '\n');
    }
  }

  stop(): void {
    this.#bar?.stop();
  }
}
