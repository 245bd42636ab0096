// Nothing above src/tensor allocates on the CPU when its inputs are elsewhere.
// libtorch 1.13 has no 'meta' kernels for convolutions or the mixture's
// log-sigmoid, so a whole NCPN forward cannot trace on meta; every piece that
// makes tensors of its own is traced there instead. Each would throw
// ("expected all tensors to be on the same device") or return a CPU tensor
// if it allocated on the CPU.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { makeBatch } from '../../src/data/batch.js';
import { DataLoader } from '../../src/data/loader.js';
import { withOnesChannel } from '../../src/models/ncpn/ncpn.js';
import { causalMask } from '../../src/models/ncpn/axial-attention.js';
import { createSde } from '../../src/ncml/sde/index.js';
import { sampleT } from '../../src/ncml/t-distribution.js';
import { full, randn } from '../../src/tensor/index.js';
import { barsDataset } from '../train/fixtures.js';

test('the ones channel follows the input device', () => {
  const x = withOnesChannel(randn([2, 3, 5, 5], { device: 'meta' }));
  assert.equal(x.device, 'meta');
  assert.deepEqual(x.shape, [2, 4, 5, 5]);
});

test('attention masks are cached per device', () => {
  const meta = causalMask(6, 'meta');
  const cpu = causalMask(6, 'cpu');
  assert.equal(meta.device, 'meta');
  assert.equal(cpu.device, 'cpu');
  assert.equal(causalMask(6, 'meta'), meta, 'the same length and device reuse one mask');
});

test('noise levels are drawn on the requested device, for every distribution', () => {
  for (const mu of [
    { kind: 'clean' },
    { kind: 'uniform' },
    { kind: 'grid', levels: 4 },
    { kind: 'atom', p0: 0.5 },
  ] as const) {
    assert.equal(sampleT(mu, 0.1, 4, 'meta').device, 'meta', mu.kind);
  }
});

test('batches and SDE perturbations land on the requested device', () => {
  const ds = barsDataset(8);
  const batch = makeBatch(ds, [0, 1, 2], { uint8: true, device: 'meta' });
  assert.deepEqual([batch.x.device, batch.y.device, batch.xUint8?.device], ['meta', 'meta', 'meta']);
  const loaded = new DataLoader(ds, { batchSize: 4, device: 'meta' }).nextBatch();
  assert.equal(loaded.x.device, 'meta');
  const { xt } = createSde('vp').perturb(batch.x, full([3], 0.05, { device: 'meta' }));
  assert.equal(xt.device, 'meta');
});
