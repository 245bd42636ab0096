// The dashboard's HTTP API. Paths are matched on the raw request path (never a
// normalized one, so '..' and '%2e%2e' reach the path checks and are refused
// there rather than silently resolved). Read-only routes are open; routes that
// start or stop compute need the token. Anything else is 404.
//
//   GET  /                         the page (and /app/*, /vendor/*)
//   GET  /api/runs                 summary of every run
//   GET  /api/run?id=<run>         one run: curves, config, checkpoints, evaluations, samples
//   GET  /api/jobs[?run=<run>]     jobs, newest first
//   GET  /api/jobs/<id>            one job (progress, result)
//   POST /api/jobs                 start a sampling or completion job        (token)
//   POST /api/jobs/<id>/cancel     cancel a job                              (token)
//   GET  /api/session              whether the request carries the right token
//   GET  /files/<path>             a file inside --runs (images, results)
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';

import { listCheckpoints } from '../runs/index.js';
import { requireToken, TOKEN_HEADER, tokenMatches } from './auth-token.js';
import { HttpError, readJsonBody, sendBody, sendJson } from './http.js';
import { cliArgs, jobOutputPath, parseJobRequest } from './job-requests.js';
import type { JobRunner, JobView } from './job-runner.js';
import { decodeSegments, relativeId, resolveInside } from './path-safety.js';
import type { RunCatalog } from './run-catalog.js';
import { runDetail, runSummary } from './run-views.js';
import { CONTENT_TYPES, readStatic, type StaticFile } from './static-files.js';

export interface DashboardContext {
  catalog: RunCatalog;
  jobs: JobRunner;
  token: string;
  files: Map<string, StaticFile>;
}

/** Run files served from --runs: pictures and results, nothing else (no weights, no configs of other tools). */
const SERVED_RUN_FILES = new Set(['.png', '.svg', '.json', '.md', '.csv', '.txt']);

function jobForPage(ctx: DashboardContext, job: JobView) {
  return {
    ...job,
    checkpoint: relativeId(ctx.catalog.root, job.checkpoint),
    output: job.output === null ? null : relativeId(ctx.catalog.root, job.output),
  };
}

function serveRunFile(ctx: DashboardContext, req: IncomingMessage, res: ServerResponse, rawPath: string): void {
  const segments = decodeSegments(rawPath);
  const type = CONTENT_TYPES[extname(segments.at(-1) ?? '').toLowerCase()];
  if (type === undefined || !SERVED_RUN_FILES.has(extname(segments.at(-1) ?? '').toLowerCase())) {
    throw new HttpError(404, 'only images and result files of runs are served');
  }
  const real = resolveInside(ctx.catalog.root, segments, 'file');
  const file: StaticFile = { path: real, contentType: type };
  // SVGs from run folders are shown as images only; a sandbox CSP keeps any script in one inert.
  if (type === 'image/svg+xml') res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  sendBody(req, res, 200, type, readStatic(file));
}

async function startJob(ctx: DashboardContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  requireToken(req, ctx.token);
  const request = parseJobRequest(await readJsonBody(req));
  const run = ctx.catalog.resolve(request.run);
  const checkpoint = listCheckpoints(run.dir).find((c) => c.step === request.checkpoint);
  if (checkpoint === undefined) {
    throw new HttpError(404, `run '${request.run}' has no complete checkpoint at step ${request.checkpoint}`);
  }
  const out = jobOutputPath(run.dir, request.kind);
  const job = ctx.jobs.start({
    kind: request.kind,
    runId: run.id,
    checkpoint: checkpoint.path,
    args: cliArgs(request, checkpoint.path, out),
    output: out,
    settings: request as unknown as Record<string, unknown>,
    // The two-phase sampler logs phase 1 (rows) and then phase 2 (refinement steps).
    phases: request.method === 'two-phase' ? 2 : 1,
  });
  sendJson(req, res, 202, jobForPage(ctx, job));
}

export async function handle(ctx: DashboardContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = req.url ?? '/';
  if (!raw.startsWith('/')) throw new HttpError(400, 'expected a path starting with /');
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  const method = req.method ?? 'GET';
  const read = method === 'GET' || method === 'HEAD';

  const file = ctx.files.get(path);
  if (file !== undefined) {
    if (!read) throw new HttpError(405, `${method} is not allowed here`);
    sendBody(req, res, 200, file.contentType, readStatic(file));
    return;
  }
  if (path.startsWith('/files/')) {
    if (!read) throw new HttpError(405, `${method} is not allowed here`);
    serveRunFile(ctx, req, res, path.slice('/files/'.length));
    return;
  }
  if (path === '/api/runs' && read) {
    sendJson(req, res, 200, {
      root: ctx.catalog.root,
      runs: ctx.catalog.list().map((r) => runSummary(ctx.catalog, r)),
    });
    return;
  }
  if (path === '/api/run' && read) {
    const id = query.get('id');
    if (id === null) throw new HttpError(400, 'expected ?id=<run>');
    sendJson(req, res, 200, runDetail(ctx.catalog, ctx.catalog.resolve(id)));
    return;
  }
  if (path === '/api/session' && read) {
    const given = req.headers[TOKEN_HEADER];
    sendJson(req, res, 200, { tokenValid: tokenMatches(ctx.token, Array.isArray(given) ? given[0] : given) });
    return;
  }
  if (path === '/api/jobs') {
    if (method === 'POST') return startJob(ctx, req, res);
    if (read) {
      const run = query.get('run') ?? undefined;
      sendJson(
        req,
        res,
        200,
        ctx.jobs.list(run).map((j) => jobForPage(ctx, j)),
      );
      return;
    }
    throw new HttpError(405, `${method} is not allowed here`);
  }
  const jobMatch = /^\/api\/jobs\/(\d+)(\/cancel)?$/.exec(path);
  if (jobMatch !== null) {
    const id = jobMatch[1] as string;
    if (jobMatch[2] !== undefined) {
      if (method !== 'POST') throw new HttpError(405, 'use POST to cancel a job');
      requireToken(req, ctx.token);
      sendJson(req, res, 200, jobForPage(ctx, ctx.jobs.cancel(id)));
      return;
    }
    if (!read) throw new HttpError(405, `${method} is not allowed here`);
    const job = ctx.jobs.get(id);
    if (job === undefined) throw new HttpError(404, `no job ${id}`);
    sendJson(req, res, 200, jobForPage(ctx, job));
    return;
  }
  throw new HttpError(404, `no such page or API route: ${path.slice(0, 200)}`);
}
