// Builders for small on-the-fly data files (IDX, CIFAR-10, PNG) and error checks.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

import pngjs from 'pngjs';

import { DatasetError } from '../../src/data/dataset-error.js';
import { tempDir as exitCleanedTempDir } from '../helpers.js';

const { PNG } = pngjs;

/** A fresh temp directory, removed by the returned cleanup (and in any case when the process exits). */
export function tempDir(prefix = 'ncml-data-'): { dir: string; cleanup: () => void } {
  const dir = exitCleanedTempDir(prefix);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeFile(path: string, bytes: Uint8Array | string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** An IDX file: big-endian magic, dims, then the bytes. */
export function idxBytes(magic: number, dims: number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(Array.from(data), 4 + 4 * dims.length);
  return out;
}

/** A CIFAR-10 record: label byte then the R, G, B planes. */
export function cifarRecord(label: number, pixel: (c: number, y: number, x: number) => number): Uint8Array {
  const out = new Uint8Array(3073);
  out[0] = label;
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out[1 + c * 1024 + y * 32 + x] = pixel(c, y, x);
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A PNG written by pngjs from interleaved 8-bit samples (colorType 0 gray, 2 RGB, 4 gray+alpha, 6 RGBA). */
export function pngjsBytes(width: number, height: number, colorType: 0 | 2 | 4 | 6, samples: number[]): Buffer {
  const png = { width, height, data: Buffer.from(samples) };
  return PNG.sync.write(png as unknown as InstanceType<typeof PNG>, {
    colorType,
    inputColorType: colorType,
    bitDepth: 8,
  });
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, body.length);
  head.set(Buffer.from(type, 'latin1'), 4);
  const crc = new Uint8Array(4);
  new DataView(crc.buffer).setUint32(0, crc32(concat([head.subarray(4), body])));
  return concat([head, body, crc]);
}

export interface RawPngSpec {
  width: number;
  height: number;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  colorType: 0 | 2 | 3 | 4 | 6;
  /** Unfiltered scanlines, packed as the PNG spec says (each row padded to whole bytes). */
  rows: Uint8Array[];
  palette?: [number, number, number][];
  trns?: Uint8Array;
}

/** A PNG assembled chunk by chunk, for what pngjs cannot write (palettes, 16-bit gray, low bit depths, tRNS). */
export function rawPngBytes(spec: RawPngSpec): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, spec.width);
  v.setUint32(4, spec.height);
  ihdr.set([spec.bitDepth, spec.colorType, 0, 0, 0], 8);
  const filtered = concat(spec.rows.flatMap((r) => [new Uint8Array([0]), r]));
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(spec.palette ? [chunk('PLTE', new Uint8Array(spec.palette.flat()))] : []),
    ...(spec.trns ? [chunk('tRNS', spec.trns)] : []),
    chunk('IDAT', deflateSync(filtered)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Decodes a PNG with pngjs into RGBA bytes. */
export function readPng(bytes: Uint8Array): { width: number; height: number; rgba: Buffer } {
  const png = PNG.sync.read(Buffer.from(bytes));
  return { width: png.width, height: png.height, rgba: png.data };
}

/** Asserts fn throws a DatasetError whose message names the file and contains every fragment. */
export function assertDatasetError(fn: () => unknown, file: string, ...fragments: (string | RegExp)[]): DatasetError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DatasetError, `expected a DatasetError, got ${String(caught)}`);
  assert.equal(caught.file, file);
  assert.ok(caught.message.includes(file), `message does not name ${file}: ${caught.message}`);
  for (const f of fragments) {
    const ok = typeof f === 'string' ? caught.message.includes(f) : f.test(caught.message);
    assert.ok(ok, `message lacks ${String(f)}: ${caught.message}`);
  }
  return caught;
}
