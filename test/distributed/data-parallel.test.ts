// Data-parallel training gives the single-process results: N = 2 processes
// with half of each batch end where N = 1 ends after 20 steps (weights, EMA,
// metrics, evaluation), and a checkpoint written by either continues under
// the other. Tolerance: 1e-5 absolute on every weight (float32; the two runs
// sum the same gradients in a different order), 1e-5 relative on metrics.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { freePort } from '../../src/cli/launcher.js';
import { listCheckpoints, readCheckpointState, readMetrics } from '../../src/runs/index.js';
import type { TrainConfig } from '../../src/runs/config.js';
import { loadFile } from '../../src/serialization/safetensors.js';
import { Trainer } from '../../src/train/index.js';
import { barsDataset, tinyConfig } from '../train/fixtures.js';
import { type RankRun, runRanks } from './helpers.js';

const WEIGHT_TOLERANCE = 1e-5;
const METRIC_TOLERANCE = 1e-5;
const CONFIG: Partial<TrainConfig> = { steps: 20, checkpointEvery: 10, keepLast: 5, evalEvery: 10, evalExamples: 30 };
const VALIDATION = 40;

const temp: string[] = [];
function tempDir(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `ncml-ddp-${label}-`));
  temp.push(d);
  return d;
}
test.after(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function single(runDir: string, config: Partial<TrainConfig>, resumeFrom?: string): Promise<void> {
  const trainer = new Trainer(tinyConfig(config), runDir, {
    data: { train: barsDataset(), validation: barsDataset(VALIDATION, 7) },
    resumeFrom,
  });
  await trainer.run();
}

async function parallel(runDir: string, config: Partial<TrainConfig>, resumeFrom?: string): Promise<RankRun[]> {
  const port = await freePort();
  const runs = await runRanks('ddp-worker.js', 2, (rank) => ({
    rank,
    worldSize: 2,
    port,
    runDir,
    config,
    resumeFrom,
    validation: VALIDATION,
  }));
  for (const r of runs) {
    assert.equal(r.code, 0, `rank ${r.rank}: ${r.stderr}`);
    assert.equal(r.results.get('inSync'), true, 'every rank ends with the same weights');
  }
  return runs;
}

function checkpointAt(runDir: string, step: number): string {
  const c = listCheckpoints(runDir).find((x) => x.step === step);
  assert.ok(c, `${runDir} has a checkpoint at step ${step}`);
  return c.path;
}

function maxDifference(a: string, b: string, file: string): number {
  const x = loadFile(join(a, file)).tensors;
  const y = loadFile(join(b, file)).tensors;
  assert.deepEqual([...x.keys()].sort(), [...y.keys()].sort());
  let worst = 0;
  for (const [name, t] of x) {
    const u = t.toArray() as Float32Array;
    const v = y.get(name)!.toArray() as Float32Array;
    for (let i = 0; i < u.length; i++) worst = Math.max(worst, Math.abs(u[i]! - v[i]!));
  }
  return worst;
}

function assertSameWeights(a: string, b: string, what: string): void {
  for (const file of ['model.safetensors', 'ema.safetensors']) {
    const d = maxDifference(a, b, file);
    assert.ok(d <= WEIGHT_TOLERANCE, `${what}: ${file} differs by up to ${d} (tolerance ${WEIGHT_TOLERANCE})`);
  }
  const [s, t] = [readCheckpointState(a), readCheckpointState(b)];
  assert.equal(s.step, t.step);
  assert.equal(s.optimizerStep, t.optimizerStep);
  assert.deepEqual(s.loaderPosition, t.loaderPosition);
}

const close = (a: number | null, b: number | null, what: string) =>
  assert.ok(
    a !== null && b !== null && Math.abs(a - b) <= METRIC_TOLERANCE * Math.max(1, Math.abs(a)),
    `${what}: ${a} vs ${b}`,
  );

let reference: string;

test('N = 2 with half of each batch ends where N = 1 ends after 20 steps, with the same metrics', async () => {
  reference = tempDir('n1');
  await single(reference, CONFIG);
  const two = tempDir('n2');
  await parallel(two, CONFIG);
  assertSameWeights(checkpointAt(reference, 20), checkpointAt(two, 20), 'N=2 vs N=1 at step 20');
  const [m1, m2] = [readMetrics(reference).entries, readMetrics(two).entries];
  const kinds = (m: typeof m1) => m.map((e) => `${e.type}@${e.step}`);
  assert.deepEqual(kinds(m2), kinds(m1), 'the same entries at the same steps: rank 0 alone writes');
  m1.forEach((e, i) => {
    const f = m2[i]!;
    if (e.type === 'train' && f.type === 'train') {
      close(e.loss, f.loss, `loss at step ${e.step}`);
      close(e.gradNorm, f.gradNorm, `gradient norm at step ${e.step}`);
      assert.equal(f.lr, e.lr);
      assert.deepEqual(Object.keys(f.buckets), Object.keys(e.buckets));
      for (const k of Object.keys(e.buckets)) close(e.buckets[k]!, f.buckets[k]!, `bucket ${k} at step ${e.step}`);
      assert.equal(f.worldSize, 2);
      assert.ok(f.allReduceSeconds !== undefined && f.allReduceSeconds >= 0);
    }
    if (e.type === 'eval' && f.type === 'eval') {
      close(e.bitsPerDim, f.bitsPerDim, `evaluation at step ${e.step}`);
      assert.equal(f.examples, e.examples);
    }
  });
});

test('a checkpoint written with N = 1 continues with N = 2 to the same weights', async () => {
  const resumed = tempDir('n1to2');
  await parallel(resumed, CONFIG, checkpointAt(reference, 10));
  assertSameWeights(checkpointAt(reference, 20), checkpointAt(resumed, 20), 'N=1 then N=2');
});

test('a checkpoint written with N = 2 continues with N = 1 to the same weights', async () => {
  const two = tempDir('n2first');
  await parallel(two, { ...CONFIG, steps: 10 });
  const resumed = tempDir('n2to1');
  await single(resumed, CONFIG, checkpointAt(two, 10));
  assertSameWeights(checkpointAt(reference, 20), checkpointAt(resumed, 20), 'N=2 then N=1');
});

test('with dropout each rank draws its own masks, and the ranks stay identical', async () => {
  const runDir = tempDir('dropout');
  await parallel(runDir, {
    steps: 4,
    logEvery: 2,
    checkpointEvery: 0,
    evalEvery: 0,
    model: { ...tinyConfig().model, dropout: 0.5 },
  });
  const losses = readMetrics(runDir).entries.flatMap((e) => (e.type === 'train' ? [e.loss] : []));
  assert.ok(losses.length > 0 && losses.every((l) => l !== null && Number.isFinite(l)));
});
