// The dashboard's web server: Node's http module, bound to 127.0.0.1 unless
// told otherwise (another address needs allowRemote, and the CLI warns). On a
// loopback address the Host header must name it too, so a web page that
// rebinds its own DNS name to 127.0.0.1 cannot read the runs. No request can
// crash the server: every error becomes a JSON response.
import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createToken } from './auth-token.js';
import { HttpError, sendError, setSecurityHeaders } from './http.js';
import { JobRunner } from './job-runner.js';
import { type DashboardContext, handle } from './routes.js';
import { RunCatalog } from './run-catalog.js';
import { staticFiles } from './static-files.js';

export interface DashboardOptions {
  /** The folder whose runs are shown (searched 3 levels down). */
  runsDir: string;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 6060; 0 picks a free one). */
  port?: number;
  /** Needed for any host other than a loopback address. */
  allowRemote?: boolean;
  /** The compute token (default: a fresh random one). */
  token?: string;
  /** The ncml CLI the jobs run (default: dist/src/cli/main.js beside this build). */
  cliPath?: string;
  /** Jobs at once (default 2). */
  maxJobs?: number;
}

export interface Dashboard {
  /** The page's address. */
  url: string;
  /** The address with the token, the one to print and open. */
  urlWithToken: string;
  token: string;
  host: string;
  port: number;
  jobs: JobRunner;
  server: Server;
  /** Stops the jobs (killing their processes) and the server. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 6060;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export class DashboardOptionsError extends Error {}

function defaultCliPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && opts.allowRemote !== true) {
    throw new DashboardOptionsError(
      `--host ${host} would let other machines reach the dashboard; pass --allow-remote as well if you mean it`,
    );
  }
  if (!existsSync(opts.runsDir) || !statSync(opts.runsDir).isDirectory()) {
    throw new DashboardOptionsError(`--runs: '${opts.runsDir}' is not a directory`);
  }
  const token = opts.token ?? createToken();
  const jobs = new JobRunner({ cliPath: opts.cliPath ?? defaultCliPath(), maxJobs: opts.maxJobs });
  const ctx: DashboardContext = { catalog: new RunCatalog(opts.runsDir), jobs, token, files: staticFiles() };
  let allowedHosts: Set<string> | null = null;

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res);
    if (allowedHosts !== null && !allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      sendError(res, 403, `unexpected Host header '${req.headers.host ?? ''}'`);
      return;
    }
    handle(ctx, req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 413) res.setHeader('Connection', 'close');
      const message = e instanceof HttpError ? e.message : `internal error: ${(e as Error).message}`;
      sendError(res, status, message);
    });
  };
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, onRequest);
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const wanted = opts.port ?? DEFAULT_PORT;
  await new Promise<void>((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new DashboardOptionsError(
              `port ${wanted} on ${host} is in use; choose another with --port (0 picks a free one)`,
            )
          : new DashboardOptionsError(`cannot listen on ${host}:${wanted}: ${e.message}`),
      );
    };
    server.once('error', fail);
    server.listen(wanted, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  if (isLoopback(host)) {
    allowedHosts = new Set(
      ['127.0.0.1', 'localhost', '[::1]', hostForUrl(host)].flatMap((h) => [`${h}:${port}`.toLowerCase()]),
    );
  }
  const url = `http://${hostForUrl(host)}:${port}/`;
  return {
    url,
    urlWithToken: `${url}?token=${token}`,
    token,
    host,
    port,
    jobs,
    server,
    close: async () => {
      await jobs.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
