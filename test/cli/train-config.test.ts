// `ncml train` as a new user tries it: every typed flag overrides a --config
// file, a file is an overlay on the defaults, and on --resume a flag that would
// change the model or the objective is refused by field name.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import type { TrainConfig } from '../../src/runs/config.js';
import { tempDir } from '../helpers.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const FAST = ['--steps', '1', '--batch-size', '4', '--validation', '20', '--eval-examples', '4', '--mixtures', '2'];

function ncml(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}
const savedConfig = (run: string) => JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as TrainConfig;

test('flags override the --config file: --sde and --preset are not ignored', () => {
  const dir = tempDir('ncml-cli-config-');
  const file = join(dir, 'run.json');
  writeFileSync(
    file,
    JSON.stringify({ lr: 0.0002, sde: { kind: 'vp', T: 0.05 }, model: { nrResnet: 1, nrFilters: 16 } }),
  );
  const out = join(dir, 'run');
  const r = ncml([
    'train',
    '--config',
    file,
    '--sde',
    've',
    '--preset',
    'small',
    '--filters',
    '8',
    ...FAST,
    '--out',
    out,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const c = savedConfig(out);
  assert.equal(c.sde.kind, 've', 'the typed --sde wins over the file');
  assert.equal(c.sde.T, 0.5, "a new SDE kind starts from that kind's defaults");
  assert.equal(c.model.nrResnet, 2, 'the typed --preset small wins over the file');
  assert.equal(c.model.nrFilters, 8, 'one-field flags apply after the preset');
  assert.equal(c.lr, 0.0002, 'what no flag sets comes from the file');
});

test("--sde naming the kind the file already has keeps the file's SDE parameters", () => {
  const dir = tempDir('ncml-cli-config-');
  const file = join(dir, 'run.json');
  writeFileSync(file, JSON.stringify({ sde: { kind: 'vp', T: 0.3 } }));
  const out = join(dir, 'run');
  const r = ncml(['train', '--config', file, '--sde', 'vp', '--dataset', 'mnist', '--out', out, ...FAST]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(savedConfig(out).sde.T, 0.3);
});

test('a config file holding one field is a complete config', () => {
  const dir = tempDir('ncml-cli-config-');
  const file = join(dir, 'lr.json');
  writeFileSync(file, '{"lr": 0.0002}');
  const out = join(dir, 'run');
  const r = ncml(['train', '--config', file, '--filters', '8', ...FAST, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(savedConfig(out).lr, 0.0002);
  assert.equal(savedConfig(out).batchSize, 4);
});

test('a misspelled key in the file is named with the nearest valid one', () => {
  const dir = tempDir('ncml-cli-config-');
  const file = join(dir, 'typo.json');
  writeFileSync(file, '{"batchsize": 8}');
  const r = ncml(['train', '--config', file, '--steps', '1']);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /--config .*typo\.json: invalid training config: unknown key 'batchsize' \(did you mean 'batchSize'\?\)/,
  );
});

test('on --resume, flags that change the model or the objective are refused by field', () => {
  const out = join(tempDir('ncml-cli-config-'), 'run');
  const first = ncml(['train', '--filters', '8', ...FAST, '--out', out]);
  assert.equal(first.status, 0, first.stderr);
  const preset = ncml(['train', '--resume', out, '--preset', 'small', '--steps', '2']);
  assert.equal(preset.status, 1);
  assert.match(preset.stderr, /cannot resume .*model\.nrResnet: 1 in the checkpoint, 2 now/);
  const sde = ncml(['train', '--resume', out, '--sde', 've', '--steps', '2']);
  assert.equal(sde.status, 1);
  assert.match(sde.stderr, /sde\.kind: "vp" in the checkpoint, "ve" now/);
  const more = ncml(['train', '--resume', out, '--steps', '2', '--eval-every', '1']);
  assert.equal(more.status, 0, more.stderr);
  assert.match(more.stdout, /done: 2 steps/);
});

test('--out naming a file says a run directory is expected', () => {
  const dir = tempDir('ncml-cli-config-');
  const file = join(dir, 'taken.txt');
  writeFileSync(file, 'x');
  const r = ncml(['train', '--filters', '8', ...FAST, '--out', file]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /taken\.txt is a file; a run directory is expected there/);
  assert.doesNotMatch(r.stderr, /EEXIST/);
});
