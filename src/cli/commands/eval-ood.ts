// `ncml eval ood`: how well a model's statistics tell in-distribution test
// images from OOD images (paper Sec. 5, App. A.2.2): AUROC, AUPR and FPR95 with
// bootstrap intervals, a ROC plot and the per-example scores.
import { type Command, InvalidArgumentError } from 'commander';

import {
  type CheckpointOod,
  OOD_STATISTIC_FAMILIES,
  type OodStatisticFamily,
  SYNTHETIC_OOD_SETS,
  aurocTable,
  anchorTable,
  builtinOodStatistics,
  defaultOodSpecs,
  defaultOodTimes,
  evaluateOod,
  oodDataForRun,
  oodMarkdown,
  oodResultJson,
  rocChartSpec,
  selectionTable,
  writeOodScores,
} from '../../eval/ood/index.js';
import { parseDatasetSpec } from '../../data/registry.js';
import { writeEvalOutput } from '../../eval/result.js';
import { checkModelFitsData } from '../../runs/data.js';
import { loadTrainedModel } from '../../runs/load.js';
import { runName } from '../../runs/run-dir.js';
import { type CommonEvalFlags, addCommonEvalOptions, evalOutDir } from '../eval-options.js';
import { integer, number } from '../options.js';

interface OodFlags extends CommonEvalFlags {
  in?: string;
  ood?: string[];
  t?: number[];
  stats: OodStatisticFamily[];
  fitExamples: number;
  selectExamples: number;
  selectOod: string;
  bootstrap: number;
  batchSize: number;
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function familyList(value: string): OodStatisticFamily[] {
  const all = OOD_STATISTIC_FAMILIES as readonly string[];
  const items = list(value);
  const bad = items.filter((s) => !all.includes(s));
  if (bad.length > 0 || items.length === 0) {
    throw new InvalidArgumentError(`expected a comma-separated subset of ${all.join(', ')}, got '${value}'.`);
  }
  return items as OodStatisticFamily[];
}

// Checked when parsed, so a typo fails before any model or data is loaded.
function oodSetList(value: string): string[] {
  const items = list(value);
  if (items.length === 0) throw new InvalidArgumentError(`expected one or more OOD sets, got '${value}'.`);
  for (const spec of items) {
    if ((SYNTHETIC_OOD_SETS as readonly string[]).includes(spec)) continue;
    try {
      parseDatasetSpec(spec);
    } catch (e) {
      throw new InvalidArgumentError(
        `'${spec}' is neither a synthetic set (${SYNTHETIC_OOD_SETS.join(', ')}) nor a dataset: ${(e as Error).message}`,
      );
    }
  }
  return items;
}

function positiveTimes(value: string): number[] {
  const one = number(0, Infinity, { exclusiveMin: true });
  return list(value).map(one);
}

export function registerEvalOod(evalCmd: Command): void {
  const cmd = evalCmd
    .command('ood')
    .description('out-of-distribution detection: AUROC, AUPR, FPR95 of likelihood-based statistics (paper Sec. 5)');
  addCommonEvalOptions(cmd, { several: true })
    .option('--in <dataset>', 'in-distribution dataset (default: the one the model was trained on)')
    .option('--ood <list>', `OOD sets: dataset specs and/or ${SYNTHETIC_OOD_SETS.join(', ')}`, oodSetList)
    .option(
      '--t <list>',
      'noise levels of the likelihood ratio and the score norm (default: T/10, T/3, T)',
      positiveTimes,
    )
    .option('--stats <list>', `statistics: ${OOD_STATISTIC_FAMILIES.join(', ')}`, familyList, [
      ...OOD_STATISTIC_FAMILIES,
    ])
    .option('--fit-examples <n>', 'training images for the typicality reference', integer(1), 1000)
    .option('--select-examples <n>', 'held-out images on which t is chosen', integer(1), 1000)
    .option('--select-ood <set>', 'proxy OOD set for choosing t (never a test set)', 'shuffled-patches')
    .option('--bootstrap <n>', 'bootstrap resamples for the 95% intervals', integer(1), 1000)
    .option('--batch-size <n>', 'images per forward pass', integer(1), 100)
    .action(async (o: OodFlags) => {
      const runs: CheckpointOod[] = [];
      let inSpec = '';
      let setSpecs: Record<string, string> = {};
      let firstRunDir = '';
      for (const path of o.checkpoint) {
        const trained = loadTrainedModel(path, { weights: o.weights });
        const { model, config, sde } = trained;
        firstRunDir ||= trained.runDir;
        inSpec = o.in ?? config.dataset;
        const oodSpecs = o.ood ?? defaultOodSpecs(inSpec);
        const data = oodDataForRun(config, {
          inSpec,
          oodSpecs,
          examples: o.examples,
          fitExamples: o.fitExamples,
          selectExamples: o.selectExamples,
          selectOod: o.selectOod,
          seed: o.seed,
        });
        checkModelFitsData(model.config, trained.imageShape, data.inTest, path);
        setSpecs = Object.fromEntries(oodSpecs.map((s) => [s, s]));
        const ts = o.t ?? defaultOodTimes(sde.T);
        const label = `${runName(trained.runDir)}@${trained.state.step}`;
        process.stderr.write(
          `${label}: ${data.inTest.count} ${inSpec} test images vs ${oodSpecs.join(', ')}; t = ${ts.join(', ')}\n`,
        );
        const started = performance.now();
        const evaluation = evaluateOod(
          { model, sde, kind: config.noisyLikelihood, reference: new Map() },
          {
            statistics: builtinOodStatistics(o.stats, ts),
            inTest: data.inTest,
            oodSets: data.oodSets,
            fitData: data.fitData,
            selection: data.selection,
            batchSize: o.batchSize,
            seed: o.seed,
            resamples: o.bootstrap,
            onProgress: (stage, done, total) => {
              if (done === total) {
                const s = ((performance.now() - started) / 1000).toFixed(0);
                process.stderr.write(`  ${stage}: ${total} images scored (${s} s)\n`);
              }
            },
          },
        );
        runs.push({ label, checkpoint: trained.checkpoint, evaluation });
        model.dispose();
      }
      const settings = { inSpec, setSpecs, seed: o.seed, resamples: o.bootstrap, level: 0.95 };
      const dir = evalOutDir('ood', firstRunDir, o.out);
      const written = await writeEvalOutput(dir, {
        kind: 'ood',
        result: oodResultJson(runs, settings),
        markdown: oodMarkdown(runs, settings),
        charts: { roc: rocChartSpec(runs) },
      });
      const csvs = runs.flatMap((r) => writeOodScores(dir, r.evaluation, runs.length > 1 ? `${r.label}-` : ''));
      for (const r of runs) {
        process.stdout.write(`\n${r.label} (AUROC; * = t chosen on validation data)\n\n${aurocTable(r.evaluation)}\n`);
        const anchors = anchorTable(r.evaluation, inSpec, setSpecs);
        if (anchors) process.stdout.write(`\n${anchors}\n`);
        process.stdout.write(`\n${selectionTable(r.evaluation)}\n`);
      }
      process.stdout.write(
        `\nwrote ${written.json}, ${written.markdown}, ${written.charts.join(', ')} and ${csvs.length} score CSVs\n`,
      );
    });
}
