// The dashboard's HTTP surface with raw requests: only files inside --runs are
// served (traversal in every spelling refused), compute needs the token,
// bodies are limited and validated, unknown routes are 404, and damaged run
// files are messages on their run rather than errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
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
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { type Dashboard, startDashboard } from '../../src/dashboard/server.js';
import { cli, makeTinyDataset, trainRun } from './fixtures.js';

let root: string;
let runs: string;
let dash: Dashboard;
const SECRET = 'top-secret-outside-the-runs';

before(() => {
  root = mkdtempSync(join(tmpdir(), 'ncml-dash-server-'));
  runs = join(root, 'runs');
  const dataset = makeTinyDataset(join(root, 'data'));
  trainRun(dataset, join(runs, 'good'), 3);
  // A run whose metrics end in a line cut mid-write, long ago (so not "being written").
  mkdirSync(join(runs, 'cut'));
  copyFileSync(join(runs, 'good', 'config.json'), join(runs, 'cut', 'config.json'));
  writeFileSync(
    join(runs, 'cut', 'metrics.jsonl'),
    readFileSync(join(runs, 'good', 'metrics.jsonl'), 'utf8') + '{"type":"train","step":4,"lo',
  );
  const old = new Date(Date.now() - 3600_000);
  for (const f of ['config.json', 'metrics.jsonl']) utimesSync(join(runs, 'cut', f), old, old);
  // A run without its config, and one whose latest checkpoint lost most of its weights file.
  mkdirSync(join(runs, 'noconfig'));
  copyFileSync(join(runs, 'good', 'metrics.jsonl'), join(runs, 'noconfig', 'metrics.jsonl'));
  cpSync(join(runs, 'good'), join(runs, 'corrupt'), { recursive: true });
  truncateSync(join(runs, 'corrupt', 'checkpoints', 'step-00000003', 'ema.safetensors'), 100);
  // Things outside --runs, and links that point at them from inside a run.
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'outside', 'secret.png'), SECRET);
  writeFileSync(join(root, 'outside', 'secret.json'), JSON.stringify({ SECRET }));
  mkdirSync(join(runs, 'good', 'samples'));
  mkdirSync(join(runs, 'good', 'eval'));
  symlinkSync(join(root, 'outside', 'secret.png'), join(runs, 'good', 'samples', 'leak.png'));
  symlinkSync(join(root, 'outside'), join(runs, 'good', 'eval', 'leak'));
  symlinkSync(join(root, 'outside'), join(runs, 'linked-run'));
});

before(async () => {
  dash = await startDashboard({ runsDir: runs, port: 0 });
});

after(async () => {
  await dash?.close();
  rmSync(root, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  body: string;
}

/** Sends bytes exactly as given (no client-side path normalization) and reads the response. */
function raw(request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(dash.port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? NaN);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    socket.on('error', reject);
    socket.write(request);
  });
}

function get(path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const lines = Object.entries({ Host: `127.0.0.1:${dash.port}`, Connection: 'close', ...headers }).map(
    ([k, v]) => `${k}: ${v}`,
  );
  return raw(`GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
}

function post(path: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const all = {
    Host: `127.0.0.1:${dash.port}`,
    Connection: 'close',
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  };
  const lines = Object.entries(all).map(([k, v]) => `${k}: ${v}`);
  return raw(`POST ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
}

test('the page, its scripts and uPlot are served; the runs list names every run', async () => {
  assert.equal((await get('/')).status, 200);
  assert.equal((await get('/app/main.js')).status, 200);
  const uplot = await get('/vendor/uPlot.iife.min.js');
  assert.equal(uplot.status, 200);
  assert.match(uplot.body, /uPlot/);
  const r = await get('/api/runs');
  assert.equal(r.status, 200);
  const list = JSON.parse(r.body) as { runs: { id: string; status: string; step: number; problems: string[] }[] };
  assert.deepEqual(list.runs.map((x) => x.id).sort(), ['corrupt', 'cut', 'good', 'noconfig']);
  const good = list.runs.find((x) => x.id === 'good');
  assert.equal(good?.status, 'finished');
  assert.equal(good?.step, 3);
  assert.deepEqual(good?.problems, []);
});

test('damaged run files are messages on their run, and the other lines still count', async () => {
  const { runs: list } = JSON.parse((await get('/api/runs')).body) as {
    runs: { id: string; step: number | null; status: string; problems: string[] }[];
  };
  const by = new Map(list.map((r) => [r.id, r]));
  assert.match(by.get('cut')?.problems.join('\n') ?? '', /metrics\.jsonl line \d+: not valid JSON/);
  assert.equal(by.get('cut')?.step, 3);
  assert.equal(by.get('cut')?.status, 'stopped');
  assert.match(by.get('noconfig')?.problems.join('\n') ?? '', /has no config\.json/);
  assert.match(
    by.get('corrupt')?.problems.join('\n') ?? '',
    /latest checkpoint \(step 3\) is damaged: .*ema\.safetensors/,
  );
  const detail = await get('/api/run?id=corrupt');
  assert.equal(detail.status, 200);
  const d = JSON.parse(detail.body) as { checkpointList: { step: number; problems: string[] }[] };
  assert.ok(d.checkpointList.at(-1)?.problems.length);
});

const refused: [string, number][] = [
  ['/files/../outside/secret.png', 403],
  ['/files/%2e%2e/outside/secret.png', 403],
  ['/files/%2E%2E/outside/secret.json', 403],
  ['/files/%2e%2e%2foutside%2fsecret.png', 403],
  ['/files/good/../../outside/secret.png', 403],
  ['/files/good/..%5c..%5coutside%5csecret.png', 403],
  ['/files//etc/passwd', 403],
  ['/files/%2Fetc%2Fpasswd', 403],
  ['/files/good/./config.json', 403],
  ['/files/good/samples/leak.png', 403],
  ['/files/good/eval/leak/secret.png', 403],
  ['/files/linked-run/secret.json', 403],
  ['/files/good/checkpoints/step-00000003/ema.safetensors', 404],
  ['/files/good/missing.png', 404],
  ['/files/%E0%A4%A', 404],
  ['/app/../../package.json', 404],
  ['/../../etc/passwd', 404],
  ['/api/run?id=../outside', 403],
  ['/api/run?id=%2Fetc', 403],
  ['/api/run?id=good/eval/leak', 403],
  ['/api/run?id=linked-run', 403],
  ['/api/run?id=good/checkpoints', 404],
  ['/nope', 404],
  ['/api/nope', 404],
];

for (const [path, status] of refused) {
  test(`GET ${path} is refused with ${status}`, async () => {
    const r = await get(path);
    assert.equal(r.status, status, r.body);
    assert.ok(!r.body.includes(SECRET));
    assert.match(r.body, /"error"/);
  });
}

test('a file inside a run is served; symlinked entries are not listed', async () => {
  const r = await get('/files/good/config.json');
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).dataset.startsWith('folder:'), true);
  const d = JSON.parse((await get('/api/run?id=good')).body) as { samples: unknown[]; evals: unknown[] };
  assert.deepEqual(d.samples, []);
  assert.deepEqual(d.evals, []);
});

