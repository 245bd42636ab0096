// `ncml reproduce --budget 3m` end to end: two models trained with equal
// steps, every evaluation, samples, and a results page whose claim rows are
// judged from the run's own files; a second run continues instead of redoing;
// --sweep then adds the variants and the budget curve, and --publish the docs page.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { localLinks } from '../../src/cli/reproduce/publish.js';
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
  assert.match(page, /\| ncml-vp \| two-phase \| \d+ \| [\d.]+ \|/, 'the sample-quality table has the two-phase row');
  assert.match(page, /## Where the time went[\s\S]*\| train:mle \| [\d.]+ \|/);
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

  // --sweep extends the finished reproduction: the variants at half the steps, the budget curve.
  const docs = join(dirname(out), 'docs');
  // One variant keeps the test short; the others train and are evaluated the same way.
  const swept = ncml([
    'reproduce',
    '--budget',
    '3m',
    '--sdes',
    'vp',
    '--out',
    out,
    '--sweep',
    'mu-uniform',
    '--publish',
    docs,
  ]);
  assert.equal(swept.status, 0, swept.stderr);
  assert.doesNotMatch(swept.stderr, /train (mle|ncml-vp)\b/, 'the main models are not trained again');
  const half = trainedSteps(join(out, 'sweep-mu-uniform'));
  assert.ok(half > 0 && half <= steps / 2 + 10, `sweep steps ${half} vs main ${steps}`);
  const sweptPage = readFileSync(join(out, 'results.md'), 'utf8');
  assert.match(sweptPage, /## Sweep/);
  assert.equal(existsSync(join(out, 'sweep-continuous')), false, 'only the variant asked for');
  for (const name of ['sweep-mu-uniform']) {
    // bpd, its paired cost over the MLE at the same step, Delta log p.
    const row = `\\| ${name} \\| [^|]+ \\| [\\d.]+ ± [\\d.]+ \\| [+-][\\d.]+ ± [\\d.]+ \\| [\\d.]+ ± [\\d.]+ \\|`;
    assert.match(sweptPage, new RegExp(row), name);
  }
  // The budget curve has a row per kept checkpoint, with both models measured.
  const curve = sweptPage.match(
    /^\| \d+ \| [\d.]+ ± [\d.]+ \| [\d.]+ ± [\d.]+ \| [\d.]+ ± [\d.]+ \| [\d.]+ ± [\d.]+ \|/gm,
  );
  assert.ok(curve !== null && curve.length >= 2, sweptPage);

  // The published page links only files that were published beside it.
  const published = readFileSync(join(docs, 'results.md'), 'utf8');
  const links = localLinks(published);
  assert.ok(links.length >= 5 && links.every((l) => l.startsWith('results/')), links.join(' '));
  for (const l of links) assert.ok(existsSync(join(docs, l)), l);
  assert.ok(readdirSync(join(docs, 'results', 'samples')).includes('ncml-vp-two-phase.png'));
});
