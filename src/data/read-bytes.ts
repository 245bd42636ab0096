// Reads a data file whole, gunzipping it when it starts with the gzip magic
// bytes (1f 8b), whatever its name says.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

import { DatasetError, messageOf } from './dataset-error.js';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The file's bytes, read with fs errors turned into DatasetErrors naming the file. */
export function readFileBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new DatasetError(file, 'cannot read file', { found: messageOf(e), cause: e });
  }
}

/** The file's bytes, decompressed if it is gzip data. */
export function readMaybeGzip(file: string): Uint8Array {
  const raw = readFileBytes(file);
  if (!isGzip(raw)) return raw;
  try {
    return gunzipSync(raw);
  } catch (e) {
    throw new DatasetError(file, 'corrupt or truncated gzip data', {
      expected: 'a complete gzip stream',
      found: messageOf(e),
      cause: e,
    });
  }
}
