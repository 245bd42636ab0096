// kill -9 in the middle of writing a checkpoint leaves the previous checkpoints
// intact and loadable, and training resumes from them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { latestCheckpoint, listCheckpoints } from '../../src/runs/index.js';
import { Trainer } from '../../src/train/index.js';
import { barsDataset, tinyConfig } from './fixtures.js';
import { tempDir } from '../helpers.js';

const child = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'train-child.js');

function runUntilPausedThenKill(runDir: string, pauseAt: number, pauseAfter: string): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, runDir, String(pauseAt), pauseAfter], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    proc.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('PAUSED')) proc.kill('SIGKILL');
    });
    proc.on('exit', (code, signal) =>
      signal ? resolve(signal) : reject(new Error(`child exited ${code}: ${stderr}`)),
    );
  });
}

for (const pauseAfter of ['model.safetensors', 'trainer.safetensors', 'state.json']) {
  test(`killed after writing ${pauseAfter} of a checkpoint: the previous ones load and training resumes`, async () => {
    const runDir = tempDir('ncml-kill-');
    assert.equal(await runUntilPausedThenKill(runDir, 5, pauseAfter), 'SIGKILL');
    assert.deepEqual(
      listCheckpoints(runDir).map((c) => c.step),
      [2, 3, 4],
      'step 5 was being written: only complete checkpoints are listed',
    );
    assert.ok(
      readdirSync(join(runDir, 'checkpoints')).some((n) => n.startsWith('.tmp-')),
      'the partial save is left behind',
    );
    const trainer = new Trainer(tinyConfig({ steps: 7 }), runDir, {
      data: { train: barsDataset(), validation: null },
      resumeFrom: latestCheckpoint(runDir)!,
    });
    assert.equal(trainer.step, 4);
    assert.ok(!readdirSync(join(runDir, 'checkpoints')).some((n) => n.startsWith('.tmp-')), 'resuming cleans it up');
    const summary = await trainer.run();
    assert.equal(summary.steps, 7);
  });
}
