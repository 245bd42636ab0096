// The tables, charts and files of `ncml eval lsb` and `ncml eval noise`, from
// hand-made rows: what a reader sees must be what was measured.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import type { LsbRow } from '../../src/eval/lsb.js';
import {
  csvName,
  lsbChart,
  lsbMarkdown,
  lsbPerExampleColumns,
  lsbResult,
  type LsbEvaluation,
} from '../../src/eval/lsb-report.js';
import type { ModelInfo } from '../../src/eval/model-info.js';
import {
  noiseSweepChart,
  noiseSweepMarkdown,
  noiseSweepPerExampleColumns,
  noiseSweepResult,
  type NoiseSweepEvaluation,
} from '../../src/eval/noise-sweep-report.js';
import { writeEvalOutput, writePerExampleCsv } from '../../src/eval/result.js';

const dir = mkdtempSync(join(tmpdir(), 'ncml-eval-reports-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const info = (label: string, extra: Partial<ModelInfo> = {}): ModelInfo => ({
  label,
  description: 'NCML, VP SDE, T = 0.1',
  objective: 'ncml',
  sde: 'vp',
  T: 0.1,
  noiseConditioning: true,
  checkpoint: `/runs/${label}/checkpoints/step-00000250`,
  step: 250,
  weights: 'ema',
  ...extra,
});

const row = (pi: number, bpd: number, delta: number, perExample: number[]): LsbRow => ({
  pi,
  bitsPerDim: bpd,
  standardError: 0.01,
  deltaLogP: delta,
  deltaStandardError: 0.002,
  count: perExample.length,
  perExample: Float64Array.from(perExample),
});

const lsb: LsbEvaluation[] = [
  { model: info('ncml-vp'), rows: [row(0, 3.1, 0, [3, 3.2]), row(1, 3.5, 0.4, [3.4, 3.6])] },
  {
    model: info('mle', { description: 'MLE', objective: 'mle' }),
    rows: [row(0, 3.0, 0, [2.9, 3.1]), row(1, 4.2, 1.2, [4.1, 4.3])],
  },
];
const lsbSettings = { data: 'Fashion-MNIST test', split: 'test', count: 2, t: 0, seed: 0, weights: 'ema' as const };

