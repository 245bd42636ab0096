// `ncml reproduce --budget 3m` end to end: two models trained with equal
// steps, every evaluation, samples, and a results page whose claim rows are
// judged from the run's own files; a second run continues instead of redoing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { trainedSteps } from '../../src/cli/reproduce/steps.js';
import { tempDir } from '../helpers.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const ncml = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

test('a 3-minute smoke reproduction runs end to end and a re-run continues it', () => {
  const out = join(tempDir('ncml-reproduce-'), 'repro');
  // One SDE keeps the test to two models; the other SDEs run the same steps.
  const r = ncml(['reproduce', '--budget', '3m', '--sdes', 'vp', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const steps = trainedSteps(join(out, 'mle'));
  assert.ok(steps > 0);
  assert.equal(trainedSteps(join(out, 'ncml-vp')), steps, 'equal budgets: the same number of steps');
  const page = readFileSync(join(out, 'results.md'), 'utf8');
  assert.match(page, /Smoke run/);
  for (const id of ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7']) {
    assert.match(page, new RegExp(`\\| ${id} .*\\| \\*\\*(held|did not hold|inconclusive|not measured)\\*\\* \\|`), id);
  }
  const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
    claims: { id: string; verdict: string }[];
  };
  assert.equal(json.claims.length, 7);
  // Everything the claims read was measured in this run.
  assert.ok(
    json.claims.filter((c) => c.id !== 'C7').every((c) => c.verdict !== 'not measured'),
    JSON.stringify(json.claims),
  );
  for (const f of [
    'mle/eval/lsb/result.json',
    'eval/noise/result.json',
    'eval/ood/result.json',
    'samples/ncml-vp-two-phase.png',
    'samples/ncml-vp-ar.png',
  ]) {
    assert.ok(existsSync(join(out, f)), f);
  }
  const again = ncml(['reproduce', '--budget', '3m', '--sdes', 'vp', '--out', out]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /continuing the reproduction/);
  assert.doesNotMatch(again.stderr, /\[reproduce \d+\/\d+\]/, 'every step was done: nothing runs again');
});
