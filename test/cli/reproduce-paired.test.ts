// Paired differences over the same test images, read back from the files an
// `ncml eval lsb` writes.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { pairedDifference, perImageGap, readPerExampleLsb } from '../../src/cli/reproduce/paired.js';
import { meanAndStandardError } from '../../src/eval/bits-per-dim.js';
import { writePerExampleCsv } from '../../src/eval/result.js';
import { assertClose, tempDir } from '../helpers.js';

test('the paired difference is the mean of per-image differences with its own standard error', () => {
  const a = [3.1, 2.9, 4.0, 3.5, 2.2];
  const b = [3.0, 2.7, 3.9, 3.4, 2.0];
  const d = pairedDifference(a, b)!;
  const { mean, standardError } = meanAndStandardError(a.map((v, i) => v - b[i]!));
  assertClose(d.d, mean, 1e-12);
  assertClose(d.half, 1.959964 * standardError, 1e-9);
  assertClose(d.low, d.d - d.half, 1e-12);
  // Images hard for both models: the paired interval is far narrower than the independent one.
  const independent =
    1.959964 * Math.hypot(meanAndStandardError(a).standardError, meanAndStandardError(b).standardError);
  assert.ok(d.half < independent / 5, `${d.half} vs ${independent}`);
  assert.equal(pairedDifference(a, b.slice(1)), null, 'different image sets are not paired');
  assert.equal(pairedDifference([1], [2]), null);
  assert.equal(pairedDifference(undefined, b), null);
});

test('per-image values are read by model label and flip rate from an eval lsb directory', () => {
  const dir = tempDir('ncml-paired-');
  mkdirSync(dir, { recursive: true });
  const models = [
    { label: 'runs/x@250', step: 250, rows: [{ pi: 0 }, { pi: 1 }] },
    { label: 'runs/x@500', step: 500, rows: [{ pi: 0 }, { pi: 1 }] },
  ];
  writeFileSync(join(dir, 'result.json'), JSON.stringify({ kind: 'lsb', models }));
  writePerExampleCsv(join(dir, 'per-example.csv'), {
    index: [0, 1, 2],
    'runs/x@250 pi=0': [3, 3.5, 4],
    'runs/x@250 pi=1': [8, 8, 9],
    'runs/x@500 pi=0': [2.5, 3, 3.5],
    'runs/x@500 pi=1': [7, 7.5, 8],
  });
  const read = readPerExampleLsb(dir);
  assert.deepEqual(
    read.map((m) => m.step),
    [250, 500],
  );
  assert.deepEqual(Array.from(read[1]!.byPi.get(0)!), [2.5, 3, 3.5]);
  assert.deepEqual(Array.from(perImageGap(read[0])!), [5, 4.5, 5]);
  assert.deepEqual(readPerExampleLsb(join(dir, 'absent')), []);
  writeFileSync(join(dir, 'result.json'), '{ not json');
  assert.deepEqual(readPerExampleLsb(dir), [], 'a corrupt result reads as absent');
});
