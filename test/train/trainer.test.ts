import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { NCPN, type NcpnInput } from '../../src/models/ncpn/ncpn.js';
import { loadFile } from '../../src/serialization/safetensors.js';
import type { Tensor } from '../../src/tensor/index.js';
import { CheckpointError, latestCheckpoint, listCheckpoints, loadCheckpointWeights } from '../../src/runs/index.js';
import { Trainer, TrainingDivergedError } from '../../src/train/index.js';
import { barsDataset, tinyConfig } from './fixtures.js';
import { tempDir } from '../helpers.js';

const data = { train: barsDataset(), validation: barsDataset(16, 7) };
const tmp = () => tempDir('ncml-train-');

async function meanLoss(objective: 'ncml' | 'mle'): Promise<{ first: number; last: number }> {
  const losses: number[] = [];
  const trainer = new Trainer(tinyConfig({ objective, steps: 40, logEvery: 10 }), tmp(), {
    data,
    events: { onLog: (l) => losses.push(l.loss) },
  });
  await trainer.run();
  return { first: losses[0]!, last: losses.at(-1)! };
}

test('the NCML loss falls on a small synthetic dataset', async () => {
  const { first, last } = await meanLoss('ncml');
  assert.ok(last < first - 0.3, `bits/dim ${first} -> ${last}`);
});

test('the MLE loss falls on a small synthetic dataset', async () => {
  const { first, last } = await meanLoss('mle');
  assert.ok(last < first - 0.3, `bits/dim ${first} -> ${last}`);
});

test('metrics are logged per noise-level bucket, with a final checkpoint', async () => {
  const dir = tmp();
  const summary = await new Trainer(tinyConfig({ steps: 10, evalEvery: 5, evalExamples: 8 }), dir, { data }).run();
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const train = lines.filter((l) => l.type === 'train');
  assert.equal(train.length, 2);
  assert.ok('t=0' in train[0].buckets, 'the clean bucket is reported');
  assert.ok(
    Object.keys(train[0].buckets).some((k) => k.startsWith('(')),
    'noisy buckets are reported',
  );
  assert.equal(lines.filter((l) => l.type === 'eval').length, 2);
  assert.equal(summary.steps, 10);
  assert.equal(summary.checkpoint, latestCheckpoint(dir));
  assert.ok(Number.isFinite(summary.lastEval!.bitsPerDim));
});

function weights(dir: string): Map<string, number[]> {
  const path = latestCheckpoint(dir)!;
  const out = new Map<string, number[]>();
  for (const file of ['model', 'ema', 'trainer']) {
    for (const [name, t] of loadFile(join(path, `${file}.safetensors`)).tensors) {
      out.set(`${file}:${name}`, Array.from(t.toArray() as ArrayLike<number>, Number));
    }
  }
  return out;
}

test('resume is exact: 20 steps straight equal 10 + resume + 10', async () => {
  const config = tinyConfig({ steps: 20, model: { ...tinyConfig().model, dropout: 0.2 } });
  const straight = tmp();
  await new Trainer(config, straight, { data }).run();
  const split = tmp();
  await new Trainer({ ...config, steps: 10 }, split, { data }).run();
  await new Trainer(config, split, { data, resumeFrom: latestCheckpoint(split)! }).run();
  const a = weights(straight);
  const b = weights(split);
  assert.deepEqual([...b.keys()], [...a.keys()]);
  for (const [name, values] of a) assert.deepEqual(b.get(name), values, `${name} differs after resume`);
  const trainLogs = (dir: string) =>
    readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'train')
      .map((l) => [l.step, l.loss]);
  assert.deepEqual(trainLogs(split), trainLogs(straight));
});

test('resuming with different training settings is refused, naming them', async () => {
  const dir = tmp();
  await new Trainer(tinyConfig({ steps: 2 }), dir, { data }).run();
  assert.throws(
    () =>
      new Trainer(tinyConfig({ steps: 4, lr: 0.1, batchSize: 4 }), dir, { data, resumeFrom: latestCheckpoint(dir)! }),
    (e: Error) =>
      e instanceof CheckpointError &&
      /batchSize: 8 in the checkpoint, 4 now/.test(e.message) &&
      /lr: 0.003/.test(e.message),
  );
});

