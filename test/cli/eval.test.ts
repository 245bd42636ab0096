// `ncml eval lsb` and `ncml eval noise` as a user runs them: real processes,
// two 2-step runs (NCML and MLE) on Fashion-MNIST, real files.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const SMALL = ['--filters', '8', '--mixtures', '2', '--steps', '2', '--batch-size', '4'];
const HELD_OUT = ['--validation', '50', '--eval-examples', '10', '--eval-every', '2'];

const dir = mkdtempSync(join(tmpdir(), 'ncml-cli-eval-'));
const ncmlRun = join(dir, 'ncml-vp');
const mleRun = join(dir, 'mle');
after(() => rmSync(dir, { recursive: true, force: true }));

function ncml(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

function train(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [cli, 'train', ...SMALL, ...HELD_OUT, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ncml train ${args.join(' ')}: ${err}`))));
  });
}

before(() => Promise.all([train(['--out', ncmlRun]), train(['--objective', 'mle', '--out', mleRun])]));

interface Row {
  pi: number;
  bitsPerDim: number;
  deltaLogP: number;
  deltaStandardError: number;
  count: number;
}
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

test('a bare ncml eval is an error that lists the kinds', () => {
  const r = ncml(['eval']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ncml eval needs a kind of evaluation and a --checkpoint/);
  assert.match(r.stderr, /^ {2}lsb {6}bits\/dim at LSB-flip rates/m);
  assert.match(r.stderr, /^ {2}noise {4}Delta log p/m);
  assert.match(r.stderr, /Usage: ncml eval \[options\] \[command\]/);
  const missing = ncml(['eval', 'lsb']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /required option '--checkpoint <run\|ckpt>' not specified/);
});

test('the original form, ncml eval --checkpoint --pi, is ncml eval lsb and writes the documented files', () => {
  const r = ncml(['eval', '--checkpoint', ncmlRun, '--pi', '0,1', '--examples', '6']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^# LSB sanity test/);
  assert.match(r.stdout, /\| ncml-vp \| NCML, VP SDE, T = 0\.1 \| 2 \| 0 \| \d+\.\d{4} ± \d+\.\d{4} \| 0 \|/);
  assert.match(r.stdout, /\| ncml-vp \| NCML, VP SDE, T = 0\.1 \| 2 \| 1 \| \d+\.\d{4} ± \d+\.\d{4} \| \d+\.\d{4} ± /);
  const out = join(ncmlRun, 'eval', 'lsb');
  for (const f of ['result.json', 'result.md', 'lsb.png', 'lsb.svg', 'per-example.csv']) {
    assert.ok(existsSync(join(out, f)), `${f} written`);
  }
  const result = readJson<{ kind: string; count: number; split: string; models: { rows: Row[] }[] }>(
    join(out, 'result.json'),
  );
  assert.equal(result.kind, 'lsb');
  assert.equal(result.count, 6);
  assert.equal(result.split, 'test');
  const rows = result.models[0]!.rows;
  assert.deepEqual(
    rows.map((x) => x.pi),
    [0, 1],
  );
  assert.equal(rows[0]!.deltaLogP, 0);
  const csv = readFileSync(join(out, 'per-example.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'index,ncml-vp pi=0,ncml-vp pi=1');
  assert.equal(csv.length, 7);
  const mean = csv.slice(1).reduce((s, line) => s + Number(line.split(',')[2]), 0) / 6;
  assert.ok(Math.abs(mean - rows[1]!.bitsPerDim) < 1e-9, 'the CSV holds the values the mean is taken of');
  assert.equal(readFileSync(join(out, 'result.md'), 'utf8'), r.stdout);
});

test('--split validation evaluates exactly the images the run held out: the trainer logged the same bits/dim', () => {
  const out = join(dir, 'validation');
  const r = ncml([
    'eval',
    'lsb',
    '--checkpoint',
    ncmlRun,
    '--split',
    'validation',
    '--examples',
    '10',
    '--pi',
    '0',
    '--out',
    out,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const result = readJson<{ split: string; models: { rows: Row[] }[] }>(join(out, 'result.json'));
  assert.equal(result.split, 'validation');
  const logged = readFileSync(join(ncmlRun, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; step: number; bitsPerDim: number; examples: number })
    .find((e) => e.type === 'eval' && e.step === 2)!;
  assert.equal(logged.examples, 10);
  const ours = result.models[0]!.rows[0]!;
  assert.equal(ours.count, 10);
  assert.ok(Math.abs(ours.bitsPerDim - logged.bitsPerDim) < 1e-5, `${ours.bitsPerDim} vs ${logged.bitsPerDim}`);
});

test('ncml eval noise: several checkpoints on one plot, and its t = 0 row is the LSB table', () => {
  const out = join(dir, 'noise');
  const r = ncml([
    'eval',
    'noise',
    '--checkpoint',
    `${ncmlRun},${mleRun}`,
    '--t',
    '0,0.01',
    '--mle-conditioning',
    'zero',
    '--examples',
    '6',
    '--out',
    out,
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /## ncml-vp: NCML, VP SDE, T = 0\.1, step 2/);
  assert.match(r.stdout, /## mle: MLE, step 2\n\n\(told t = 0 at every t/);
  assert.match(r.stdout, /^\| 0\.01 \| \d\.\d+ \| \d+\.\d{4} ± \d\.\d{4} \| \d+\.\d{4} ± \d\.\d{4} \| \d+\.\d{4} ± /m);
  for (const f of ['result.json', 'result.md', 'noise.png', 'noise.svg', 'per-example.csv']) {
    assert.ok(existsSync(join(out, f)), `${f} written`);
  }
  const result = readJson<{
    pis: number[];
    models: { label: string; conditioning: string; points: { t: number; perturbationLevels: number; rows: Row[] }[] }[];
  }>(join(out, 'result.json'));
  assert.deepEqual(result.pis, [0.5, 1]);
  assert.deepEqual(
    result.models.map((m) => [m.label, m.conditioning]),
    [
      ['ncml-vp', 't'],
      ['mle', 'zero'],
    ],
  );
  const [t0, t1] = result.models[0]!.points;
  assert.deepEqual([t0!.t, t1!.t], [0, 0.01]);
  assert.equal(t0!.perturbationLevels, 0);
  assert.ok(t1!.perturbationLevels > 1, 'VP at t = 0.01 moves pixels by several levels');
  const lsb = readJson<{ models: { rows: Row[] }[] }>(join(ncmlRun, 'eval', 'lsb', 'result.json')).models[0]!.rows;
  const atZero = t0!.rows.filter((x) => x.pi !== 0.5);
  assert.deepEqual(atZero, lsb, 'the sweep at t = 0 is the LSB table of the same images and seed');
});

test('--out naming a file says so before evaluating', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const r = ncml(['eval', 'noise', '--checkpoint', ncmlRun, '--examples', '2', '--out', file]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`--out ${file} is a file; expected a directory for the results`));
  const bad = ncml(['eval', 'noise', '--checkpoint', ncmlRun, '--points', '1']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /option '--points <n>' argument '1' is invalid/);
});