test('a request line with an absolute URL, or another Host, is refused', async () => {
  const absolute = `GET http://127.0.0.1/etc/passwd HTTP/1.1\r\nHost: 127.0.0.1:${dash.port}\r\nConnection: close\r\n\r\n`;
  assert.equal((await raw(absolute)).status, 400);
  assert.equal((await get('/api/runs', { Host: `rebound.example:${dash.port}` })).status, 403);
  assert.equal((await get('/api/runs', { Host: `localhost:${dash.port}` })).status, 200);
});

const job = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ kind: 'sample', run: 'good', checkpoint: 3, method: 'ar', num: 2, seed: 0, ...extra });

test('compute needs the token', async () => {
  const none = await post('/api/jobs', job());
  assert.equal(none.status, 401);
  assert.match(none.body, /needs the token printed with the dashboard URL/);
  assert.equal((await post('/api/jobs', job(), { 'X-Ncml-Token': 'wrong' })).status, 401);
  assert.equal((await post('/api/jobs/1/cancel', '{}')).status, 401);
  assert.equal(JSON.parse((await get('/api/session')).body).tokenValid, false);
  assert.equal(JSON.parse((await get('/api/session', { 'X-Ncml-Token': dash.token })).body).tokenValid, true);
  assert.equal(dash.jobs.list().length, 0);
});

test('job requests are size-limited and validated before anything runs', async () => {
  const auth = { 'X-Ncml-Token': dash.token };
  assert.equal((await post('/api/jobs', job(), { ...auth, 'Content-Type': 'text/plain' })).status, 415);
  const big = await post('/api/jobs', job({ pad: 'x'.repeat(20_000) }), auth);
  assert.equal(big.status, 413);
  assert.equal((await post('/api/jobs', '{"kind": "sample",', auth)).status, 400);
  const bad = await post('/api/jobs', job({ num: 1000 }), auth);
  assert.equal(bad.status, 400);
  assert.match(bad.body, /num: Number must be less than or equal to 64/);
  assert.match((await post('/api/jobs', job({ extra: 1 }), auth)).body, /Unrecognized key/);
  assert.equal((await post('/api/jobs', job({ run: '../outside' }), auth)).status, 403);
  assert.equal((await post('/api/jobs', job({ run: 'nope' }), auth)).status, 404);
  assert.equal((await post('/api/jobs', job({ checkpoint: 2 }), auth)).status, 404);
  assert.equal(dash.jobs.list().length, 0);
});

test('with the token a job starts, shows up, and can be cancelled', async () => {
  const auth = { 'X-Ncml-Token': dash.token };
  const started = await post('/api/jobs', job(), auth);
  assert.equal(started.status, 202, started.body);
  const view = JSON.parse(started.body) as { id: string; state: string; checkpoint: string };
  assert.equal(view.checkpoint, 'good/checkpoints/step-00000003');
  const second = await post('/api/jobs', job(), auth);
  if (JSON.parse((await get(`/api/jobs/${view.id}`)).body).state === 'running') {
    assert.equal(second.status, 409, 'one job at a time per checkpoint');
  }
  const cancelled = await post(`/api/jobs/${view.id}/cancel`, '{}', auth);
  assert.equal(cancelled.status, 200);
  const ended = await dash.jobs.wait(view.id);
  assert.ok(ended && ended.state !== 'running');
  const list = JSON.parse((await get('/api/jobs?run=good')).body) as { id: string }[];
  assert.ok(list.some((j) => j.id === view.id));
  assert.equal((await get('/api/jobs/999')).status, 404);
});

test('binding another host needs --allow-remote', async () => {
  await assert.rejects(startDashboard({ runsDir: runs, host: '0.0.0.0', port: 0 }), /pass --allow-remote/);
  const r = spawnSync(process.execPath, [cli, 'dashboard', '--runs', runs, '--host', '0.0.0.0', '--port', '0'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--host 0\.0\.0\.0 would let other machines reach the dashboard; pass --allow-remote/);
  const missing = spawnSync(process.execPath, [cli, 'dashboard', '--runs', join(root, 'nothing-here')], {
    encoding: 'utf8',
  });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /--runs: '.*nothing-here' is not a directory/);
});
