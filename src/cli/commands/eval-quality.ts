// `ncml eval quality`: FID and KID of samples against the test set, in the
// feature space of a small classifier trained (once, then cached) on the
// dataset, always beside the real-vs-real floor at the same n.
import { basename } from 'node:path';

import type { Command } from 'commander';

import { loadDataset } from '../../data/registry.js';
import {
  type QualitySet,
  evaluateSampleQuality,
  featureNetFor,
  fidChartSpec,
  featureNetLine,
  firstImages,
  loadFeatureNet,
  loadSamplesFile,
  qualityMarkdown,
  qualityResultJson,
  qualityTable,
} from '../../eval/quality/index.js';
import { writeEvalOutput } from '../../eval/result.js';
import { writeImageGrid } from '../../data/grid.js';
import { readRunConfig, resolveCheckpoint } from '../../runs/run-dir.js';
import { type CommonEvalFlags, addCommonEvalOptions, evalOutDir } from '../eval-options.js';
import { integer } from '../options.js';

interface QualityFlags extends CommonEvalFlags {
  samples?: string[];
  dataset?: string;
  n?: number;
  kidSubsets: number;
  kidSubsetSize: number;
  featureNet?: string;
  featureCache?: string;
  featureSeed: number;
  featureSteps: number;
  batchSize: number;
}

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value.split(',').filter(Boolean),
];

export function registerEvalQuality(evalCmd: Command): void {
  const cmd = evalCmd
    .command('quality')
    .description('sample quality: FID and KID against the test set, beside the real-vs-real floor');
  addCommonEvalOptions(cmd)
    .option('--samples <file>', "safetensors files of uint8 samples [n, C, H, W] under 'samples' (repeatable)", collect)
    .option('--dataset <spec>', 'dataset whose test split is the reference (default: the run’s)')
    .option(
      '--n <n>',
      'images per set (default: all of each samples file; the floor without samples: the test count)',
      integer(2),
    )
    .option('--kid-subsets <n>', 'KID subsets', integer(1), 100)
    .option('--kid-subset-size <n>', 'KID subset size (at most the smaller set)', integer(2), 1000)
    .option('--feature-net <dir>', 'a saved feature net to measure with (default: the cached one, trained if missing)')
    .option('--feature-cache <dir>', 'cache of feature nets (default: ~/.cache/ncml/features)')
    .option('--feature-seed <n>', 'seed of the cached feature net', integer(0, 2 ** 32 - 1), 0)
    .option('--feature-steps <n>', 'training steps of a new feature net', integer(1), 1500)
    .option('--batch-size <n>', 'images per feature batch', integer(1), 500)
    .action(async (o: QualityFlags) => {
      if (o.checkpoint.length !== 1) throw new Error('--checkpoint: ncml eval quality takes one checkpoint or run');
      const { runDir } = resolveCheckpoint(o.checkpoint[0] as string);
      const dataset = o.dataset ?? readRunConfig(runDir).dataset;
      const test = loadDataset(dataset, 'test');
      const train = loadDataset(dataset, 'train');
      const started = performance.now();
      const { net, info, dir } =
        o.featureNet !== undefined
          ? { ...loadFeatureNet(o.featureNet), dir: o.featureNet }
          : featureNetFor(dataset, {
              seed: o.featureSeed,
              steps: o.featureSteps,
              cacheRoot: o.featureCache,
              data: { train, test },
              onTrain: (d) =>
                process.stderr.write(`training the ${dataset} feature net (${o.featureSteps} steps) into ${d}\n`),
              onProgress: (step, steps, loss) => {
                if (step % 100 === 0 || step === steps) {
                  const s = ((performance.now() - started) / 1000).toFixed(0);
                  process.stderr.write(`  step ${step}/${steps}  loss ${loss.toFixed(3)}  ${s} s\n`);
                }
              },
            });
      const settings = { dataset, featureNetDir: dir, featureNet: info, seed: o.seed };
      process.stderr.write(`${featureNetLine(settings)}\n`);
      const testImages = firstImages(
        { data: test.images, count: test.count, channels: test.channels, height: test.height, width: test.width },
        o.examples,
      );
      const sets: QualitySet[] = (o.samples ?? []).map((file) => ({
        name: basename(file),
        images: firstImages(loadSamplesFile(file), o.n),
      }));
      const result = evaluateSampleQuality(sets, {
        net,
        test: testImages,
        train,
        floorSizes: [Math.min(o.n ?? testImages.count, train.count)],
        kid: { subsets: o.kidSubsets, subsetSize: o.kidSubsetSize },
        seed: o.seed,
        batchSize: o.batchSize,
      });
      const out = evalOutDir('quality', runDir, o.out);
      const written = await writeEvalOutput(out, {
        kind: 'quality',
        result: qualityResultJson(result, settings),
        markdown: qualityMarkdown(result, settings),
        charts: { fid: fidChartSpec(result) },
      });
      sets.forEach((s, i) => {
        const images = firstImages(s.images as ReturnType<typeof firstImages>, 64);
        writeImageGrid(`${out}/samples-${i}.png`, images);
      });
      process.stdout.write(
        `\n${qualityTable(result)}\n\nwrote ${written.json}, ${written.markdown}, ${written.charts.join(', ')}\n`,
      );
      net.dispose();
    });
}
