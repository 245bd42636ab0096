// The feature net on tiny data: it learns an easy task, round-trips through
// its files, is cached by dataset and seed, and feeds FID/KID with the floor.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { subsetDataset } from '../../src/data/dataset.js';
import {
  FEATURE_NET_INFO,
  classifierAccuracy,
  evaluateSampleQuality,
  extractFeatures,
  featureNetCacheDir,
  featureNetFor,
  loadFeatureNet,
  loadSamplesFile,
  saveFeatureNet,
  trainFeatureNet,
} from '../../src/eval/quality/index.js';
import { saveFile } from '../../src/serialization/safetensors.js';
import { fromTypedArray, scope, tensor } from '../../src/tensor/index.js';
import { assertClose } from '../helpers.js';
import { barsDataset } from '../train/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'ncml-quality-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const train = barsDataset(64, 1);
const test_ = barsDataset(32, 9);
const trained = trainFeatureNet(train, test_, { steps: 60, batchSize: 16, lr: 3e-3, seed: 1 });

test('the feature net learns the bars task and reports its test accuracy', () => {
  assert.ok(trained.info.testAccuracy >= 0.9, `accuracy ${trained.info.testAccuracy}`);
  assert.equal(trained.info.testAccuracy, classifierAccuracy(trained.net, test_));
  assert.equal(trained.info.steps, 60);
  assert.equal(trained.info.testCount, 32);
  // Seeded: the same seed gives the same net.
  const again = trainFeatureNet(train, test_, { steps: 5, batchSize: 16, seed: 1 });
  const other = trainFeatureNet(train, test_, { steps: 5, batchSize: 16, seed: 2 });
  const w = (n: typeof again.net) => Array.from(n.conv1.currentWeight().toArray() as Float32Array);
  const first = trainFeatureNet(train, test_, { steps: 5, batchSize: 16, seed: 1 });
  assert.deepEqual(w(again.net), w(first.net));
  assert.notDeepEqual(w(other.net), w(first.net));
});

test('a saved feature net loads with the same features', () => {
  const where = join(dir, 'net');
  saveFeatureNet(where, trained.net, trained.info);
  const loaded = loadFeatureNet(where);
  assert.deepEqual(loaded.info, trained.info);
  scope(() => {
    const a = extractFeatures(trained.net, test_).toArray() as Float64Array;
    const b = extractFeatures(loaded.net, test_).toArray() as Float64Array;
    assert.deepEqual(Array.from(b), Array.from(a));
    // Another batch size only changes rounding.
    const c = extractFeatures(loaded.net, test_, 7).toArray() as Float64Array;
    assertClose(Array.from(c), Array.from(a), 1e-4, 1e-5);
    assert.equal(a.length, 32 * trained.net.config.featureDim);
  });
  assert.throws(() => loadFeatureNet(join(dir, 'nothing')), /no feature net in .*feature-net\.json is missing/);
});

test('featureNetFor trains once per dataset, seed and recipe, then loads from the cache', () => {
  const cacheRoot = join(dir, 'cache');
  const first = featureNetFor('mnist', { seed: 3, steps: 3, batchSize: 8, cacheRoot });
  assert.equal(first.trained, true);
  assert.equal(first.dir, featureNetCacheDir('mnist', 3, cacheRoot, { steps: 3, batchSize: 8 }));
  assert.ok(existsSync(join(first.dir, FEATURE_NET_INFO)));
  assert.equal(first.info.dataset, 'mnist');
  const second = featureNetFor('mnist', { seed: 3, steps: 3, batchSize: 8, cacheRoot });
  assert.equal(second.trained, false);
  assert.deepEqual(second.info, first.info);
  // Another recipe is another net, not the cached one.
  const longer = featureNetFor('mnist', { seed: 3, steps: 4, batchSize: 8, cacheRoot });
  assert.equal(longer.trained, true);
  assert.equal(longer.info.steps, 4);
  assert.notEqual(longer.dir, first.dir);
  assert.notEqual(featureNetCacheDir('mnist', 3, cacheRoot, { steps: 3 }), first.dir);
  assert.notEqual(featureNetCacheDir('mnist', 4, cacheRoot, { steps: 3, batchSize: 8 }), first.dir);
  assert.match(featureNetCacheDir('mnist', 0, cacheRoot), /mnist-seed0-steps1500$/);
  assert.match(
    featureNetCacheDir('fashion-mnist:/some/dir', 0, cacheRoot, { steps: 30 }),
    /fashion-mnist-[0-9a-f]{10}-seed0-steps30$/,
  );
});

test('samples files: uint8 [n, C, H, W] under "samples", with clear errors otherwise', () => {
  const file = join(dir, 'samples.safetensors');
  scope(() => saveFile(file, { samples: fromTypedArray(train.images.slice(0, 5 * 64), [5, 1, 8, 8]) }));
  const s = loadSamplesFile(file);
  assert.deepEqual([s.count, s.channels, s.height, s.width], [5, 1, 8, 8]);
  assert.deepEqual(s.data, train.images.slice(0, 5 * 64));
  const wrong = join(dir, 'wrong.safetensors');
  scope(() => saveFile(wrong, { images: tensor([1, 2]) }));
  assert.throws(() => loadSamplesFile(wrong), /has no tensor 'samples' \(found: images\)/);
  scope(() => saveFile(wrong, { samples: tensor([[1, 2]]) }));
  assert.throws(() => loadSamplesFile(wrong), /'samples' is float32 \[1, 2\]; expected uint8 \[n, C, H, W\]/);
  assert.throws(() => loadSamplesFile(join(dir, 'missing.safetensors')), /does not exist/);
});

test('sample quality: each set beside the floor at its n; the test set against itself is 0', () => {
  const reference = barsDataset(40, 5);
  const r = evaluateSampleQuality(
    [
      { name: 'the test set itself', images: reference },
      {
        name: 'other bars',
        images: subsetDataset(
          barsDataset(64, 7),
          Int32Array.from({ length: 30 }, (_, i) => i),
        ),
      },
    ],
    { net: trained.net, test: reference, train, kid: { subsets: 10, subsetSize: 20 }, seed: 1 },
  );
  assert.deepEqual(
    r.rows.map((x) => [x.name, x.kind, x.n]),
    [
      ['the test set itself', 'images', 40],
      ['other bars', 'images', 30],
      ['real: train vs test (floor)', 'floor', 40],
      ['real: train vs test (floor)', 'floor', 30],
    ],
  );
  assert.ok(Math.abs(r.rows[0]!.fid) < 1e-6, `${r.rows[0]!.fid}`);
  for (const row of r.rows.slice(1)) assert.ok(row.fid > 0 && Number.isFinite(row.kid.mean));
  assert.throws(
    () =>
      evaluateSampleQuality([{ name: 'x', images: barsDataset(100, 2) }], { net: trained.net, test: reference, train }),
    /the floor at n = 100 needs 100 training images; there are 64/,
  );
});
