// Issue 15's evaluation messages, through the CLI, with a folder of a user's
// own RGB images (two classes, odd size, no test/ subfolder).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import pngjs from 'pngjs';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const SIZE = 13;
const SMALL = ['--filters', '8', '--mixtures', '2', '--steps', '2', '--batch-size', '4', '--eval-examples', '6'];

const dir = mkdtempSync(join(tmpdir(), 'ncml-cli-own-'));
const images = join(dir, 'photos');
const run = join(dir, 'run');
const otherSeed = join(dir, 'run-seed-1');
after(() => rmSync(dir, { recursive: true, force: true }));

function writePngs(): void {
  for (const [c, name] of ['cats', 'dogs'].entries()) {
    mkdirSync(join(images, name), { recursive: true });
    for (let i = 0; i < 12; i++) {
      const png = new pngjs.PNG({ width: SIZE, height: SIZE });
      for (let p = 0; p < SIZE * SIZE; p++) {
        png.data[4 * p] = (p * 7 + i * 13) % 256;
        png.data[4 * p + 1] = c === 0 ? 40 : 200;
        png.data[4 * p + 2] = (p * 3 + i * 29) % 256;
        png.data[4 * p + 3] = 255;
      }
      writeFileSync(join(images, name, `${i}.png`), pngjs.PNG.sync.write(png));
    }
  }
}

function ncml(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

function train(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [cli, 'train', ...SMALL, '--dataset', `folder:${images}`, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ncml train ${args.join(' ')}: ${err}`))));
  });
}

before(async () => {
  writePngs();
  await Promise.all([
    train(['--validation', '6', '--out', run]),
    train(['--validation', '6', '--seed', '1', '--out', otherSeed]),
  ]);
});

test('a folder without test/: the error offers --split validation, which evaluates the held-out images', () => {
  const r = ncml(['eval', 'lsb', '--checkpoint', run]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /folder:.*photos has no test split \(a folder dataset needs a test\/ subfolder for one\)/);
  assert.match(r.stderr, /use --split validation to evaluate the 6 images this run held out from training/);
  const out = join(dir, 'validation');
  const ok = ncml(['eval', 'lsb', '--checkpoint', run, '--split', 'validation', '--out', out]);
  assert.equal(ok.status, 0, ok.stderr);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as { count: number; data: string };
  assert.equal(result.count, 6);
  assert.match(result.data, /validation part of split/);
  const noise = ncml([
    'eval',
    'noise',
    '--checkpoint',
    run,
    '--split',
    'validation',
    '--points',
    '2',
    '--out',
    join(dir, 'n'),
  ]);
  assert.equal(noise.status, 0, noise.stderr);
});

test('a checkpoint meeting images it does not take names both sides', () => {
  const r = ncml(['eval', 'lsb', '--checkpoint', run, '--dataset', 'fashion-mnist', '--examples', '2']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /the checkpoint's model takes 3x13x13 images; Fashion-MNIST test \(.*\) has 1x28x28/);
  const two = ncml(['eval', 'noise', '--checkpoint', `${run},${otherSeed}`, '--dataset', 'fashion-mnist']);
  assert.equal(two.status, 1);
  assert.match(two.stderr, /the checkpoint run's model takes 3x13x13 images; Fashion-MNIST test \(.*\) has 1x28x28/);
});

test("--split validation is one run's held-out images: not from another dataset, not across runs that differ", () => {
  const other = ncml(['eval', 'lsb', '--checkpoint', run, '--split', 'validation', '--dataset', 'fashion-mnist']);
  assert.equal(other.status, 1);
  assert.match(
    other.stderr,
    /--split validation means the images the run held out of folder:.*photos; it cannot be taken from fashion-mnist/,
  );
  const runs = ncml(['eval', 'lsb', '--checkpoint', run, '--checkpoint', otherSeed, '--split', 'validation']);
  assert.equal(runs.status, 1);
  assert.match(
    runs.stderr,
    /--split validation: .*run and .*run-seed-1 held out different images .*; compare them on --split test/,
  );
});
