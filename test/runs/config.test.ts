// One source of config truth: files are overlays on the defaults, unknown keys
// are named with the nearest valid one, and resume conflicts name the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { defaultTrainConfig, overlayTrainConfig, resumeConflicts } from '../../src/runs/config.js';

test('a config file is an overlay: {"lr": 0.0002} alone is valid', () => {
  const base = defaultTrainConfig();
  const c = overlayTrainConfig(base, { lr: 0.0002 });
  assert.equal(c.lr, 0.0002);
  assert.deepEqual({ ...c, lr: base.lr }, base);
});

test('nested objects merge; another SDE kind starts from its own defaults', () => {
  const base = defaultTrainConfig();
  const c = overlayTrainConfig(base, { model: { nrFilters: 48 }, sde: { kind: 've' } });
  assert.equal(c.model.nrFilters, 48);
  assert.equal(c.model.nrResnet, base.model.nrResnet);
  assert.deepEqual(c.sde, { kind: 've', sigmaMin: 0.01, sigmaMax: 50, T: 0.5 });
  assert.equal(overlayTrainConfig(base, { sde: { T: 0.05 } }).sde.T, 0.05);
});

test('unknown keys are errors naming the key and the nearest valid one', () => {
  const base = defaultTrainConfig();
  assert.throws(() => overlayTrainConfig(base, { lrr: 1 }), /unknown key 'lrr' \(did you mean 'lr'\?\)/);
  assert.throws(
    () => overlayTrainConfig(base, { model: { nrFilter: 8 } }),
    /unknown key 'model\.nrFilter' \(did you mean 'model\.nrFilters'\?\)/,
  );
  assert.throws(() => overlayTrainConfig(base, { sde: { kind: 've', betaMin: 1 } }), /unknown key 'sde\.betaMin'/);
  assert.throws(() => overlayTrainConfig(base, { batchSize: 0 }), /batchSize/);
  assert.throws(() => overlayTrainConfig(base, [1]), /must be a JSON object, got an array/);
});

test('resume conflicts name nested fields; resumable settings may change', () => {
  const saved = defaultTrainConfig();
  const changed = overlayTrainConfig(saved, { model: { nrFilters: 64 }, steps: 99, device: 'cpu' });
  assert.deepEqual(resumeConflicts(saved, changed), ['model.nrFilters: 32 in the checkpoint, 64 now']);
  assert.deepEqual(resumeConflicts(saved, overlayTrainConfig(saved, { evalEvery: 7 })), []);
});

test('device is validated', () => {
  const base = defaultTrainConfig();
  assert.equal(overlayTrainConfig(base, { device: 'cuda:1' }).device, 'cuda:1');
  assert.throws(() => overlayTrainConfig(base, { device: 'gpu' }), /device: expected 'cpu', 'cuda' or 'cuda:N'/);
});
