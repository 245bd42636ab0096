// Reading a run directory from the outside, as the dashboard does: its status,
// the health of its checkpoints, damaged metrics lines, and the evaluation
// results and sample grids later commands wrote into it.
import assert from 'node:assert/strict';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { checkCheckpoint } from '../../src/runs/checkpoint-check.js';
import { listCheckpoints } from '../../src/runs/checkpoint.js';
import { parseMetrics, readMetrics } from '../../src/runs/metrics.js';
import { listEvalOutputs, listSampleGrids, readRunReport } from '../../src/runs/outputs.js';
import { readRunConfig } from '../../src/runs/run-dir.js';
import { MIN_QUIET_SECONDS, runStatus } from '../../src/runs/status.js';
import { makeTinyDataset, trainRun } from '../dashboard/fixtures.js';

let dir: string;
let run: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ncml-run-inspection-'));
  run = join(dir, 'run');
  trainRun(makeTinyDataset(join(dir, 'data')), run, 3);
});

after(() => rmSync(dir, { recursive: true, force: true }));

function copyRun(name: string): string {
  const to = join(dir, name);
  cpSync(run, to, { recursive: true });
  return to;
}

test('a run that reached its step limit is finished; one still short of it runs while it writes, then stopped', () => {
  const config = readRunConfig(run);
  assert.equal(runStatus(run, config, readMetrics(run)).status, 'finished');
  const resumed = copyRun('resumed');
  const longer = { ...config, steps: 10 };
  writeFileSync(join(resumed, 'config.json'), JSON.stringify(longer));
  const now = Date.now();
  const a = runStatus(resumed, longer, readMetrics(resumed), now);
  assert.equal(a.status, 'running');
  assert.ok(a.quietSeconds >= MIN_QUIET_SECONDS);
  assert.equal(runStatus(resumed, longer, readMetrics(resumed), a.lastWriteMs + 2 * a.quietSeconds * 1000).status, 'stopped');
  // Old files: stopped now as well.
  const old = new Date(now - 3600_000);
  for (const f of ['config.json', 'metrics.jsonl']) utimesSync(join(resumed, f), old, old);
  for (const c of listCheckpoints(resumed)) utimesSync(c.path, old, old);
  utimesSync(join(resumed, 'checkpoints'), old, old);
  assert.equal(runStatus(resumed, longer, readMetrics(resumed), now).status, 'stopped');
  // A time-budget run is finished once its checkpoint used the budget; a run without config never is.
  const budget = { ...config, steps: null, timeBudgetSeconds: 1e-3 };
  assert.equal(runStatus(run, budget, readMetrics(run)).status, 'finished');
  assert.notEqual(runStatus(run, null, readMetrics(run)).status, 'finished');
});

test('a metrics line cut mid-write is a problem, marked as the unterminated last line', () => {
  const text = readFileSync(join(run, 'metrics.jsonl'), 'utf8');
  const cut = parseMetrics(text + '{"type":"train","st');
  assert.equal(cut.cutLastLine, true);
  assert.equal(cut.entries.length, parseMetrics(text).entries.length);
  assert.match(cut.problems[0]?.message ?? '', /not valid JSON/);
  const damagedInside = parseMetrics('{"type":"train"\n' + text);
  assert.equal(damagedInside.cutLastLine, false);
  assert.equal(damagedInside.problems[0]?.line, 1);
  assert.equal(parseMetrics(text).cutLastLine, false);
});

