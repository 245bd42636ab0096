// The dashboard in a real browser (Debian's headless Chromium via
// playwright-core) against runs the real CLI trains: the runs list, a curve
// that grows while a run trains, damaged runs, the compare page, and samples
// and completions drawn from the page (which need the token).
//
// Screenshots go to a temporary directory that is removed afterwards, or to
// $NCML_DASHBOARD_SCREENSHOTS when set (kept).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import type { Browser, Locator, Page } from 'playwright-core';

import { listSampleGrids } from '../../src/runs/outputs.js';
import {
  cli,
  type DashboardProcess,
  evalLsbAsync,
  eventually,
  launchBrowser,
  makeTinyDataset,
  startDashboardProcess,
  tinyTrainArgs,
  trainRunAsync,
} from './fixtures.js';

let root: string;
let runs: string;
let dataset: string;
let shots: string;
let dash: DashboardProcess;
let browser: Browser;
const children: ChildProcess[] = [];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'ncml-dash-browser-'));
  runs = join(root, 'runs');
  shots = process.env.NCML_DASHBOARD_SCREENSHOTS ?? join(root, 'screenshots');
  mkdirSync(shots, { recursive: true });
  dataset = makeTinyDataset(join(root, 'data'));
  await Promise.all([
    trainRunAsync(dataset, join(runs, 'first'), 4),
    trainRunAsync(dataset, join(runs, 'baseline'), 4, ['--objective', 'mle']),
  ]);
  await Promise.all([evalLsbAsync(join(runs, 'first')), evalLsbAsync(join(runs, 'baseline'))]);
  mkdirSync(join(runs, 'damaged'));
  copyFileSync(join(runs, 'first', 'config.json'), join(runs, 'damaged', 'config.json'));
  writeFileSync(
    join(runs, 'damaged', 'metrics.jsonl'),
    readFileSync(join(runs, 'first', 'metrics.jsonl'), 'utf8') + '{"type":"train","st',
  );
  const old = new Date(Date.now() - 3600_000);
  for (const f of ['config.json', 'metrics.jsonl']) utimesSync(join(runs, 'damaged', f), old, old);
  dash = await startDashboardProcess(runs);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await dash?.stop();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(
    children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.on('exit', r)) : null)),
  );
  rmSync(root, { recursive: true, force: true });
  if (process.env.NCML_DASHBOARD_SCREENSHOTS === undefined) rmSync(shots, { recursive: true, force: true });
});

async function open(path: string, { token = false } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors?: string[] }).errors = errors;
  await page.goto(`${token ? dash.urlWithToken : dash.url}${path}`);
  return page;
}

async function close(page: Page, shot: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${shot}.png`), fullPage: true });
  const errors = (page as Page & { errors?: string[] }).errors ?? [];
  await page.context().close();
  assert.deepEqual(errors, [], 'no script errors on the page');
}

async function jobIds(page: Page): Promise<string[]> {
  return page
    .locator('.job')
    .evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { jobId: string } }).dataset.jobId));
}

/** Clicks the button, then waits for the job it started to end: its image, or a failure with the job's text. */
async function runJobFromPage(page: Page, button: Locator): Promise<{ job: Locator; image: Locator }> {
  const before = new Set(await jobIds(page));
  await button.click();
  const id = await eventually(async () => (await jobIds(page)).find((j) => !before.has(j)), 'the new job on the page');
  const job = page.locator(`.job[data-job-id="${id}"]`);
  await page
    .locator(`.job[data-job-id="${id}"]:is([data-state="done"], [data-state="failed"], [data-state="cancelled"])`)
    .waitFor({ timeout: 100_000 });
  assert.equal(await job.getAttribute('data-state'), 'done', `the job failed: ${await job.textContent()}`);
  const image = job.locator('img');
  await image.waitFor();
  return { job, image };
}

async function naturalWidth(img: Locator): Promise<number> {
  await eventually(() => img.evaluate((el) => (el as unknown as { complete: boolean }).complete), 'the image to load');
  return img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth);
}

test('the runs list shows the runs trained in the test, and a damaged run with its message', async () => {
  const page = await open('');
  const row = page.locator('tr[data-run-id="first"]');
  await row.waitFor();
  assert.equal(await row.locator('[data-status]').textContent(), 'finished');
  assert.equal(await row.locator('[data-field="steps"]').textContent(), '4 / 4');
  assert.match((await row.locator('[data-field="bpd"]').textContent()) ?? '', /^\d+\.\d{3}/);
  assert.match((await page.locator('tr[data-run-id="baseline"]').textContent()) ?? '', /MLE/);
  const damaged = page.locator('tr[data-run-id="damaged"] + tr.problem-row');
  assert.match((await damaged.textContent()) ?? '', /metrics\.jsonl line \d+: not valid JSON/);
  assert.equal(await page.locator('tr[data-run-id="damaged"] [data-field="steps"]').textContent(), '4 / 4');
  await close(page, 'runs');
});

test('the loss curve grows while a run trains', async () => {
  const out = join(runs, 'live');
  const train = spawn(process.execPath, [cli, ...tinyTrainArgs(dataset, out, 1_000_000)], { stdio: 'ignore' });
  children.push(train);
  await eventually(() => existsSync(join(out, 'metrics.jsonl')), 'the first metrics line');
  const page = await open(`#/run/live`);
  const chart = page.locator('[data-chart="loss"]');
  const points = async () => Number(await chart.getAttribute('data-points'));
  const first = await eventually(async () => (await points()) || undefined, 'a first point on the curve');
  const later = await eventually(async () => ((await points()) > first ? points() : undefined), 'the curve to grow');
  assert.ok(later > first);
  assert.equal(await page.locator('.page-head [data-status]').textContent(), 'running');
  await page.locator('[data-chart="loss"] canvas').waitFor();
  await close(page, 'run-live');
  const list = await open('');
  assert.equal(await list.locator('tr[data-run-id="live"] [data-status]').textContent(), 'running');
  await list.context().close();
  train.kill('SIGTERM');
});

