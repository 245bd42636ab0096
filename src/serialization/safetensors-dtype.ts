// safetensors' dtype names and the byte layout they imply.
import { endianness } from 'node:os';

import type { DType } from '../tensor/index.js';
import { SafetensorsError } from './safetensors-error.js';

export type SafetensorsDType = 'F64' | 'F32' | 'BF16' | 'F16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const TO_SAFETENSORS: Record<DType, SafetensorsDType> = {
  float64: 'F64',
  float32: 'F32',
  bfloat16: 'BF16',
  float16: 'F16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

const FROM_SAFETENSORS = new Map<string, DType>(
  Object.entries(TO_SAFETENSORS).map(([dtype, name]) => [name, dtype as DType]),
);

export const SUPPORTED_SAFETENSORS_DTYPES: readonly string[] = [...FROM_SAFETENSORS.keys()];

export function toSafetensorsDType(dtype: DType): SafetensorsDType {
  return TO_SAFETENSORS[dtype];
}

/** The ncml dtype for a safetensors dtype name, or undefined if ncml has none. */
export function fromSafetensorsDType(name: string): DType | undefined {
  return FROM_SAFETENSORS.get(name);
}

// safetensors data is little-endian and tensors exchange data in host order;
// rather than byte-swap on the rare big-endian host, refuse.
export function assertLittleEndianHost(): void {
  if (endianness() !== 'LE') {
    throw new SafetensorsError('this host is big-endian; reading and writing safetensors needs a little-endian host');
  }
}