test('checkCheckpoint finds truncated, missing and unreadable checkpoint files without loading weights', () => {
  const sound = checkCheckpoint(listCheckpoints(run).at(-1)!.path);
  assert.deepEqual(sound.problems, []);
  assert.equal(sound.state?.step, 3);
  const broken = copyRun('broken');
  const ckpt = listCheckpoints(broken).at(-1)!.path;
  truncateSync(join(ckpt, 'ema.safetensors'), 50);
  rmSync(join(ckpt, 'trainer.safetensors'));
  writeFileSync(join(ckpt, 'state.json'), '{"format": "ncml-checkpoint-1", "step": ');
  const health = checkCheckpoint(ckpt);
  assert.equal(health.state, null);
  assert.equal(health.problems.length, 3);
  assert.match(health.problems[0] ?? '', /state\.json: not valid JSON/);
  assert.match(health.problems.join('\n'), /ema\.safetensors'?: header length/);
  assert.match(health.problems.join('\n'), /trainer\.safetensors is missing/);
});

test('evaluation folders and sample grids are listed with their settings; damaged ones with a message', () => {
  const r = copyRun('outputs');
  const lsb = join(r, 'eval', 'lsb');
  mkdirSync(lsb, { recursive: true });
  writeFileSync(join(lsb, 'result.json'), JSON.stringify({ kind: 'lsb', rows: [] }));
  writeFileSync(join(lsb, 'result.md'), '# LSB\n');
  writeFileSync(join(lsb, 'bpd.png'), 'png');
  writeFileSync(join(lsb, 'per-example.csv'), 'a\n1\n');
  mkdirSync(join(r, 'eval', 'ood'));
  mkdirSync(join(r, 'eval', 'noise'));
  writeFileSync(join(r, 'eval', 'noise', 'result.json'), '{"kind": "noi');
  mkdirSync(join(r, 'samples', 'dashboard'), { recursive: true });
  writeFileSync(join(r, 'samples', 'a.png'), 'png');
  writeFileSync(join(r, 'samples', 'a.json'), JSON.stringify({ method: 'ar', seed: 3 }));
  writeFileSync(join(r, 'samples', 'dashboard', 'b.png'), 'png');
  writeFileSync(join(r, 'grid.png'), 'png');
  writeFileSync(join(r, 'samples', 'c.png'), 'png');
  writeFileSync(join(r, 'samples', 'c.json'), '[1, 2]');
  symlinkSync(join(r, 'grid.png'), join(r, 'samples', 'link.png'));
  writeFileSync(join(r, 'report.md'), '# Report\n');
  const t = (s: number) => new Date(Date.now() - s * 1000);
  utimesSync(join(r, 'samples', 'a.png'), t(30), t(30));
  utimesSync(join(r, 'samples', 'dashboard', 'b.png'), t(20), t(20));
  utimesSync(join(r, 'grid.png'), t(10), t(10));

  const evals = listEvalOutputs(r);
  assert.deepEqual(
    evals.map((e) => e.kind),
    ['lsb', 'noise', 'ood'],
  );
  const [l, noise, ood] = evals;
  assert.deepEqual(l?.result, { kind: 'lsb', rows: [] });
  assert.equal(l?.markdown, '# LSB\n');
  assert.deepEqual(l?.images, [join(lsb, 'bpd.png')]);
  assert.deepEqual(l?.files, [join(lsb, 'per-example.csv')]);
  assert.deepEqual(l?.problems, []);
  assert.match(noise?.problems[0] ?? '', /result\.json: not valid JSON/);
  assert.match(ood?.problems[0] ?? '', /result\.json is missing/);

  const grids = listSampleGrids(r);
  const names = grids.map((g) => g.png.slice(r.length + 1));
  assert.deepEqual(names.slice(1), ['grid.png', 'samples/dashboard/b.png', 'samples/a.png']);
  assert.equal(names[0], 'samples/c.png');
  assert.match(grids[0]?.problems[0] ?? '', /expected a JSON object/);
  assert.deepEqual(grids.find((g) => g.png.endsWith('a.png'))?.settings, { method: 'ar', seed: 3 });
  assert.equal(grids.find((g) => g.png.endsWith('b.png'))?.settings, null);
  assert.equal(readRunReport(r), '# Report\n');
  assert.equal(readRunReport(run), null);
});