test('the LSB markdown has one row per model and pi, with standard errors', () => {
  const md = lsbMarkdown(lsb, lsbSettings);
  assert.match(md, /^# LSB sanity test \(paper Sec\. 3\.1, Table 1\)/);
  assert.match(md, /Fashion-MNIST test, test split: 2 images/);
  assert.match(md, /\| model \| trained as \| step \| pi \| bits\/dim \| Delta log p \|/);
  assert.match(md, /\| ncml-vp \| NCML, VP SDE, T = 0\.1 \| 250 \| 0 \| 3\.1000 ± 0\.0100 \| 0 \|/);
  assert.match(md, /\| mle \| MLE \| 250 \| 1 \| 4\.2000 ± 0\.0100 \| 1\.2000 ± 0\.0020 \|/);
  assert.equal(md.split('\n').filter((l) => /^\| (ncml-vp|mle) \|/.test(l)).length, 4);
});

test('the LSB JSON keeps every number but the per-example values, which go to the CSV', () => {
  const result = lsbResult(lsb, lsbSettings) as { models: { label: string; rows: Record<string, unknown>[] }[] };
  assert.equal(result.models.length, 2);
  assert.deepEqual(result.models[1]!.rows[1], {
    pi: 1,
    bitsPerDim: 4.2,
    standardError: 0.01,
    deltaLogP: 1.2,
    deltaStandardError: 0.002,
    count: 2,
  });
  assert.doesNotThrow(() => JSON.stringify(result));
  const columns = lsbPerExampleColumns(lsb);
  assert.deepEqual(Object.keys(columns), ['index', 'ncml-vp pi=0', 'ncml-vp pi=1', 'mle pi=0', 'mle pi=1']);
  const csv = join(dir, 'lsb.csv');
  writePerExampleCsv(csv, columns);
  assert.deepEqual(readFileSync(csv, 'utf8').trim().split('\n'), [
    'index,ncml-vp pi=0,ncml-vp pi=1,mle pi=0,mle pi=1',
    '0,3,3.4,2.9,4.1',
    '1,3.2,3.6,3.1,4.3',
  ]);
  assert.equal(csvName('a,b"c'), 'a_b_c');
});

test('the LSB chart renders to PNG and SVG with both panels and 95% bars', async () => {
  const spec = lsbChart(lsb, lsbSettings) as { data: { values: Record<string, unknown>[] } };
  assert.equal(spec.data.values.length, 8);
  const written = await writeEvalOutput(join(dir, 'lsb'), {
    kind: 'lsb',
    result: lsbResult(lsb, lsbSettings),
    markdown: lsbMarkdown(lsb, lsbSettings),
    charts: { lsb: spec as never },
  });
  const png = readFileSync(written.charts[0]!);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const svg = readFileSync(join(dir, 'lsb', 'lsb.svg'), 'utf8');
  for (const text of ['bits/dim', 'Delta log p (bits/dim)', 'ncml-vp', 'mle', '95% intervals']) {
    assert.ok(svg.includes(text), `the SVG shows '${text}'`);
  }
  assert.equal(JSON.parse(readFileSync(written.json, 'utf8')).kind, 'lsb');
  assert.ok(existsSync(written.markdown));
});

const point = (t: number, levels: number, delta: number) => ({
  t,
  perturbationLevels: levels,
  rows: [row(0, 3 + t, 0, [3, 3]), row(0.5, 3.2, delta / 2, [3.1, 3.3]), row(1, 3.4, delta, [3.3, 3.5])],
});
const sweep: NoiseSweepEvaluation[] = [
  { model: info('ncml-vp'), points: [point(0, 0, 0.8), point(0.0001, 0.32, 0.3), point(0.1, 33.1, 0.01)] },
  {
    model: info('plain', { description: 'MLE', objective: 'mle', noiseConditioning: false }),
    points: [point(0, 0, 1.6), point(0.0001, 0.32, 1.5), point(0.1, 33.1, 0.4)],
  },
];
const sweepSettings = {
  data: 'Fashion-MNIST test',
  split: 'test',
  count: 2,
  seed: 0,
  weights: 'ema' as const,
  pis: [0.5, 1],
};

test('the noise-sweep markdown has a table per model: t, perturbation, bits/dim and Delta log p per pi', () => {
  const md = noiseSweepMarkdown(sweep, sweepSettings);
  assert.match(md, /^# Robustness versus noise level \(paper Sec\. 4\.1, Fig\. 4\)/);
  assert.match(md, /## ncml-vp: NCML, VP SDE, T = 0\.1, step 250/);
  assert.match(md, /## plain: MLE, step 250\n\n\(no noise conditioning: the model ignores t/);
  assert.match(
    md,
    /\| t \| perturbation \(levels\) \| bits\/dim, pi = 0 \| Delta log p, pi = 0\.5 \| Delta log p, pi = 1 \|/,
  );
  assert.match(md, /\| 0 \| 0 \| 3\.0000 ± 0\.0100 \| 0\.4000 ± 0\.0020 \| 0\.8000 ± 0\.0020 \|/);
  assert.match(md, /\| 0\.1 \| 33\.1 \| 3\.1000 ± 0\.0100 \| 0\.2000 ± 0\.0020 \| 0\.4000 ± 0\.0020 \|/);
});

test('the noise-sweep chart: a Delta log p panel per pi and the perturbation panel, on a symlog t axis for log grids', async () => {
  const spec = noiseSweepChart(sweep, sweepSettings) as unknown as {
    hconcat: { title: string; encoding?: { x: { scale: { type: string } } } }[];
  };
  assert.deepEqual(
    spec.hconcat.map((p) => p.title),
    ['Delta log p, pi = 0.5', 'Delta log p, pi = 1', 'mean |x_t - x_0| (8-bit levels)'],
  );
  assert.equal(spec.hconcat[0]!.encoding!.x.scale.type, 'symlog');
  const linear = sweep.map((e) => ({ ...e, points: [point(0, 0, 1), point(0.05, 17, 0.5), point(0.1, 33, 0.1)] }));
  const linearSpec = noiseSweepChart(linear, sweepSettings) as unknown as typeof spec;
  assert.equal(linearSpec.hconcat[0]!.encoding!.x.scale.type, 'linear');
  const written = await writeEvalOutput(join(dir, 'noise'), {
    kind: 'noise',
    result: noiseSweepResult(sweep, sweepSettings),
    markdown: noiseSweepMarkdown(sweep, sweepSettings),
    charts: { noise: spec as never },
  });
  const svg = readFileSync(join(dir, 'noise', 'noise.svg'), 'utf8');
  for (const text of ['Delta log p, pi = 0.5', 'Delta log p, pi = 1', '8-bit levels', 'ncml-vp', 'plain']) {
    assert.ok(svg.includes(text), `the SVG shows '${text}'`);
  }
  const json = JSON.parse(readFileSync(written.json, 'utf8')) as {
    models: { points: { t: number; rows: { perExample?: unknown }[] }[] }[];
  };
  assert.deepEqual(
    json.models[0]!.points.map((p) => p.t),
    [0, 0.0001, 0.1],
  );
  assert.equal(json.models[0]!.points[0]!.rows[0]!.perExample, undefined);
  const columns = noiseSweepPerExampleColumns(sweep);
  assert.equal(Object.keys(columns).length, 1 + 2 * 3 * 3);
  assert.ok('plain t=0.0001 pi=0.5' in columns);
});
