// What `ncml sample` and `ncml complete` write: <name>.png (the grid),
// <name>.safetensors (uint8 images [n, C, H, W] and whatever else the command
// keeps, with the settings as metadata) and <name>.json (every setting, the
// checkpoint, the seed, results and timings). The PNG and the safetensors
// depend only on the settings and the seed; the JSON also holds timings.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import { writeImageGrid } from '../data/grid.js';
import { saveFile } from '../serialization/safetensors.js';
import { scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface SampleFiles {
  png: string;
  safetensors: string;
  json: string;
}

export function sampleFiles(png: string): SampleFiles {
  const base = png.replace(/\.png$/i, '');
  return { png, safetensors: `${base}.safetensors`, json: `${base}.json` };
}

/** Model-space images in [-1, 1] -> uint8 levels [n, C, H, W] on the CPU. */
export function toUint8(x: Tensor): Tensor {
  return scope(() =>
    x.detach().add(1).mul(127.5).round().clamp(0, 255).to({ dtype: 'uint8', device: 'cpu' }).contiguous(),
  );
}

export interface SampleOutput {
  files: SampleFiles;
  /** The grid's tiles (model space or uint8) and its columns. */
  tiles: Tensor;
  columns: number;
  /** Saved in the safetensors file. */
  tensors: Record<string, Tensor>;
  /** The deterministic part of the record: the safetensors metadata and the JSON's start. */
  settings: Record<string, unknown>;
  /** Results, timings: the JSON only. */
  report: Record<string, unknown>;
}

export function writeSampleOutput(o: SampleOutput): void {
  mkdirSync(dirname(o.files.png), { recursive: true });
  writeImageGrid(o.files.png, o.tiles, { columns: o.columns });
  const cpu = scope(() => Object.fromEntries(Object.entries(o.tensors).map(([k, t]) => [k, t.cpu().contiguous()])));
  saveFile(o.files.safetensors, cpu, { format: 'ncml-samples', settings: JSON.stringify(o.settings) });
  const shapes = Object.fromEntries(Object.entries(o.tensors).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape }]));
  const record = { ...o.settings, files: o.files, tensors: shapes, ...o.report };
  writeFileAtomic(o.files.json, JSON.stringify(record, null, 2) + '\n');
}
