// How tensors lie in the data buffer: like the reference implementation, a
// file is accepted only if the tensors tile the buffer exactly, with no
// overlaps, holes or trailing bytes, so every byte has one meaning.
import type { TensorEntry } from './safetensors-header.js';
import { SafetensorsError } from './safetensors-error.js';

/** Checks that entries tile a data buffer of dataBytes bytes exactly. */
export function checkLayout(entries: readonly TensorEntry[], dataBytes: number, file?: string): void {
  for (const e of entries) {
    if (e.end > dataBytes) {
      throw new SafetensorsError(
        `tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] reach past the end of the data buffer ` +
          `(${dataBytes} bytes after the header): the file is truncated or the offsets are out of bounds`,
        file,
      );
    }
  }
  const inOrder = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: TensorEntry | undefined;
  for (const e of inOrder) {
    if (previous !== undefined && e.begin < covered) {
      throw new SafetensorsError(
        `tensors '${previous.name}' [${previous.begin}, ${previous.end}] and '${e.name}' [${e.begin}, ${e.end}] overlap`,
        file,
      );
    }
    if (e.begin > covered) {
      throw new SafetensorsError(
        `data bytes [${covered}, ${e.begin}) before tensor '${e.name}' belong to no tensor; ` +
          'tensors must cover the data buffer without holes',
        file,
      );
    }
    covered = e.end;
    previous = e;
  }
  if (covered !== dataBytes) {
    throw new SafetensorsError(
      `data bytes [${covered}, ${dataBytes}) after the last tensor belong to no tensor; ` +
        'tensors must cover the data buffer exactly',
      file,
    );
  }
}
