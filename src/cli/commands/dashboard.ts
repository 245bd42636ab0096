// `ncml dashboard`: a local web page for the runs under --runs (curves while
// they train, evaluations, samples, interactive sampling). Prints its URL with
// the token that compute actions need; Ctrl-C stops it and its jobs.
import type { Command } from 'commander';

import { DEFAULT_PORT, isLoopback, startDashboard } from '../../dashboard/server.js';
import { integer } from '../options.js';

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('serve a local web page with the runs, their curves, evaluations and samples')
    .option('--runs <dir>', 'folder holding the run directories', 'runs')
    .option('--port <n>', 'port to listen on (0: any free port)', integer(0, 65535), DEFAULT_PORT)
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--allow-remote', 'allow a --host other than a loopback address (other machines can then connect)')
    .option('--max-jobs <n>', 'sampling jobs running at once', integer(1, 16), 2)
    .action(async (o: { runs: string; port: number; host: string; allowRemote?: boolean; maxJobs: number }) => {
      const dashboard = await startDashboard({
        runsDir: o.runs,
        port: o.port,
        host: o.host,
        allowRemote: o.allowRemote === true,
        maxJobs: o.maxJobs,
      });
      if (!isLoopback(o.host)) {
        process.stderr.write(
          `warning: listening on ${o.host}, reachable from other machines. Pages are readable without the token; ` +
            'only sampling needs it. Traffic is plain HTTP.\n',
        );
      }
      process.stdout.write(`ncml dashboard: runs in ${o.runs}\n  ${dashboard.urlWithToken}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.stderr.write(`${signal}: stopping the dashboard and its jobs\n`);
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void dashboard.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
