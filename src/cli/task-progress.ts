// Progress of a counted task (sampling rows, refinement steps): a live bar
// with it/s and ETA on a terminal, a log line per tenth of the work otherwise.
import cliProgress from 'cli-progress';

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

export class TaskProgress {
  readonly #label: string;
  readonly #unit: string;
  readonly #stream: NodeJS.WriteStream;
  readonly #bar: cliProgress.SingleBar | null;
  #started = 0;
  #lastTenth = -1;
  #running = false;

  constructor(label: string, unit: string, stream: NodeJS.WriteStream = process.stderr) {
    this.#label = label;
    this.#unit = unit;
    this.#stream = stream;
    this.#bar =
      stream.isTTY === true
        ? new cliProgress.SingleBar(
            {
              format: `${label} |{bar}| {value}/{total} ${unit} | {rate} it/s | ETA {etaText}`,
              barsize: 24,
              hideCursor: true,
              stream,
            },
            cliProgress.Presets.shades_classic,
          )
        : null;
  }

  /** done of total units finished (call with 0 first, or it starts on the first call). */
  update(done: number, total: number): void {
    if (!this.#running) {
      this.#running = true;
      this.#started = performance.now();
      this.#bar?.start(total, 0, { rate: '-', etaText: '--:--' });
    }
    const elapsed = (performance.now() - this.#started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : NaN;
    const eta = done > 0 ? (elapsed * (total - done)) / done : NaN;
    const rateText = Number.isFinite(rate) ? rate.toFixed(2) : '-';
    if (this.#bar) {
      this.#bar.update(done, { rate: rateText, etaText: clock(eta) });
      // A finished bar stops at once, so the next phase's bar starts on a line of its own.
      if (done >= total) this.#bar.stop();
      return;
    }
    const tenth = Math.floor((10 * done) / Math.max(1, total));
    if (tenth > this.#lastTenth && done > 0) {
      this.#lastTenth = tenth;
      this.#stream.write(
        `${this.#label}: ${done}/${total} ${this.#unit}, ${rateText} it/s, elapsed ${clock(elapsed)}, ETA ${clock(eta)}\n`,
      );
    }
  }

  stop(): void {
    this.#bar?.stop();
  }
}
