// metrics.jsonl: typed entries, damaged lines reported rather than thrown.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { appendMetric, entriesOf, parseMetrics, readMetrics, truncateMetrics } from '../../src/runs/metrics.js';
import { tempDir } from '../helpers.js';

const train = (step: number, loss: number) => ({
  type: 'train' as const,
  step,
  loss,
  buckets: { 't=0': loss },
  lr: 1e-3,
  gradNorm: 1,
  stepsPerSecond: 1,
  imagesPerSecond: 32,
  skippedSteps: 0,
  elapsedSeconds: step,
});

test('entries round-trip; NaN is written as null; a cut last line is a problem, not an exception', () => {
  const dir = tempDir('ncml-metrics-');
  appendMetric(dir, train(10, 3.5));
  appendMetric(dir, train(20, NaN));
  appendMetric(dir, { type: 'eval', step: 20, bitsPerDim: 3.1, examples: 100 });
  appendMetric(dir, { type: 'checkpoint', step: 20, path: 'x' });
  appendFileSync(join(dir, 'metrics.jsonl'), '{"type":"train","step":30,"lo');
  const m = readMetrics(dir);
  assert.equal(m.entries.length, 4);
  assert.equal(entriesOf(m, 'train')[1]?.loss, null);
  assert.equal(entriesOf(m, 'eval')[0]?.bitsPerDim, 3.1);
  assert.deepEqual(m.problems, [{ line: 5, message: 'not valid JSON (cut mid-write?)' }]);
});

test('entries of unknown kinds or with wrong fields are named with their line', () => {
  const m = parseMetrics('{"type":"sample","step":1}\n{"type":"eval","step":"x","bitsPerDim":1,"examples":1}\n');
  assert.equal(m.entries.length, 0);
  assert.equal(m.problems.length, 2);
  assert.match(m.problems[0]!.message, /type/);
  assert.match(m.problems[1]!.message, /step/);
});

test('appendMetric refuses an invalid entry, so the file only holds what readers accept', () => {
  const dir = tempDir('ncml-metrics-');
  assert.throws(() => appendMetric(dir, { type: 'eval', step: -1, bitsPerDim: 1, examples: 1 }));
  assert.deepEqual(readMetrics(dir), { entries: [], problems: [] });
});

test('truncateMetrics keeps entries up to the resumed step and drops damaged lines', () => {
  const dir = tempDir('ncml-metrics-');
  for (const s of [10, 20, 30]) appendMetric(dir, train(s, 3));
  appendFileSync(join(dir, 'metrics.jsonl'), 'garbage\n');
  truncateMetrics(dir, 20);
  const m = readMetrics(dir);
  assert.deepEqual(
    m.entries.map((e) => e.step),
    [10, 20],
  );
  assert.equal(m.problems.length, 0);
  writeFileSync(join(dir, 'metrics.jsonl'), '');
  assert.equal(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'), '');
});
