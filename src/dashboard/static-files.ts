// The page itself: plain HTML, CSS and ES modules shipped in src/dashboard/web
// (no build step), and uPlot from node_modules. Only files listed when the
// server starts are served, by exact name, so no request can reach another
// file; run files are served separately (routes.ts) from inside --runs.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  path: string;
  contentType: string;
}

/** src/dashboard/web in the source tree: this file is dist/src/dashboard/static-files.js (or src/... itself). */
export function webDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const fromDist = join(here, '..', '..', '..', 'src', 'dashboard', 'web');
  try {
    readdirSync(fromDist);
    return fromDist;
  } catch {
    return join(here, 'web');
  }
}

function listWeb(dir: string, prefix: string): [string, StaticFile][] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e): [string, StaticFile][] => {
    if (e.name.startsWith('.')) return [];
    if (e.isDirectory()) return listWeb(join(dir, e.name), `${prefix}${e.name}/`);
    const type = CONTENT_TYPES[extname(e.name)];
    return e.isFile() && type !== undefined
      ? [[`${prefix}${e.name}`, { path: join(dir, e.name), contentType: type }]]
      : [];
  });
}

/** URL path -> file, for every file of the page. */
export function staticFiles(): Map<string, StaticFile> {
  const dir = webDir();
  const files = new Map(listWeb(dir, '/app/'));
  const index = files.get('/app/index.html');
  if (index !== undefined) files.set('/', index);
  const require = createRequire(import.meta.url);
  files.set('/vendor/uPlot.iife.min.js', {
    path: require.resolve('uplot/dist/uPlot.iife.min.js'),
    contentType: CONTENT_TYPES['.js'] as string,
  });
  files.set('/vendor/uPlot.min.css', {
    path: require.resolve('uplot/dist/uPlot.min.css'),
    contentType: CONTENT_TYPES['.css'] as string,
  });
  return files;
}

export function readStatic(file: StaticFile): Buffer {
  return readFileSync(file.path);
}