test('the compare page shows both runs side by side', async () => {
  const page = await open('#/');
  await page.locator('tr[data-run-id="first"] input[type=checkbox]').check();
  await page.locator('tr[data-run-id="baseline"] input[type=checkbox]').check();
  await page.getByRole('button', { name: 'Compare 2 runs' }).click();
  await page.locator('.compare-table').waitFor();
  const header = (await page.locator('.compare-table thead').textContent()) ?? '';
  assert.match(header, /first/);
  assert.match(header, /baseline/);
  assert.match((await page.locator('.compare-table tbody').textContent()) ?? '', /objective\s*ncml\s*mle/);
  await eventually(
    async () => Number(await page.locator('[data-chart="compare-clean"]').getAttribute('data-points')) > 0,
    'the curves',
  );
  const sideBySide = page.locator('.compare-evals[data-eval-kind="lsb"] .eval-card');
  await sideBySide.first().waitFor();
  assert.equal(await sideBySide.count(), 2, "both runs' LSB tables side by side");
  await close(page, 'compare');
});

test('the run page shows the evaluation ncml eval wrote: its table and its plot', async () => {
  const page = await open('#/run/first');
  const card = page.locator('.eval-card[data-eval-kind="lsb"]');
  await card.waitFor();
  assert.match((await card.locator('h3').first().textContent()) ?? '', /lsb/);
  assert.equal(await card.locator('.md-table tbody tr').count(), 3, 'one row per pi');
  assert.match((await card.locator('.md-table').textContent()) ?? '', /Delta log p/);
  assert.ok((await naturalWidth(card.locator('.eval-images img').first())) > 0, 'the plot loaded');
  assert.match((await card.textContent()) ?? '', /per-example\.csv/);
  await close(page, 'run-eval');
});

test('without the token the page is read-only: sampling is disabled and explained', async () => {
  const page = await open('#/run/first');
  await page.locator('[data-form="sample"]').waitFor();
  await eventually(
    async () => (await page.locator('.interactive .notice').textContent())?.includes('token'),
    'the notice',
  );
  assert.equal(await page.locator('[data-form="sample"] button[type=submit]').isDisabled(), true);
  assert.equal(await page.locator('[data-form="complete"] button[type=submit]').isDisabled(), true);
  await page.context().close();
});

test('a sample batch drawn from the page appears as an image, with progress while it runs', async () => {
  const page = await open('#/run/first', { token: true });
  const form = page.locator('[data-form="sample"]');
  const draw = form.locator('button[type=submit]');
  await eventually(async () => !(await draw.isDisabled()), 'the Draw button to be enabled by the token');
  await form.locator('select[name=method]').selectOption('ar');
  await form.locator('input[name=num]').fill('2');
  await form.locator('input[name=seed]').fill('7');
  let sawProgress = false;
  const watch = setInterval(() => {
    void page
      .locator('.job[data-state="running"] .progress')
      .count()
      .then((n) => (sawProgress ||= n > 0))
      .catch(() => undefined);
  }, 200);
  const { image } = await runJobFromPage(page, draw).finally(() => clearInterval(watch));
  assert.ok(sawProgress, 'a progress bar while the job ran');
  assert.ok((await naturalWidth(image)) > 0, 'the grid image loaded');
  const grids = listSampleGrids(join(runs, 'first'));
  assert.equal(grids.length, 1);
  await page.locator('.sample-card').first().waitFor();
  await close(page, 'run-sampled');
});

test('a test image completed from the page appears as an image', async () => {
  const page = await open('#/run/first', { token: true });
  const form = page.locator('[data-form="complete"]');
  const go = form.locator('button[type=submit]');
  await eventually(async () => !(await go.isDisabled()), 'the Complete button');
  await form.locator('input[name=image]').fill('3');
  await form.locator('input[name=keepRows]').fill('4');
  await form.locator('input[name=perImage]').fill('2');
  await form.locator('select[name=method]').selectOption('ar');
  const { image } = await runJobFromPage(page, go);
  assert.ok((await naturalWidth(image)) > 0, 'the completion image loaded');
  const grid = listSampleGrids(join(runs, 'first')).find((g) => g.settings?.command === 'complete');
  assert.equal(grid?.settings?.first, 3, 'the chosen test image was completed');
  assert.equal(grid?.settings?.keepRows, 4);
  await close(page, 'run-completed');
});
