// Image grids as PNG files: tiles in rows of `columns`, separated and framed
// by `padding` pixels of `padValue` (as torchvision's make_grid).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import pngjs from 'pngjs';

import { Tensor, scope } from '../tensor/index.js';

const { PNG } = pngjs;

/** A uint8 batch in memory: count x channels x height x width. */
export interface Uint8Images {
  data: Uint8Array;
  count: number;
  channels: number;
  height: number;
  width: number;
}

export interface GridOptions {
  /** Tiles per row; default ceil(sqrt(count)). */
  columns?: number;
  /** Pixels between and around tiles (default 2). */
  padding?: number;
  /** Gray level of the padding (default 0, black). */
  padValue?: number;
}

/** An interleaved (HWC) uint8 picture. */
export interface Picture {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/** The bytes of a uint8 NCHW tensor, or of a float NCHW tensor in [-1, 1] mapped to 0..255. */
export function tensorToUint8Images(t: Tensor): Uint8Images {
  if (t.ndim !== 4) throw new RangeError(`expected an NCHW image tensor, got shape [${t.shape.join(', ')}]`);
  const [count, channels, height, width] = t.shape as [number, number, number, number];
  const data = scope(() => {
    if (t.dtype === 'uint8') return t.cpu().contiguous().toArray() as Uint8Array;
    if (t.dtype !== 'float32' && t.dtype !== 'float64' && t.dtype !== 'bfloat16' && t.dtype !== 'float16') {
      throw new TypeError(`expected a uint8 or floating-point image tensor, got ${t.dtype}`);
    }
    const bytes = t.detach().float().mul(127.5).add(127.5).round().clamp(0, 255).byte();
    return bytes.cpu().contiguous().toArray() as Uint8Array;
  });
  return { data, count, channels, height, width };
}

/** Lays the images out as one picture. */
export function imageGrid(images: Uint8Images | Tensor, opts: GridOptions = {}): Picture {
  const {
    data,
    count,
    channels,
    height: h,
    width: w,
  } = images instanceof Tensor ? tensorToUint8Images(images) : images;
  if (channels !== 1 && channels !== 3) throw new RangeError(`image grids need 1 or 3 channels, got ${channels}`);
  if (data.length !== count * channels * h * w) {
    throw new RangeError(`image data holds ${data.length} bytes, expected ${count} x ${channels} x ${h} x ${w}`);
  }
  const columns = opts.columns ?? Math.max(1, Math.ceil(Math.sqrt(count)));
  const padding = opts.padding ?? 2;
  const padValue = opts.padValue ?? 0;
  if (!Number.isInteger(columns) || columns < 1)
    throw new RangeError(`columns must be a positive integer, got ${columns}`);
  if (!Number.isInteger(padding) || padding < 0)
    throw new RangeError(`padding must be a non-negative integer, got ${padding}`);
  if (!Number.isInteger(padValue) || padValue < 0 || padValue > 255)
    throw new RangeError(`padValue must be an integer in 0..255, got ${padValue}`);
  const rows = Math.max(1, Math.ceil(count / columns));
  const width = columns * (w + padding) + padding;
  const height = rows * (h + padding) + padding;
  const out = new Uint8Array(width * height * channels).fill(padValue);
  const plane = h * w;
  for (let n = 0; n < count; n++) {
    const top = padding + Math.floor(n / columns) * (h + padding);
    const left = padding + (n % columns) * (w + padding);
    for (let c = 0; c < channels; c++) {
      const src = (n * channels + c) * plane;
      for (let y = 0; y < h; y++) {
        const row = ((top + y) * width + left) * channels + c;
        for (let x = 0; x < w; x++) out[row + x * channels] = data[src + y * w + x] as number;
      }
    }
  }
  return { width, height, channels: channels as 1 | 3, data: out };
}

/** A picture as PNG bytes (8-bit gray or RGB). */
export function encodePng(picture: Picture): Buffer {
  const colorType = picture.channels === 1 ? 0 : 2;
  const png = { width: picture.width, height: picture.height, data: Buffer.from(picture.data) };
  return PNG.sync.write(png as unknown as InstanceType<typeof PNG>, {
    colorType,
    inputColorType: colorType,
    bitDepth: 8,
  });
}

/** Writes a grid of the images as a PNG file (creating its directory) and returns the path. */
export function writeImageGrid(path: string, images: Uint8Images | Tensor, opts: GridOptions = {}): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(imageGrid(images, opts)));
  return path;
}
