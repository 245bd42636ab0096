// The pieces of data-parallel training that need no peers: a sharded loader
// walks the same order as the unsharded one, the global-batch draws of the
// objective, and the launcher flags' combinations.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchFlags } from '../../src/cli/train-flags.js';
import { DataLoader } from '../../src/data/loader.js';
import { createSde } from '../../src/ncml/sde/index.js';
import { NCPN } from '../../src/models/ncpn/ncpn.js';
import { forkRng, scope } from '../../src/tensor/index.js';
import { ncmlObjective } from '../../src/train/objective.js';
import { barsDataset, tinyConfig } from '../train/fixtures.js';

test('the shards of a global batch are its consecutive parts, epoch after epoch', () => {
  const ds = barsDataset(20);
  const whole = new DataLoader(ds, { batchSize: 6, seed: 3, dropLast: true });
  const shards = [0, 1, 2].map(
    (rank) => new DataLoader(ds, { batchSize: 6, seed: 3, dropLast: true, shard: { rank, worldSize: 3 } }),
  );
  for (let step = 0; step < 7; step++) {
    const expected = whole.nextBatch();
    const parts = shards.map((s) => s.nextBatch());
    assert.deepEqual(
      parts.flatMap((p) => [...p.indices]),
      [...expected.indices],
      `step ${step}`,
    );
    assert.deepEqual(shards[1]!.position, whole.position, 'positions do not depend on the rank');
    for (const b of [expected, ...parts]) [b.x, b.y].forEach((t) => t.dispose());
  }
  assert.throws(
    () => new DataLoader(ds, { batchSize: 5, dropLast: true, shard: { rank: 0, worldSize: 2 } }),
    /does not split evenly over 2/,
  );
  assert.throws(() => new DataLoader(ds, { batchSize: 4, shard: { rank: 0, worldSize: 2 } }), /needs dropLast/);
  assert.throws(
    () => new DataLoader(ds, { batchSize: 4, dropLast: true, shard: { rank: 2, worldSize: 2 } }),
    /rank must be in 0\.\.worldSize-1/,
  );
});

test("a shard's noise levels and perturbed losses are the global batch's rows", () => {
  const config = tinyConfig();
  const model = new NCPN(config.model);
  const sde = createSde(config.sde);
  const x = barsDataset(8);
  const loader = new DataLoader(x, { batchSize: 8, seed: 1, dropLast: true, shuffle: false });
  scope(() => {
    const batch = loader.nextBatch();
    const opts = { sde, mu: config.mu, noisyLikelihood: config.noisyLikelihood };
    const whole = forkRng(() => ncmlObjective(model, batch.x, null, opts), 5);
    for (const rank of [0, 1]) {
      const part = forkRng(
        () => ncmlObjective(model, batch.x.narrow(0, 4 * rank, 4), null, { ...opts, shard: { rank, worldSize: 2 } }),
        5,
      );
      assert.deepEqual([...part.t.toArray()], [...whole.t.narrow(0, 4 * rank, 4).toArray()]);
      const a = part.bitsPerDim.toArray() as Float32Array;
      const b = whole.bitsPerDim.narrow(0, 4 * rank, 4).toArray() as Float32Array;
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-4, `rank ${rank} example ${i}: ${v} vs ${b[i]}`));
    }
  });
  model.dispose();
});

test('launcher flags: --nproc alone, or --rendezvous with --rank and --world-size', () => {
  assert.deepEqual(launchFlags({ nproc: 2, distTimeout: 60 }), { nproc: 2, distTimeout: 60 });
  assert.deepEqual(launchFlags({ rendezvous: 'tcp://h:1', rank: 1, worldSize: 2 }), {
    rendezvous: 'tcp://h:1',
    rank: 1,
    worldSize: 2,
  });
  assert.deepEqual(launchFlags({ lr: 1 }), {});
  assert.throws(() => launchFlags({ nproc: 2, rank: 0 }), /--nproc launches its own local rendezvous/);
  assert.throws(() => launchFlags({ rank: 0, worldSize: 2 }), /need --rendezvous/);
  assert.throws(() => launchFlags({ rendezvous: 'tcp://h:1', rank: 0 }), /--rendezvous needs --rank and --world-size/);
  assert.throws(
    () => launchFlags({ rendezvous: 'tcp://h:1', rank: 2, worldSize: 2 }),
    /--rank 2 is not below --world-size 2/,
  );
});
