// The reproduction's plan: budget split, evaluation sizes, the sweep's steps
// and how --sweep extends a saved plan.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  makePlan,
  type ModelSpec,
  mergeSweep,
  ncmlFlags,
  type ReproducePlan,
  SWEEP_VARIANTS,
  sweepSteps,
  TRAINING_SHARE,
  variantKey,
} from '../../src/cli/reproduce/plan.js';
import { trainStep } from '../../src/cli/reproduce/steps.js';
import { formatTDistribution } from '../../src/ncml/t-distribution.js';
import { defaultTrainConfig } from '../../src/runs/config.js';
import { tempDir } from '../helpers.js';

const variant = (key: string) => {
  const v = SWEEP_VARIANTS.find((x) => variantKey(x) === key);
  assert.ok(v, key);
  return v;
};

test('the training share of the budget is split equally over the models', () => {
  const plan = makePlan({ budgetSeconds: 3600, dataset: 'fashion-mnist', preset: 'tiny', sdes: ['vp', 've'], seed: 0 });
  assert.deepEqual(
    plan.models.map((m) => m.name),
    ['mle', 'ncml-vp', 'ncml-ve'],
  );
  assert.equal(plan.firstModelSeconds, (3600 * TRAINING_SHARE) / 3);
  assert.equal(plan.checkpointEvery, 250);
  assert.equal(makePlan({ ...plan, budgetSeconds: 180 }).checkpointEvery, 10, 'a smoke run checkpoints often');
});

test('the sweep trains half the main steps, on a checkpoint of the main models', () => {
  assert.equal(sweepSteps(1561, 250), 750);
  assert.equal(sweepSteps(2000, 250), 1000);
  assert.equal(sweepSteps(300, 250), 250, 'never fewer than one checkpoint interval');
  assert.equal(sweepSteps(57, 10), 20);
});

test('--sweep appends new variants to a saved sweep and keeps the saved ones as they are', () => {
  const saved = [{ ...variant('mu-uniform'), flags: ['--mu', 'uniform', '--saved'] }];
  const merged = mergeSweep(saved, [variant('T-0.3'), variant('mu-uniform'), variant('mu-atom-0.2')]);
  assert.deepEqual(merged.map(variantKey), ['mu-uniform', 'T-0.3', 'mu-atom-0.2']);
  assert.deepEqual(merged[0]?.flags, ['--mu', 'uniform', '--saved'], 'the saved variant is not replaced');
  assert.deepEqual(mergeSweep(merged, merged).map(variantKey), merged.map(variantKey), 'idempotent');
  merged[1]?.flags.push('--x');
  assert.deepEqual(variant('T-0.3').flags, ['--T', '0.3'], 'the built-in variants are not mutated');
});

test('the plan fixes the NCML settings, so a resumed reproduction trains every model alike', () => {
  const plan = makePlan({ budgetSeconds: 3600, dataset: 'fashion-mnist', preset: 'tiny', sdes: ['vp'], seed: 0 });
  const c = defaultTrainConfig();
  assert.deepEqual(ncmlFlags(plan), ['--mu', formatTDistribution(c.mu), '--noisy-likelihood', c.noisyLikelihood]);
  const out = join(tempDir('ncml-plan-'), 'repro');
  const [mle, vp] = plan.models;
  const args = (m: ModelSpec, p: ReproducePlan = plan) => trainStep(out, p, m, 100).args;
  assert.equal(args(mle!).includes('--mu'), false, 'the MLE baseline has no mu');
  const flags = args(vp!);
  assert.deepEqual(flags.slice(flags.indexOf('--mu'), flags.indexOf('--mu') + 4), ncmlFlags(plan));
  // A variant's own flags come later, so they win.
  const uniform = args(variant('mu-uniform'));
  assert.equal(uniform.lastIndexOf('uniform') > uniform.indexOf('--noisy-likelihood'), true);
  // A plan saved before the field existed trains with the defaults of its time.
  const { ncmlFlags: _dropped, ...older } = plan;
  assert.deepEqual(ncmlFlags(older), ['--mu', 'atom:0.5', '--noisy-likelihood', 'binned']);
  assert.ok(args(vp!, older).includes('atom:0.5'));
});
