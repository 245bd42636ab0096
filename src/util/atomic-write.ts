// Replacing a file so that a crash or a failed write never leaves it half
// written: readers see either the old contents or the new, never a mix.
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export type FileData = string | Uint8Array | readonly Uint8Array[];

/**
 * Writes data (a string as UTF-8, bytes, or byte chunks in order) to path:
 * to a temporary file in the same directory, fsync-ed, renamed over path, and
 * then the directory fsync-ed so the rename itself is durable.
 * On failure the temporary file is removed and any existing file is untouched.
 */
export function writeFileAtomic(path: string, data: FileData): void {
  const target = resolve(path);
  const dir = dirname(target);
  // Same directory: rename is only atomic within one file system. Random suffix: concurrent writers don't collide.
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx');
  try {
    try {
      keepExistingMode(fd, target);
      for (const chunk of chunksOf(data)) writeFully(fd, chunk);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  fsyncDirectory(dir);
}

function chunksOf(data: FileData): readonly Uint8Array[] {
  if (typeof data === 'string') return [Buffer.from(data, 'utf8')];
  return data instanceof Uint8Array ? [data] : data;
}

// writeSync may write fewer bytes than asked.
function writeFully(fd: number, chunk: Uint8Array): void {
  let done = 0;
  while (done < chunk.byteLength) done += writeSync(fd, chunk, done, chunk.byteLength - done);
}

// Replacing a file should not change who may read it, as an in-place write would not.
function keepExistingMode(fd: number, target: string): void {
  const existing = statSync(target, { throwIfNoEntry: false });
  if (existing?.isFile()) fchmodSync(fd, existing.mode & 0o7777);
}

/** Makes a directory's entries (creations, renames) durable. */
export function fsyncDirectory(dir: string): void {
  // Windows cannot open a directory for fsync; its rename is durable without it.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
