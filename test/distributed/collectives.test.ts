// c10d's Gloo collectives through the binding, between real processes over
// loopback: values for 2 and 3 ranks (TCPStore and FileStore rendezvous), a
// mismatched call refused with c10d's message, a dead peer named, a silent
// peer timing out. Plus the parts that need no peers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { freePort } from '../../src/cli/launcher.js';
import {
  allReduce,
  assignBuckets,
  destroyProcessGroup,
  DistributedError,
  initProcessGroup,
  isAvailable,
  parseInitMethod,
} from '../../src/distributed/index.js';
import { tensor } from '../../src/tensor/index.js';
import { runRanks } from './helpers.js';

const tri = (n: number) => (n * (n + 1)) / 2;

async function values(worldSize: number, initMethod: string) {
  const runs = await runRanks('ddp-collectives.js', worldSize, (rank) => ({
    rank,
    worldSize,
    initMethod,
    scenario: 'values',
  }));
  const n = worldSize;
  const ranks = Array.from({ length: n }, (_, r) => r);
  const sumRank = ranks.reduce((a, b) => a + b, 0);
  for (const r of runs) {
    assert.equal(r.code, 0, `rank ${r.rank}: ${r.stderr}`);
    const v = (k: string) => r.results.get(k);
    assert.deepEqual(v('sum'), [tri(n), 10 * tri(n)]);
    assert.deepEqual(v('avg'), [sumRank / n, (2 * sumRank) / n]);
    assert.deepEqual(v('max'), [n - 1, 0]);
    assert.deepEqual(
      v('sumInt64'),
      [0, 1, 2].map((i) => n * i + sumRank),
    );
    assert.deepEqual(v('sumList'), [[sumRank], [n, n, sumRank]], 'each tensor of a list is reduced on its own');
    assert.equal(v('asyncWaited'), true);
    assert.deepEqual(v('broadcast'), [7, 8, 9]);
    assert.equal(v('barrier'), true);
    assert.deepEqual(
      v('allGather'),
      ranks.map((k) => [k, 10 * k]),
    );
    assert.deepEqual(v('object'), { config: { lr: 0.001 }, text: 'ünïcode' });
    assert.deepEqual(v('coalescedSum'), [
      [tri(n), tri(n), tri(n)],
      [0, 1, 2, 3].map((i) => n * i + sumRank),
      [1, 1, 1, 1].map(() => 2 * sumRank),
    ]);
    assert.deepEqual(v('coalescedBroadcast'), [
      [0, 0, 0, 0, 0],
      [0, 1],
    ]);
    assert.equal(v('destroyed'), true);
  }
}

test('allReduce, broadcast, barrier, allGather and the coalesced forms: 2 processes over a TCPStore', async () => {
  await values(2, `tcp://127.0.0.1:${await freePort()}`);
});

test('the same values with 3 processes', async () => {
  await values(3, `tcp://127.0.0.1:${await freePort()}`);
});

test('a FileStore rendezvous works like a TCPStore', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ncml-filestore-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await values(2, `file://${join(dir, 'store')}`);
});

test('ranks calling with different shapes get c10d mismatch error, and the group goes on', async () => {
  const initMethod = `tcp://127.0.0.1:${await freePort()}`;
  const runs = await runRanks('ddp-collectives.js', 2, (rank) => ({
    rank,
    worldSize: 2,
    initMethod,
    scenario: 'mismatch',
  }));
  for (const r of runs) {
    assert.equal(r.code, 0, r.stderr);
    const e = r.results.get('mismatch') as { distributed: boolean; message: string };
    assert.equal(e.distributed, true);
    assert.match(e.message, /Detected mismatch between collectives on ranks/);
    assert.match(e.message, /TensorShape=\[2\]/);
    assert.match(e.message, /TensorShape=\[3\]/);
    assert.deepEqual(r.results.get('afterMismatch'), [2]);
  }
});

