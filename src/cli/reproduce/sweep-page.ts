// The sweep's part of the results page: the budget curve (the LSB test of
// every kept checkpoint of the MLE and the first NCML model) and the variants
// at half the steps, each beside the MLE and the default NCML at that step.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { interval, type LsbRowJson, lsbRows, perExample } from './claims.js';
import { pairedDifference, type PerExampleLsb, readPerExampleLsb } from './paired.js';
import type { ReproducePlan } from './plan.js';
import { historyDir, trainedSteps, modelDir } from './steps.js';

type Row = LsbRowJson;

/** step -> LSB rows, from an `eval lsb` over several checkpoints of one run. */
function history(dir: string): Map<number, Row[]> {
  const file = join(dir, 'result.json');
  const byStep = new Map<number, Row[]>();
  if (!existsSync(file)) return byStep;
  const r = JSON.parse(readFileSync(file, 'utf8')) as { models: { step: number; rows: Row[] }[] };
  for (const m of r.models) byStep.set(m.step, m.rows);
  return byStep;
}

const at = (rows: Row[] | null | undefined, pi: number) => rows?.find((r) => r.pi === pi);

function cells(rows: Row[] | null | undefined): [string, string] {
  const clean = at(rows, 0);
  const flipped = at(rows, 1);
  return [
    clean ? interval(clean.bitsPerDim, clean.standardError) : 'n/a',
    flipped?.deltaLogP != null ? interval(flipped.deltaLogP, flipped.deltaStandardError ?? 0) : 'n/a',
  ];
}

const ratio = (mle: Row[] | null | undefined, other: Row[] | null | undefined) => {
  const a = at(mle, 1)?.deltaLogP;
  const b = at(other, 1)?.deltaLogP;
  return a != null && b != null && b > 0 ? (a / b).toFixed(2) : 'n/a';
};

/** this - baseline in clean bits/dim, paired over the same test images. */
function cleanCost(rows: PerExampleLsb | undefined, baseline: PerExampleLsb | undefined): string {
  const d = pairedDifference(rows?.byPi.get(0), baseline?.byPi.get(0));
  return d === null ? 'n/a' : `${d.d >= 0 ? '+' : ''}${d.d.toFixed(3)} ± ${d.half.toFixed(3)}`;
}

export function sweepSection(out: string, plan: ReproducePlan): string[] {
  const variants = plan.sweep ?? [];
  if (variants.length === 0) return [];
  const mle = plan.models[0];
  const ncml = plan.models.find((m) => m.objective === 'ncml');
  if (mle === undefined || ncml === undefined) return [];
  const mleHistory = history(historyDir(out, mle));
  const ncmlHistory = history(historyDir(out, ncml));
  const lines = [
    '## Sweep: what NCML robustness depends on here',
    '',
    `Delta log p at pi = 1 (bits/dim, 95% interval) of the MLE baseline and ${ncml.name} at every kept checkpoint`,
    '(the budget curve), then NCML-VP variants with one thing changed, trained with the same seed for half the steps,',
    'beside the two baselines at that step. "MLE / NCML" is the ratio of the gaps: above 1, NCML is more robust.',
    '',
    `### Budget: ${mle.name} and ${ncml.name} over training`,
    '',
    `| steps | ${mle.name} bpd (pi = 0) | ${mle.name} Delta log p | ${ncml.name} bpd (pi = 0) | ${ncml.name} Delta log p | MLE / NCML |`,
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const steps = [...new Set([...mleHistory.keys(), ...ncmlHistory.keys()])].sort((a, b) => a - b);
  for (const s of steps) {
    const a = mleHistory.get(s);
    const b = ncmlHistory.get(s);
    lines.push(`| ${s} | ${cells(a).join(' | ')} | ${cells(b).join(' | ')} | ${ratio(a, b)} |`);
  }
  const variantSteps = variants.map((v) => trainedSteps(modelDir(out, v))).find((s) => s > 0) ?? 0;
  lines.push(
    '',
    `### Variants at ${variantSteps} steps`,
    '',
    `"bpd - ${mle.name}": the clean bits/dim this setting costs over the MLE baseline at the same step, paired over`,
    'the same test images (95% interval).',
    '',
    `| model | change | bpd (pi = 0) | bpd - ${mle.name} | Delta log p (pi = 1) | MLE / this |`,
    '| --- | --- | --- | --- | --- | --- |',
  );
  const atStep = (dir: string) => readPerExampleLsb(dir).find((m) => m.step === variantSteps);
  const mleEach = atStep(historyDir(out, mle));
  const mleAt = mleHistory.get(variantSteps);
  const [mleClean, mleGap] = cells(mleAt);
  lines.push(`| ${mle.name} | the baseline: t = 0 only | ${mleClean} | 0 | ${mleGap} | 1.00 |`);
  const ncmlAt = ncmlHistory.get(variantSteps);
  const [ncmlClean, ncmlGap] = cells(ncmlAt);
  lines.push(
    `| ${ncml.name} | the defaults | ${ncmlClean} | ${cleanCost(atStep(historyDir(out, ncml)), mleEach)} | ${ncmlGap} | ${ratio(mleAt, ncmlAt)} |`,
  );
  for (const v of variants) {
    const rows = lsbRows(out, v);
    const [clean, gap] = cells(rows);
    lines.push(
      `| ${v.name} | ${v.change} | ${clean} | ${cleanCost(perExample(out, v), mleEach)} | ${gap} | ${ratio(mleAt, rows)} |`,
    );
  }
  lines.push('');
  return lines;
}
