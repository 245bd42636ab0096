// `ncml train --nproc 2` with one worker killed mid-training: the launcher
// and the surviving worker exit non-zero naming the lost rank within the
// timeout, the last checkpoint loads, and `--resume --nproc 2` continues.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { listCheckpoints, loadTrainedModel } from '../../src/runs/index.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const SMALL = ['--filters', '8', '--mixtures', '2', '--batch-size', '4', '--validation', '0', '--log-every', '1'];
const TIMEOUT_SECONDS = 30;

test('a killed worker stops the run naming its rank; the last checkpoint loads and --resume continues', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'ncml-kill-worker-'));
  const pids: number[] = [];
  t.after(() => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(out, { recursive: true, force: true });
  });
  const args = ['train', '--nproc', '2', ...SMALL, '--steps', '100000', '--checkpoint-every', '2'];
  const proc = spawn(process.execPath, [cli, ...args, '--dist-timeout', `${TIMEOUT_SECONDS}s`, '--out', out], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NCML_NUM_THREADS: '2' },
  });
  let stderr = '';
  let killedAt = 0;
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d;
    for (const m of stderr.matchAll(/worker rank (\d): pid (\d+)/g)) {
      const pid = Number(m[2]);
      if (!pids.includes(pid)) pids.push(pid);
    }
    const victim = /worker rank 1: pid (\d+)/.exec(stderr);
    if (killedAt === 0 && victim && /^step 5 /m.test(stderr)) {
      killedAt = performance.now();
      process.kill(Number(victim[1]), 'SIGKILL');
    }
  });
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  const seconds = (performance.now() - killedAt) / 1000;
  assert.ok(killedAt > 0, `training should have reached step 5:\n${stderr}`);
  assert.equal(code, 1, stderr);
  assert.match(stderr, /worker rank 1 was killed by SIGKILL/);
  assert.match(stderr, /ncml: rank 0: .*lost rank 1/s, 'the surviving rank names the lost one');
  assert.ok(seconds < TIMEOUT_SECONDS, `everything stopped ${seconds.toFixed(1)} s after the kill`);

  const saved = listCheckpoints(out);
  assert.ok(saved.length > 0 && saved.at(-1)!.step >= 4, `checkpoints: ${saved.map((c) => c.step)}`);
  const last = saved.at(-1)!;
  const loaded = loadTrainedModel(last.path);
  assert.equal(loaded.state.step, last.step);
  loaded.model.dispose();

  const resumed = spawnSync(
    process.execPath,
    [cli, 'train', '--resume', out, '--nproc', '2', '--steps', String(last.step + 2)],
    {
      encoding: 'utf8',
      env: { ...process.env, NCML_NUM_THREADS: '2' },
    },
  );
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`resuming from .*step-0*${last.step}`));
  assert.match(resumed.stdout, new RegExp(`done: ${last.step + 2} steps`));
});
