// safetensors files: saved atomically, loaded whole, or only their header read.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

import type { DType } from '../tensor/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { type Metadata, PREFIX_BYTES, headerLength } from './safetensors-header.js';
import { type Safetensors, checkHeader, decode } from './safetensors-read.js';
import { type TensorMap, encodeChunks } from './safetensors-write.js';

export interface TensorInfo {
  dtype: DType;
  shape: number[];
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorInfo>;
  metadata: Metadata;
}

/** Writes tensors and metadata to path, replacing any existing file atomically. */
export function saveFile(path: string, tensors: TensorMap, metadata: Metadata = {}): void {
  writeFileAtomic(path, encodeChunks(tensors, metadata, path));
}

export function loadFile(path: string): Safetensors {
  return decode(readFileSync(path), path);
}

/** The tensors' dtypes and shapes and the metadata, reading only the header (fully checked). */
export function readHeader(path: string): SafetensorsHeader {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    const prefix = readAt(fd, 0, Math.min(PREFIX_BYTES, fileBytes));
    const length = headerLength(prefix, fileBytes, path);
    const json = readAt(fd, PREFIX_BYTES, length);
    const { entries, metadata } = checkHeader(json, fileBytes - PREFIX_BYTES - length, path);
    return { tensors: new Map(entries.map((e) => [e.name, { dtype: e.dtype, shape: e.shape }])), metadata };
  } finally {
    closeSync(fd);
  }
}

export function readMetadata(path: string): Metadata {
  return readHeader(path).metadata;
}

function readAt(fd: number, position: number, length: number): Uint8Array {
  const out = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, length - done, position + done);
    // The file shrank since fstat: report what was actually read, and the header checks reject it.
    if (n === 0) return out.subarray(0, done);
    done += n;
  }
  return out;
}
