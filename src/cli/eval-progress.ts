// Progress of a long evaluation on stderr: a live bar on a TTY, a line per
// tenth otherwise (logs, files).
import cliProgress from 'cli-progress';

export interface EvalProgress {
  update: (done: number, total: number) => void;
  stop: () => void;
}

export function evalProgress(label: string, stream: NodeJS.WriteStream = process.stderr): EvalProgress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} |{bar}| {value}/{total} images | ETA {eta_formatted}`,
        barsize: 24,
        hideCursor: true,
        stream,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update: (done, total) => {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  let lastTenth = 0;
  return {
    update: (done, total) => {
      const tenth = Math.floor((10 * done) / total);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${label}: ${done}/${total} images\n`);
      }
    },
    stop: () => {},
  };
}
