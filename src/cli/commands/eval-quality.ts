// `ncml eval quality`: FID and KID of samples (files from `ncml sample`, or
// drawn from the checkpoint on the fly with --draw) against the test set, in
// the feature space of a small classifier trained (once, then cached) on the
// dataset, always beside the real-vs-real floor at the same n.
import { basename, join } from 'node:path';

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
import { loadTrainedModel } from '../../runs/load.js';
import { readRunConfig, resolveCheckpoint } from '../../runs/run-dir.js';
import { type CommonEvalFlags, addCommonEvalOptions, evalOutDir } from '../eval-options.js';
import { integer } from '../options.js';
import { runSampleJob } from '../sample-job.js';
import {
  addMethodOptions,
  REFINEMENT_FLAGS,
  resolveMethod,
  SamplingRequestError,
  type SamplingFlags,
} from '../sampling-flags.js';

type MethodFlags = Omit<SamplingFlags, 'checkpoint' | 'weights' | 'seed' | 'batchSize' | 'out'>;

const METHOD_FLAGS = ['method', ...REFINEMENT_FLAGS, 'arImpl'];

interface QualityFlags extends CommonEvalFlags, MethodFlags {
  draw?: number;
  sampleBatchSize?: number;
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
    .option(
      '--draw <n>',
      'draw n samples from the checkpoint now (with the sampling flags) and measure them too',
      integer(2),
    )
    .option('--sample-batch-size <n>', 'images per sampling batch of --draw (default: all at once)', integer(1))
    .option('--kid-subsets <n>', 'KID subsets', integer(1), 100)
    .option('--kid-subset-size <n>', 'KID subset size (at most the smaller set)', integer(2), 1000)
    .option('--feature-net <dir>', 'a saved feature net to measure with (default: the cached one, trained if missing)')
    .option('--feature-cache <dir>', 'cache of feature nets (default: ~/.cache/ncml/features)')
    .option('--feature-seed <n>', 'seed of the cached feature net', integer(0, 2 ** 32 - 1), 0)
    .option('--feature-steps <n>', 'training steps of a new feature net', integer(1), 1500)
    .option('--batch-size <n>', 'images per feature batch', integer(1), 500);
  addMethodOptions(cmd).action(async (o: QualityFlags) => {
    if (o.checkpoint.length !== 1) throw new Error('--checkpoint: ncml eval quality takes one checkpoint or run');
    const { runDir } = resolveCheckpoint(o.checkpoint[0] as string);
    const typed = (name: string) => cmd.getOptionValueSource(name) === 'cli';
    const methodTyped = METHOD_FLAGS.filter(typed);
    if (o.draw === undefined && (methodTyped.length > 0 || !o.denoise || o.sampleBatchSize !== undefined)) {
      throw new SamplingRequestError('the sampling flags (--method, --t0, --steps, ...) need --draw <n>');
    }
    const out = evalOutDir('quality', runDir, o.out);
    // Checked before any work: a bad sampling request fails now, not after the feature net trained.
    const drawing =
      o.draw === undefined
        ? null
        : (() => {
            const trained = loadTrainedModel(o.checkpoint[0] as string, { weights: o.weights });
            const flags: SamplingFlags = {
              ...o,
              checkpoint: o.checkpoint[0] as string,
              batchSize: o.sampleBatchSize,
            };
            return { trained, settings: resolveMethod(flags, typed, trained), num: o.draw };
          })();
    const drawn =
      drawing === null
        ? null
        : runSampleJob({
            ...drawing,
            classLabel: null,
            classGrid: false,
            out: join(out, `drawn-${drawing.settings.method}.png`),
          });
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
    const files = [...(o.samples ?? []), ...(drawn === null ? [] : [drawn.files.safetensors])];
    const sets: QualitySet[] = files.map((file) => ({
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
