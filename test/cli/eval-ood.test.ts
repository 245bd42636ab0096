// `ncml eval ood` as a user runs it, on a (barely) trained Fashion-MNIST run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Trainer } from '../../src/train/index.js';
import { tinyConfig } from '../train/fixtures.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'ncml-eval-ood-'));
const run = join(dir, 'run');

const ncml = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

before(async () => {
  await new Trainer(tinyConfig({ dataset: 'fashion-mnist', validation: 100, steps: 2, batchSize: 4 }), run).run();
});
after(() => rmSync(dir, { recursive: true, force: true }));

const small = ['--examples', '12', '--fit-examples', '8', '--select-examples', '8', '--bootstrap', '20'];

test('ncml eval ood writes JSON, markdown, a ROC plot and per-example scores, and prints the table', () => {
  const out = join(dir, 'ood');
  const r = ncml(['eval', 'ood', '--checkpoint', run, ...small, '--t', '0.05', '--batch-size', '6', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| statistic \| mnist \| uniform-noise \| constant \| vflip \| invert \|/);
  assert.match(r.stdout, /\| lr@t=0\.05 \* \|/);
  assert.match(r.stdout, /Published anchors, fashion-mnist vs mnist/);
  assert.match(r.stdout, /raw likelihood, PixelCNN\+\+ \| 0\.07-0\.10/);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  assert.equal(result.kind, 'ood');
  const [ckpt] = result.checkpoints;
  assert.equal(ckpt.results.length, 5 * 4);
  for (const row of ckpt.results) {
    assert.equal(row.inCount, 12);
    for (const k of ['auroc', 'aupr', 'fprAt95Tpr']) {
      assert.ok(row.metrics[k] >= 0 && row.metrics[k] <= 1, `${row.set} ${row.statistic} ${k}`);
      assert.ok(row.metrics.intervals[k].low <= row.metrics.intervals[k].high);
    }
  }
  assert.deepEqual(ckpt.selection.chosen, { lr: 'lr@t=0.05', 'score-norm': 'score-norm@t=0.05' });
  assert.equal(ckpt.selection.oodSet, 'shuffled-patches');
  assert.ok(ckpt.reference.trainBitsPerDim > 0);
  const md = readFileSync(join(out, 'result.md'), 'utf8');
  assert.match(md, /^# Out-of-distribution detection/);
  assert.match(md, /### All metrics/);
  const png = readFileSync(join(out, 'roc.png'));
  assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  assert.ok(existsSync(join(out, 'roc.svg')));
  const csv = readFileSync(join(out, 'scores-mnist.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'nll,typicality,lr@t=0.05,score-norm@t=0.05');
  assert.equal(csv.length, 1 + 12);
  assert.ok(csv.slice(1).every((line) => line.split(',').every((v) => Number.isFinite(Number(v)))));
  // The per-example scores reproduce the reported AUROC.
  const inCsv = readFileSync(join(out, 'scores-in.csv'), 'utf8').trim().split('\n').slice(1);
  const col = (lines: string[]) => lines.map((l) => Number(l.split(',')[0]));
  const [a, b] = [col(inCsv), col(csv.slice(1))];
  let u = 0;
  for (const o of b) for (const i of a) u += o > i ? 1 : o === i ? 0.5 : 0;
  const nllMnist = ckpt.results.find(
    (x: { set: string; statistic: string }) => x.set === 'mnist' && x.statistic === 'nll',
  );
  assert.ok(Math.abs(nllMnist.metrics.auroc - u / (a.length * b.length)) < 1e-9);
});

test('bad OOD flags name what was wrong', () => {
  const bad: [string[], RegExp][] = [
    [['--stats', 'nll,bogus'], /expected a comma-separated subset of nll, typicality, lr, score-norm/],
    [['--t', '0,0.1'], /expected a number > 0/],
    [
      ['--ood', 'mnist,nope'],
      /'nope' is neither a synthetic set \(uniform-noise, .*\) nor a dataset: .*unknown dataset/,
    ],
  ];
  for (const [args, message] of bad) {
    const r = ncml(['eval', 'ood', '--checkpoint', run, ...small, '--stats', 'nll', ...args, '--out', join(dir, 'x')]);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, message);
  }
});
