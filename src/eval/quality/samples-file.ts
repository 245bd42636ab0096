// Samples as `ncml sample` writes them: a safetensors file whose tensor
// `samples` holds uint8 images [n, C, H, W].
import { existsSync } from 'node:fs';

import type { Uint8Images } from '../../data/grid.js';
import { loadFile } from '../../serialization/safetensors.js';

export const SAMPLES_KEY = 'samples';

export class SamplesFileError extends Error {}

/** The uint8 images of a samples file. */
export function loadSamplesFile(file: string): Uint8Images {
  if (!existsSync(file)) throw new SamplesFileError(`samples file ${file} does not exist`);
  let loaded;
  try {
    loaded = loadFile(file);
  } catch (e) {
    throw new SamplesFileError(`${file} is not a readable safetensors file: ${(e as Error).message}`);
  }
  const { tensors } = loaded;
  try {
    const t = tensors.get(SAMPLES_KEY);
    if (t === undefined) {
      throw new SamplesFileError(
        `${file} has no tensor '${SAMPLES_KEY}' (found: ${[...tensors.keys()].join(', ') || 'none'}); ` +
          `expected uint8 images [n, C, H, W] under '${SAMPLES_KEY}', as ncml sample writes them`,
      );
    }
    if (t.dtype !== 'uint8' || t.ndim !== 4) {
      throw new SamplesFileError(
        `${file}: '${SAMPLES_KEY}' is ${t.dtype} [${t.shape.join(', ')}]; expected uint8 [n, C, H, W]`,
      );
    }
    const [count, channels, height, width] = t.shape as [number, number, number, number];
    return { data: (t.contiguous().toArray() as Uint8Array).slice(), count, channels, height, width };
  } finally {
    for (const v of tensors.values()) v.dispose();
  }
}
