// Only files inside --runs are ever served. A request names a file by path
// segments relative to the runs root; each is decoded once and must be a
// plain name (no '..', '.', empty segment, slash, backslash or NUL), and the
// real path (symbolic links resolved) must still lie inside the root's real
// path. Traversal attempts are 403, files that are not there 404.
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

import { HttpError } from './http.js';

/** The real path of the runs root (resolved once, so later checks compare real paths). */
export function realRoot(root: string): string {
  return realpathSync(root);
}

export function isInside(root: string, real: string): boolean {
  const rel = relative(root, real);
  return rel === '' || (rel.split(sep)[0] !== '..' && !isAbsolute(rel));
}

/** Checks already-decoded segments: each must be a plain file or folder name. */
export function checkSegments(segments: readonly string[]): string[] {
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || /[/\\\0]/.test(s)) {
      throw new HttpError(403, 'path refused: only plain names inside the runs directory are allowed');
    }
  }
  return [...segments];
}

/** Splits the raw (still percent-encoded) rest of a URL path into checked segments. */
export function decodeSegments(rawPath: string): string[] {
  if (rawPath === '') throw new HttpError(404, 'no file named');
  const segments = rawPath.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new HttpError(404, 'bad percent-encoding in the path');
    }
  });
  return checkSegments(segments);
}

/** A '/'-separated id relative to the root (a run id), checked like a URL path. */
export function idSegments(id: string): string[] {
  return checkSegments(id.split('/'));
}

/**
 * The real path of root/segments. 404 when it does not exist, 403 when it
 * exists but (through a symbolic link) lies outside the root.
 */
export function resolveInside(root: string, segments: readonly string[], what: 'file' | 'directory'): string {
  const candidate = join(root, ...checkSegments(segments));
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    throw new HttpError(404, `no such ${what}`);
  }
  if (!isInside(root, real)) throw new HttpError(403, 'path refused: it leads outside the runs directory');
  const stat = statSync(real);
  if (what === 'file' ? !stat.isFile() : !stat.isDirectory()) throw new HttpError(404, `no such ${what}`);
  return real;
}

/** A path under the root as a '/'-separated relative id (for URLs). */
export function relativeId(root: string, real: string): string {
  return relative(root, real).split(sep).join('/');
}
