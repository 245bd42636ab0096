// Run directories: creating, finding, resolving checkpoints, loading trained models.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { CheckpointError } from '../../src/runs/checkpoint.js';
import { loadTrainedModel } from '../../src/runs/load.js';
import { checkModelFitsData, loadRunSplit } from '../../src/runs/data.js';
import { createRunDir, findRuns, readRunConfig, resolveCheckpoint, RunDirError } from '../../src/runs/run-dir.js';
import { noGrad, randn, zeros } from '../../src/tensor/index.js';
import { Trainer } from '../../src/train/trainer.js';
import { barsDataset, tinyConfig } from '../train/fixtures.js';
import { assertClose, tempDir, values } from '../helpers.js';

async function trainedRun(root: string, name: string, steps = 4) {
  const dir = join(root, name);
  const trainer = new Trainer(tinyConfig({ steps, checkpointEvery: 2 }), dir, {
    data: { train: barsDataset(), validation: null },
  });
  await trainer.run();
  return { dir, trainer };
}

test('a run directory resolves to its latest checkpoint; a checkpoint to itself', async () => {
  const root = tempDir('ncml-runs-');
  const { dir } = await trainedRun(root, 'a');
  const latest = resolveCheckpoint(dir);
  assert.match(latest.checkpoint, /step-00000004$/);
  assert.equal(latest.runDir, dir);
  const older = join(dir, 'checkpoints', 'step-00000002');
  assert.deepEqual(resolveCheckpoint(older), { checkpoint: older, runDir: dir });
});

test('resolving what is not a run says what it is and what was expected', () => {
  const root = tempDir('ncml-runs-');
  writeFileSync(join(root, 'file.txt'), 'x');
  mkdirSync(join(root, 'empty'));
  assert.throws(() => resolveCheckpoint(join(root, 'missing')), /no such file or directory/);
  assert.throws(() => resolveCheckpoint(join(root, 'file.txt')), /is a file; expected a run directory/);
  assert.throws(() => resolveCheckpoint(join(root, 'empty')), (e: Error) => {
    assert.ok(e instanceof CheckpointError);
    assert.match(e.message, /neither a checkpoint .* nor a run directory/);
    return true;
  });
});

test('loadTrainedModel restores the EMA (default) or raw weights, the config and the SDE', async () => {
  const root = tempDir('ncml-runs-');
  const { dir, trainer } = await trainedRun(root, 'b');
  const ema = loadTrainedModel(dir);
  const raw = loadTrainedModel(dir, { weights: 'model' });
  assert.deepEqual(ema.config, trainer.config);
  assert.equal(ema.sde.kind, trainer.config.sde.kind);
  assert.equal(ema.model.training, false);
  assert.deepEqual(ema.imageShape, [1, 8, 8]);
  const name = [...trainer.model.namedParameters()][0]![0];
  assertClose(values(ema.model.stateDict().get(name)!), values(trainer.ema.shadow.get(name)!), 0, 0);
  assertClose(values(raw.model.stateDict().get(name)!), values(trainer.model.stateDict().get(name)!), 0, 0);
  const x = randn([1, 1, 8, 8]);
  const out = noGrad(() => ema.model.forward(x, { t: zeros([1]) }));
  assert.ok(values(out).every(Number.isFinite));
});

test('findRuns lists every run under a root; readRunConfig validates config.json', async () => {
  const root = tempDir('ncml-runs-');
  await trainedRun(join(root, 'group'), 'one', 2);
  await trainedRun(root, 'two', 2);
  mkdirSync(join(root, 'not-a-run'));
  assert.deepEqual(findRuns(root), [join(root, 'group', 'one'), join(root, 'two')]);
  assert.equal(readRunConfig(join(root, 'two')).steps, 2);
  writeFileSync(join(root, 'two', 'config.json'), '{"lr": "fast"}');
  assert.throws(() => readRunConfig(join(root, 'two')), /config\.json: invalid training config: .*lr/);
});

test('createRunDir refuses a path that is a file, naming it', () => {
  const root = tempDir('ncml-runs-');
  writeFileSync(join(root, 'taken'), 'x');
  assert.throws(() => createRunDir(join(root, 'taken')), (e: Error) => {
    assert.ok(e instanceof RunDirError);
    assert.match(e.message, /taken is a file; a run directory is expected there/);
    return true;
  });
  assert.throws(() => createRunDir(join(root, 'taken', 'inside')), /is a file, so the run directory .* cannot be made/);
  assert.equal(createRunDir(join(root, 'new', 'run')), join(root, 'new', 'run'));
});

test('the validation split is exactly what the trainer held out; mismatched data names both sides', () => {
  const config = { ...tinyConfig(), dataset: 'fashion-mnist', validation: 30 };
  const held = loadRunSplit(config, 'validation');
  assert.equal(held.count, 30);
  assert.match(held.source, /validation part of split \(seed 0\)/);
  const trainer = new Trainer(config, tempDir('ncml-runs-'));
  assert.deepEqual(trainer.validation?.images, held.images);
  assert.equal(trainer.loader.dataset.count, 60000 - 30);
  assert.throws(
    () => checkModelFitsData({ ...config.model, channels: 3 }, [3, 40, 40], held),
    /the checkpoint's model takes 3x40x40 images; .*fashion-mnist.* has 1x28x28/,
  );
  assert.throws(
    () => loadRunSplit({ ...config, validation: 0 }, 'validation'),
    /held out no validation images/,
  );
});
