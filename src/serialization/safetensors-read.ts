// Reading safetensors bytes into tensors, after checking the whole header and
// layout, so nothing is read outside the buffer.
import { type AnyTypedArray, type DType, type Tensor, elementSize, fromTypedArray } from '../tensor/index.js';
import { assertLittleEndianHost } from './safetensors-dtype.js';
import { SafetensorsError } from './safetensors-error.js';
import {
  type Header,
  type Metadata,
  PREFIX_BYTES,
  type TensorEntry,
  headerLength,
  parseHeader,
} from './safetensors-header.js';
import { checkLayout } from './safetensors-layout.js';

export interface Safetensors {
  tensors: Map<string, Tensor>;
  metadata: Metadata;
}

type TypedArrayConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => AnyTypedArray;

const ARRAY_TYPES: Record<DType, TypedArrayConstructor> = {
  float64: Float64Array,
  float32: Float32Array,
  bfloat16: Uint16Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** The tensors (new CPU tensors, in header order) and metadata of a safetensors file's bytes. */
export function deserialize(bytes: Uint8Array): Safetensors {
  return decode(bytes);
}

/** deserialize, with file naming the source in error messages. */
export function decode(bytes: Uint8Array, file?: string): Safetensors {
  assertLittleEndianHost();
  const dataStart = PREFIX_BYTES + headerLength(bytes, bytes.byteLength, file);
  const data = bytes.subarray(dataStart);
  const { entries, metadata } = checkHeader(bytes.subarray(PREFIX_BYTES, dataStart), data.byteLength, file);
  for (const e of entries) if (e.dtype === 'bool') checkBools(e, data, file);

  const tensors = new Map<string, Tensor>();
  try {
    for (const e of entries) tensors.set(e.name, fromTypedArray(arrayOf(e, data), e.shape, { dtype: e.dtype }));
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    throw err;
  }
  return { tensors, metadata };
}

/** Checks a header's bytes (prefix excluded) against the data size that follows it. */
export function checkHeader(json: Uint8Array, dataBytes: number, file?: string): Header {
  const header = parseHeader(json, file);
  checkLayout(header.entries, dataBytes, file);
  return header;
}

// A view when the bytes are aligned for the element type (the usual case: writers align), else a copy.
function arrayOf(e: TensorEntry, data: Uint8Array): AnyTypedArray {
  const size = elementSize(e.dtype);
  const bytes = data.subarray(e.begin, e.end);
  const ArrayType = ARRAY_TYPES[e.dtype];
  if (bytes.byteOffset % size === 0) return new ArrayType(bytes.buffer, bytes.byteOffset, bytes.byteLength / size);
  const copy = new Uint8Array(bytes);
  return new ArrayType(copy.buffer, 0, copy.byteLength / size);
}

// A bool byte other than 0 or 1 is not a bool: libtorch's behaviour on one is undefined.
function checkBools(e: TensorEntry, data: Uint8Array, file?: string): void {
  const bytes = data.subarray(e.begin, e.end);
  const bad = bytes.findIndex((b) => b > 1);
  if (bad >= 0) {
    throw new SafetensorsError(`tensor '${e.name}' is BOOL but element ${bad} is ${bytes[bad]}, not 0 or 1`, file);
  }
}
