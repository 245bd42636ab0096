// `ncml complete`: image completion (paper Fig. 5, right). Keeps the top rows
// of --num test images (from --first on) and draws the rest --per-image times; the
// grid shows each masked input followed by its completions.
import { join } from 'node:path';

import type { Command } from 'commander';

import { makeBatch } from '../../data/batch.js';
import { checkModelFitsData, loadRunSplit } from '../../runs/data.js';
import { loadTrainedModel } from '../../runs/load.js';
import { arImpl } from '../../sampling/ar-impl.js';
import { completeImages } from '../../sampling/completion.js';
import { topRowsMask } from '../../sampling/mask.js';
import { scope } from '../../tensor/scope.js';
import type { Tensor } from '../../tensor/tensor.js';
import { integer } from '../options.js';
import {
  addSamplingOptions,
  checkOutPath,
  refineOptions,
  resolveMethod,
  type SamplingFlags,
  SamplingRequestError,
} from '../sampling-flags.js';
import { sampleFiles, toUint8, writeSampleOutput } from '../sampling-output.js';
import { describeCheckpoint, imageShapeOf, sampleProgress } from '../sample-job.js';

interface CompleteFlags extends SamplingFlags {
  num: number;
  first: number;
  keepRows: number;
  perImage: number;
}

export function registerComplete(program: Command): void {
  const cmd = program
    .command('complete')
    .description('image completion: keep the top rows of test images and draw the rest');
  cmd.requiredOption('--num <n>', 'test images to complete (n of the test split, from --first on)', integer(1));
  cmd.option('--first <i>', 'index of the first test image to complete', integer(0), 0);
  cmd.requiredOption('--keep-rows <r>', 'rows kept from the top of each image', integer(1));
  cmd.option('--per-image <k>', 'completions per image', integer(1), 4);
  addSamplingOptions(cmd);
  cmd.option('--out <file.png>', 'the grid (default <run>/samples/completion-<method>-seed<s>.png)');
  cmd.action((flags: CompleteFlags) => {
    checkOutPath(flags.out);
    const trained = loadTrainedModel(flags.checkpoint, { weights: flags.weights });
    const [, height, width] = imageShapeOf(trained);
    if (flags.keepRows >= height) {
      throw new SamplingRequestError(`--keep-rows must be below the image height ${height}, got ${flags.keepRows}`);
    }
    const settings = resolveMethod(flags, (name) => cmd.getOptionValueSource(name) === 'cli', trained);
    const test = loadRunSplit(trained.config, 'test');
    checkModelFitsData(trained.model.config, trained.imageShape, test);
    if (flags.first + flags.num > test.count) {
      throw new SamplingRequestError(
        `--first/--num: the test split has ${test.count} images, asked for images ${flags.first}..${flags.first + flags.num - 1}`,
      );
    }
    const out = flags.out ?? join(trained.runDir, 'samples', `completion-${settings.method}-seed${settings.seed}.png`);
    const k = flags.perImage;
    process.stderr.write(
      `completing ${flags.num} test images x ${k} (top ${flags.keepRows} of ${height} rows kept) with ${settings.method}\n`,
    );
    const conditional = trained.model.config.numClasses !== null;
    const progress = sampleProgress(settings);
    const started = performance.now();
    scope(() => {
      const batch = makeBatch(
        test,
        Array.from({ length: flags.num }, (_, i) => flags.first + i),
      );
      const labels = conditional ? Array.from(test.labels.subarray(flags.first, flags.first + flags.num)) : null;
      let result;
      try {
        result = completeImages(trained.model, trained.sde, batch.x, {
          keepRows: flags.keepRows,
          perImage: k,
          method: settings.method,
          t0: settings.t0 ?? undefined,
          steps: settings.steps ?? undefined,
          ...refineOptions(settings),
          kind: settings.likelihood,
          y: labels,
          seed: settings.seed,
          batchSize: settings.batchSize ?? undefined,
          stepper: arImpl(settings.arImpl),
          onRow: progress.onRow,
          onStep: progress.onStep,
        });
      } finally {
        progress.stop();
      }
      const total = (performance.now() - started) / 1000;
      const files = sampleFiles(out);
      const tensors: Record<string, Tensor> = {
        samples: toUint8(result.completions),
        inputs: toUint8(batch.x),
        mask: topRowsMask(height, width, flags.keepRows),
      };
      if (result.noisy !== null) tensors.noisy = result.noisy.float();
      writeSampleOutput({
        files,
        tiles: result.tiles,
        columns: k + 1,
        tensors,
        settings: {
          command: 'complete',
          ...describeCheckpoint(trained),
          split: 'test',
          testSource: test.source,
          num: flags.num,
          first: flags.first,
          perImage: k,
          keepRows: flags.keepRows,
          ...settings,
        },
        report: {
          labels,
          layout: `each grid row: the masked input (unknown rows mid-gray), then its ${k} completions; samples[i * ${k} + j] completes inputs[i]`,
          timings: { totalSeconds: total, secondsPerImage: total / (flags.num * k) },
        },
      });
      process.stdout.write(`completions: ${files.png}\n${files.safetensors}\n${files.json}\n${total.toFixed(1)} s\n`);
    });
  });
}
