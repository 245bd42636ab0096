// Writing safetensors: the length prefix, a header padded so the data starts
// 8-byte aligned, then each tensor's bytes back to back.
import { Tensor, elementSize } from '../tensor/index.js';
import { assertLittleEndianHost, toSafetensorsDType } from './safetensors-dtype.js';
import { SafetensorsError } from './safetensors-error.js';
import { METADATA_KEY, type Metadata, PREFIX_BYTES } from './safetensors-header.js';

export type TensorMap = Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>;

interface Placed {
  name: string;
  tensor: Tensor;
  data: Uint8Array;
  begin: number;
  end: number;
}

/** A safetensors file's bytes. */
export function serialize(tensors: TensorMap, metadata: Metadata = {}): Buffer {
  return Buffer.concat(encodeChunks(tensors, metadata));
}

/**
 * A safetensors file's bytes as chunks (prefix and header, then one per
 * tensor), so a file can be written without first joining them.
 * file only names the destination in error messages.
 */
export function encodeChunks(tensors: TensorMap, metadata: Metadata = {}, file?: string): Uint8Array[] {
  assertLittleEndianHost();
  checkMetadata(metadata, file);
  const named = [...(tensors instanceof Map ? tensors : Object.entries(tensors))] as [string, Tensor][];
  for (const [name, tensor] of named) checkTensor(name, tensor, file);

  // Widest elements first, then by name: deterministic, and since the header keeps the data 8-byte aligned,
  // every tensor starts at a multiple of its element size, so readers can view it in place.
  named.sort(([a, ta], [b, tb]) => elementSize(tb.dtype) - elementSize(ta.dtype) || (a < b ? -1 : a > b ? 1 : 0));
  let offset = 0;
  const placed: Placed[] = named.map(([name, tensor]) => {
    const data = bytesOf(tensor);
    const begin = offset;
    offset += data.byteLength;
    return { name, tensor, data, begin, end: offset };
  });
  return [encodeHeader(placed, metadata), ...placed.map((p) => p.data)];
}

// toArray copies any tensor (any device, strides or memory format) out in row-major order, as the format needs.
function bytesOf(tensor: Tensor): Uint8Array {
  const array = tensor.toArray();
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function encodeHeader(placed: readonly Placed[], metadata: Metadata): Uint8Array {
  const fields: string[] = [];
  const keys = Object.keys(metadata).sort();
  if (keys.length > 0) {
    const pairs = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`);
    fields.push(`${JSON.stringify(METADATA_KEY)}:{${pairs.join(',')}}`);
  }
  for (const p of placed) {
    const info = { dtype: toSafetensorsDType(p.tensor.dtype), shape: p.tensor.shape, data_offsets: [p.begin, p.end] };
    fields.push(`${JSON.stringify(p.name)}:${JSON.stringify(info)}`);
  }
  const json = Buffer.from(`{${fields.join(',')}}`, 'utf8');
  // Trailing spaces (valid JSON whitespace) so the data after prefix and header starts at a multiple of 8.
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const out = Buffer.alloc(PREFIX_BYTES + padded, ' ');
  out.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(out, PREFIX_BYTES);
  return out;
}

function checkTensor(name: string, tensor: unknown, file?: string): void {
  if (name === METADATA_KEY) {
    throw new SafetensorsError(`'${METADATA_KEY}' is reserved for metadata and cannot name a tensor`, file);
  }
  if (!(tensor instanceof Tensor)) {
    throw new SafetensorsError(`'${name}' must be a Tensor, found ${typeof tensor}`, file);
  }
  if (tensor.isDisposed) throw new SafetensorsError(`tensor '${name}' was disposed and cannot be serialized`, file);
}

function checkMetadata(metadata: Metadata, file?: string): void {
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new SafetensorsError(`metadata value for '${key}' must be a string, found ${typeof value}`, file);
    }
  }
}