test('a fresh run refuses a directory that already holds a run', async () => {
  const dir = tmp();
  await new Trainer(tinyConfig({ steps: 1 }), dir, { data }).run();
  assert.throws(
    () => new Trainer(tinyConfig({ steps: 1 }), dir, { data }),
    (e: Error) => e instanceof CheckpointError && /already holds a training run: resume it/.test(e.message),
  );
});

test('a corrupt checkpoint file is a clear error naming it, and nothing is deleted', async () => {
  const dir = tmp();
  await new Trainer(tinyConfig({ steps: 1 }), dir, { data }).run();
  const path = latestCheckpoint(dir)!;
  const file = join(path, 'model.safetensors');
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, bytes.length - 10));
  assert.throws(
    () => new Trainer(tinyConfig({ steps: 2 }), dir, { data, resumeFrom: path }),
    (e: Error) => e.message.includes(file) && /truncated|shorter|bytes/.test(e.message),
  );
  writeFileSync(join(path, 'state.json'), '{ not json');
  assert.throws(
    () => new Trainer(tinyConfig({ steps: 2 }), dir, { data, resumeFrom: path }),
    /state\.json: not valid JSON/,
  );
  assert.deepEqual(
    listCheckpoints(dir).map((c) => c.step),
    [1],
  );
});

test('keeps only the last k checkpoints', async () => {
  const dir = tmp();
  await new Trainer(tinyConfig({ steps: 10, checkpointEvery: 2, keepLast: 2 }), dir, { data }).run();
  assert.deepEqual(
    listCheckpoints(dir).map((c) => c.step),
    [8, 10],
  );
  assert.deepEqual(readdirSync(join(dir, 'checkpoints')).sort(), ['step-00000008', 'step-00000010']);
});

/** Returns NaN parameters on chosen forward calls, as a numerical blow-up would. */
class FlakyNCPN extends NCPN {
  calls = 0;
  poisoned: (call: number) => boolean = () => false;
  override forward(x: Tensor, input: NcpnInput = {}): Tensor {
    this.calls += 1;
    const out = super.forward(x, input);
    return this.poisoned(this.calls) ? out.mul(NaN) : out;
  }
}

test('a NaN loss is skipped and counted, and never reaches the weights', async () => {
  const config = tinyConfig({ steps: 6 });
  const model = new FlakyNCPN(config.model);
  model.poisoned = (call) => call === 3 || call === 4;
  const skipped: number[] = [];
  const trainer = new Trainer(config, tmp(), { data, model, events: { onSkip: (step) => skipped.push(step) } });
  const before = new Map<string, number[]>();
  for (let i = 0; i < 2; i++) trainer.trainStep();
  for (const [n, p] of model.namedParameters()) before.set(n, Array.from(p.toArray() as Float32Array));
  trainer.trainStep();
  trainer.trainStep();
  for (const [n, p] of model.namedParameters())
    assert.deepEqual(Array.from(p.toArray() as Float32Array), before.get(n), n);
  const summary = await trainer.run();
  assert.deepEqual(skipped, [3, 4]);
  assert.equal(summary.skippedSteps, 2);
  for (const [, p] of model.namedParameters()) assert.ok((p.toArray() as Float32Array).every(Number.isFinite));
});

test('persistent NaNs stop training with a clear message', async () => {
  const config = tinyConfig({ steps: 50, maxConsecutiveSkips: 3 });
  const model = new FlakyNCPN(config.model);
  model.poisoned = (call) => call >= 2;
  await assert.rejects(new Trainer(config, tmp(), { data, model }).run(), (e: Error) => {
    return e instanceof TrainingDivergedError && /3 steps in a row had a non-finite loss/.test(e.message);
  });
});

test('a checkpoint refuses a model with a different config, naming the difference', async () => {
  const dir = tmp();
  const config = tinyConfig({ steps: 2 });
  await new Trainer(config, dir, { data }).run();
  const other = new NCPN({ ...config.model, nrFilters: 16 });
  assert.throws(
    () => loadCheckpointWeights(latestCheckpoint(dir)!, other),
    (e: Error) => e instanceof CheckpointError && /nrFilters: 8 in the checkpoint, 16 in the model/.test(e.message),
  );
  const same = new NCPN(config.model);
  assert.equal(loadCheckpointWeights(latestCheckpoint(dir)!, same).step, 2);
  assert.ok(existsSync(join(latestCheckpoint(dir)!, 'state.json')));
});
