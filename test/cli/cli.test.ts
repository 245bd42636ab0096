// The command line as a user runs it: a real process, real data, real files.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { listCheckpoints } from '../../src/runs/checkpoint.js';
import { tempDir } from '../helpers.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
// A model and data small enough for seconds per run.
const SMALL = [
  '--filters',
  '8',
  '--mixtures',
  '2',
  '--batch-size',
  '4',
  '--validation',
  '50',
  '--eval-examples',
  '10',
  '--log-every',
  '1',
];

function ncml(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

const badInputs: [string[], RegExp][] = [
  [['train', '--lr', '-1'], /option '--lr <x>' argument '-1' is invalid\. expected a number > 0/],
  [['train', '--steps', '1.5'], /expected an integer/],
  [['train', '--bogus'], /unknown option '--bogus'/],
  [['train', '--mu', 'atom:2'], /atom:<p0 in \[0,1\]>/],
  [['train', '--preset', 'huge'], /Allowed choices are tiny, small, paper/],
  [['train', '--time', 'soon'], /expected a duration/],
  [['train', '--dataset', 'nope', '--steps', '1'], /unknown dataset.*\n.*accepted dataset forms/s],
  [['eval'], /ncml eval needs a kind of evaluation and a --checkpoint/],
  [['eval', 'lsb'], /required option '--checkpoint <run\|ckpt>' not specified/],
  [['frobnicate'], /unknown command 'frobnicate'/],
];

for (const [args, message] of badInputs) {
  test(`ncml ${args.join(' ')}: a clear error and the usage line`, () => {
    const r = ncml(args);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, message);
    if (args[0] !== 'frobnicate' && !args.includes('nope')) assert.match(r.stderr, /Usage: ncml [\w ]+ \[options\]/);
  });
}

test('a bad --config file names the file and the problem', () => {
  const dir = tempDir('ncml-cli-');
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ batchSize: -3 }));
  const r = ncml(['train', '--config', file]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`--config ${file}: invalid training config: .*batchSize`));
});

test('train runs, checkpoints, and --resume continues the run', () => {
  const out = tempDir('ncml-cli-');
  const first = ncml(['train', ...SMALL, '--steps', '2', '--out', out]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /done: 2 steps/);
  assert.ok(existsSync(join(out, 'metrics.jsonl')));
  const more = ncml(['train', '--resume', out, '--steps', '4']);
  assert.equal(more.status, 0, more.stderr);
  assert.match(more.stderr, /resuming from .*step-00000002/);
  assert.match(more.stdout, /done: 4 steps/);
  const conflict = ncml(['train', '--resume', out, '--steps', '6', '--lr', '0.5']);
  assert.equal(conflict.status, 1);
  assert.match(conflict.stderr, /cannot resume .* lr: 0\.001 in the checkpoint, 0\.5 now/);
});

test('SIGINT stops training after the current step with a checkpoint', async () => {
  const out = tempDir('ncml-cli-');
  const proc = spawn(process.execPath, [cli, 'train', ...SMALL, '--steps', '100000', '--out', out], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d;
    if (/^step 2 /m.test(stderr) && !proc.killed) proc.kill('SIGINT');
  });
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /SIGINT: stopping after this step/);
  assert.match(stdout, /stopped by request/);
  const saved = listCheckpoints(out);
  assert.equal(saved.length, 1);
  assert.ok(saved[0]!.step >= 2 && saved[0]!.step < 100000);
});

test('data info prints counts, shape, class names and writes the sample grid', () => {
  const png = join(tempDir('ncml-cli-'), 'grid.png');
  const r = ncml(['data', 'info', '--dataset', 'fashion-mnist', '--png', png]);
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as {
    channels: number;
    height: number;
    classNames: string[];
    splits: { split: string; count: number }[];
    samplePng: string;
  };
  assert.deepEqual(
    info.splits.map((s) => [s.split, s.count]),
    [
      ['train', 60000],
      ['test', 10000],
    ],
  );
  assert.equal(info.height, 28);
  assert.equal(info.classNames[9], 'Ankle boot');
  assert.equal(info.samplePng, png);
  assert.ok(existsSync(png));
});

test('info names the libtorch the build found and the library loaded', () => {
  const r = ncml(['info']);
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { source: string; library: string; threads: number; torchVersion: string };
  assert.match(info.source, /^(LIBTORCH|system|python:.+)$/);
  assert.match(info.library, /libtorch_cpu\.so/);
  assert.ok(info.threads >= 1);
  assert.match(info.torchVersion, /^\d+\.\d+/);
});