test('a peer that dies is named by the others, without waiting for the timeout', async () => {
  const initMethod = `tcp://127.0.0.1:${await freePort()}`;
  const runs = await runRanks('ddp-collectives.js', 3, (rank) => ({
    rank,
    worldSize: 3,
    initMethod,
    scenario: 'die',
    timeoutSeconds: 120,
  }));
  assert.equal(runs[2]!.code, 3);
  for (const r of runs.slice(0, 2)) {
    const e = r.results.get('lost') as { distributed: boolean; message: string; lostRanks: number[]; seconds: number };
    assert.ok(e !== null, `rank ${r.rank}'s collective should fail`);
    assert.equal(e.distributed, true);
    assert.deepEqual(e.lostRanks, [2]);
    assert.match(e.message, new RegExp(`allReduce failed on rank ${r.rank} of 3: .*lost rank 2`, 's'));
    assert.ok(e.seconds < 60, `failed after ${e.seconds} s, well before the 120 s timeout`);
  }
});

test('a peer that never joins the collective makes it fail after the timeout', async () => {
  const initMethod = `tcp://127.0.0.1:${await freePort()}`;
  const runs = await runRanks('ddp-collectives.js', 2, (rank) => ({
    rank,
    worldSize: 2,
    initMethod,
    scenario: 'timeout',
    timeoutSeconds: 3,
  }));
  const e = runs[0]!.results.get('timeout') as {
    distributed: boolean;
    message: string;
    lostRanks: number[];
    seconds: number;
  };
  assert.equal(e.distributed, true);
  // Gloo's timeout, or (with the call checks) c10d's monitored barrier naming the rank that did not come.
  assert.match(
    e.message,
    /allReduce failed on rank 0 of 2: .*(Timed out|Ranks 1 failed to pass monitoredBarrier in 3000 ms)/s,
  );
  assert.deepEqual(e.lostRanks, [], 'the silent rank is alive');
  assert.ok(e.seconds >= 3 && e.seconds < 20, `failed after ${e.seconds} s`);
});

test('a single-process group reduces to itself; a destroyed group refuses collectives', async () => {
  assert.equal(isAvailable().gloo, true);
  const group = initProcessGroup({ initMethod: `tcp://127.0.0.1:${await freePort()}`, rank: 0, worldSize: 1 });
  const t = tensor([1.5, -2]);
  allReduce(t, { op: 'avg', group });
  assert.deepEqual([...t.toArray()], [1.5, -2]);
  assert.throws(() => allReduce(tensor([1, 2]).expand([2, 2]), { group }), /not a dense contiguous tensor/);
  assert.throws(() => allReduce(tensor([1, 2]).long(), { op: 'avg', group }), /avg needs floating-point/);
  destroyProcessGroup(group);
  assert.throws(() => allReduce(t, { group }), DistributedError);
});

test('init methods and bucket assignment', () => {
  assert.deepEqual(parseInitMethod('tcp://10.0.0.1:29500'), { kind: 'tcp', host: '10.0.0.1', port: 29500 });
  assert.deepEqual(parseInitMethod('tcp://[::1]:80'), { kind: 'tcp', host: '::1', port: 80 });
  assert.deepEqual(parseInitMethod('file:///tmp/x'), { kind: 'file', path: '/tmp/x' });
  assert.deepEqual(parseInitMethod('env://', { MASTER_ADDR: 'h', MASTER_PORT: '7' }), {
    kind: 'tcp',
    host: 'h',
    port: 7,
  });
  assert.throws(() => parseInitMethod('tcp://host'), /expected tcp:\/\/host:port/);
  assert.throws(() => parseInitMethod('tcp://host:99999'), /1\.\.65535/);
  assert.throws(() => parseInitMethod('env://', {}), /MASTER_ADDR and MASTER_PORT/);
  assert.throws(() => parseInitMethod('http://x'), /unknown init method/);
  const f32 = (n: number) => ({ shape: [n], dtype: 'float32' as const, device: 'cpu' });
  // 40-byte cap: 4+4 floats fit, the 20-float tensor gets its own bucket, int64s go apart.
  assert.deepEqual(
    assignBuckets([f32(4), f32(4), f32(20), f32(2), { shape: [2], dtype: 'int64', device: 'cpu' }], 40),
    [[0, 1], [2], [3], [4]],
  );
});
