// Publishes a reproduction's results page into a docs directory: the page as
// <docs>/results.md and every file it links (plots, sample grids, the
// evaluations' result.md and what those link) under <docs>/results/, with the
// links rewritten, so the published page is the command's output, not an
// edit of it.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative } from 'node:path';

import { writeFileAtomic } from '../../util/atomic-write.js';

const LINK = /(!?\[[^\]]*\]\()([^)\s]+)(\))/g;

const isLocal = (target: string) => !/^[a-z]+:/i.test(target) && !target.startsWith('#') && !isAbsolute(target);

/** Relative link targets of a markdown text. */
export function localLinks(markdown: string): string[] {
  return [...markdown.matchAll(LINK)].map((m) => m[2] as string).filter(isLocal);
}

/**
 * Copies <out>/results.md to <docs>/results.md and its linked files to
 * <docs>/results/ (replacing what an earlier publication left there).
 * Returns the files written.
 */
export function publishResults(out: string, docs: string): string[] {
  const page = join(out, 'results.md');
  if (!existsSync(page)) throw new Error(`${page} does not exist: run the reproduction to its end first`);
  const assets = join(docs, 'results');
  rmSync(assets, { recursive: true, force: true });
  const written: string[] = [];
  const copied = new Set<string>();
  // Copies a file linked from `from` (a file under out) and, for markdown, what it links in turn.
  const copyLinked = (fromDir: string, target: string) => {
    const source = normalize(join(fromDir, target));
    const rel = relative(out, source);
    if (rel.startsWith('..') || copied.has(rel) || !existsSync(source)) return;
    copied.add(rel);
    const dest = join(assets, rel);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(source, dest);
    written.push(dest);
    if (source.endsWith('.md')) {
      for (const t of localLinks(readFileSync(source, 'utf8'))) copyLinked(dirname(source), t);
    }
  };
  const markdown = readFileSync(page, 'utf8');
  for (const t of localLinks(markdown)) copyLinked(out, t);
  const rewritten = markdown.replace(LINK, (all, open: string, target: string, close: string) =>
    isLocal(target) && copied.has(relative(out, normalize(join(out, target))))
      ? `${open}results/${target}${close}`
      : all,
  );
  mkdirSync(docs, { recursive: true });
  writeFileAtomic(join(docs, 'results.md'), rewritten);
  written.unshift(join(docs, 'results.md'));
  return written;
}
