// The job runner with real ncml commands in child processes: a job that
// writes its file is done, a failing one carries the command's message, one
// job runs per checkpoint, cancelling kills the process, closing kills all.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { HttpError } from '../../src/dashboard/http.js';
import { JobRunner, progressOf } from '../../src/dashboard/job-runner.js';
import { cli, makeTinyDataset, tinyTrainArgs } from './fixtures.js';

let dir: string;
let dataset: string;
const runners: JobRunner[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ncml-dash-jobs-'));
  dataset = makeTinyDataset(join(dir, 'data'));
});

after(async () => {
  await Promise.all(runners.map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
});

function runner(maxJobs = 2): JobRunner {
  const r = new JobRunner({ cliPath: cli, maxJobs, killGraceSeconds: 5 });
  runners.push(r);
  return r;
}

const spec = (checkpoint: string, args: string[], output: string) => ({
  kind: 'test',
  runId: 'r',
  checkpoint,
  args,
  output,
  settings: { args },
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('progress is read from log lines: a percentage, else the last k/n', () => {
  assert.equal(progressOf('sampling |#####     | 50% | 2.0 it/s'), 0.5);
  assert.equal(progressOf('phase 1: row 7/28'), 0.25);
  assert.equal(progressOf('phase 2: step 3/4, row 28/28 done'), 1);
  assert.equal(progressOf('loading the checkpoint'), null);
  assert.equal(progressOf('row 0/0'), null);
  // Two phases: phase 1 fills the first half, phase 2 the second.
  assert.equal(progressOf('phase 1: autoregressive at t0 = 0.05: 14/28 rows, 1.20 it/s', 2), 0.25);
  assert.equal(progressOf('phase 2: refinement: 5/10 steps, 3.1 it/s, ETA 0:02', 2), 0.75);
});

test('a command that writes its file is done; its output is that file', async () => {
  const r = runner();
  const out = join(dir, 'grid.png');
  const job = r.start(spec('a', ['data', 'info', '--dataset', dataset, '--png', out], out));
  assert.equal(job.state, 'running');
  const ended = await r.wait(job.id);
  assert.equal(ended?.state, 'done', ended?.error ?? '');
  assert.equal(ended?.output, out);
  assert.equal(ended?.progress, 1);
  assert.ok(existsSync(out));
});

test("a failing command's error is its last lines; exiting 0 without the file is a failure too", async () => {
  const r = runner();
  const bad = r.start(spec('a', ['data', 'info', '--dataset', join(dir, 'no-such-folder')], join(dir, 'x.png')));
  const failed = await r.wait(bad.id);
  assert.equal(failed?.state, 'failed');
  assert.match(failed?.error ?? '', /no-such-folder[\s\S]*\(exit 1\)/);
  const quiet = r.start(spec('a', ['data', 'info', '--dataset', dataset], join(dir, 'never.png')));
  const q = await r.wait(quiet.id);
  assert.equal(q?.state, 'failed');
  assert.match(q?.error ?? '', /finished but wrote no .*never\.png/);
});

test('one job per checkpoint, a limit over all, and cancelling kills the process', async () => {
  const r = runner(2);
  const long = (name: string) => tinyTrainArgs(dataset, join(dir, name), 1_000_000);
  const first = r.start(spec('ckpt-1', long('run-1'), join(dir, 'never-1.png')));
  assert.throws(
    () => r.start(spec('ckpt-1', long('run-1b'), join(dir, 'never.png'))),
    (e: unknown) => e instanceof HttpError && e.status === 409 && /still running on this checkpoint/.test(e.message),
  );
  const second = r.start(spec('ckpt-2', long('run-2'), join(dir, 'never-2.png')));
  assert.throws(
    () => r.start(spec('ckpt-3', long('run-3'), join(dir, 'never-3.png'))),
    (e: unknown) => e instanceof HttpError && e.status === 503,
  );
  assert.equal(r.running.length, 2);
  assert.ok(first.pid !== undefined && alive(first.pid));
  r.cancel(first.id);
  const cancelled = await r.wait(first.id);
  assert.equal(cancelled?.state, 'cancelled');
  assert.equal(alive(first.pid), false);
  // The checkpoint is free again once its job ended.
  const again = r.start(spec('ckpt-1', long('run-1c'), join(dir, 'never-1c.png')));
  await r.close();
  assert.equal((await r.wait(second.id))?.state, 'cancelled');
  assert.equal((await r.wait(again.id))?.state, 'cancelled');
  assert.equal(r.running.length, 0);
  assert.throws(() => r.start(spec('ckpt-9', long('run-9'), join(dir, 'x.png'))), /shutting down/);
});
