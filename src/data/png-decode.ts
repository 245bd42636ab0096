// PNG decoding to planar uint8 (C x H x W) with pngjs. Every PNG colour type
// is accepted: palette images are expanded, alpha is dropped (not composited:
// the stored colour is the data), 16-bit samples keep their high byte and
// 1/2/4-bit gray levels are scaled to 0..255.
import pngjs from 'pngjs';

import { DatasetError, messageOf } from './dataset-error.js';

const { PNG } = pngjs;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface DecodedImage {
  /** 1 for gray and gray+alpha PNGs, 3 for RGB, RGBA and palette PNGs. */
  channels: 1 | 3;
  height: number;
  width: number;
  /** channels x height x width. */
  data: Uint8Array;
}

const hexBytes = (b: ArrayLike<number>): string => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join(' ');

interface DecodedPng {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  // RGBA per pixel; Uint16Array for 16-bit images when rescaling is skipped.
  data: Uint8Array | Uint16Array;
  transColor?: number[];
}

// Maps a raw sample to 8 bits: pngjs's own rescaling would round v/65535*255,
// which is not the high byte, so we skip it and scale here.
function sampleTo8Bit(depth: number, colorType: number): (v: number) => number {
  if (colorType === 3 || depth === 8) return (v) => v; // palette entries are always 8-bit
  if (depth === 16) return (v) => v >>> 8;
  const factor = 255 / (2 ** depth - 1); // 255, 85 or 17: exact integers
  return (v) => v * factor;
}

export function decodePng(bytes: Uint8Array, file: string): DecodedImage {
  const head = bytes.subarray(0, SIGNATURE.length);
  if (head.length < SIGNATURE.length || SIGNATURE.some((b, i) => head[i] !== b)) {
    throw new DatasetError(file, 'not a PNG file', {
      expected: `the PNG signature ${hexBytes(SIGNATURE)}`,
      found: head.length === 0 ? 'an empty file' : hexBytes(head),
    });
  }
  let png: DecodedPng;
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    png = PNG.sync.read(buffer, { skipRescale: true }) as unknown as DecodedPng;
  } catch (e) {
    throw new DatasetError(file, 'unreadable PNG', { expected: 'a valid PNG image', found: messageOf(e), cause: e });
  }
  const { width, height, depth, colorType, data, transColor } = png;
  const to8 = sampleTo8Bit(depth, colorType);
  const channels = colorType === 0 || colorType === 4 ? 1 : 3;
  const plane = width * height;
  const out = new Uint8Array(channels * plane);
  // pngjs blackens the pixels that match a tRNS colour key (it means transparency);
  // alpha is dropped here, so those pixels get their stored colour back.
  const keyed = transColor !== undefined && colorType !== 3;
  for (let p = 0; p < plane; p++) {
    const restore = keyed && data[4 * p + 3] === 0;
    for (let c = 0; c < channels; c++) {
      const raw = restore ? ((transColor as number[])[c] as number) : (data[4 * p + c] as number);
      out[c * plane + p] = to8(raw);
    }
  }
  return { channels, height, width, data: out };
}
