// Element types, devices and memory formats, with PyTorch's names.

export type DType =
  'float32' | 'float64' | 'bfloat16' | 'float16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export type FloatDType = 'float32' | 'float64' | 'bfloat16' | 'float16';

/** 'cpu', 'cuda' or 'cuda:N'; 'meta' holds shapes only (tests trace device placement with it). */
export type Device = 'cpu' | 'meta' | 'cuda' | `cuda:${number}`;

/** True for a device name ('cpu', 'meta', 'cuda', 'cuda:N'), false for a dtype name. */
export function isDevice(name: string): name is Device {
  return name === 'cpu' || name === 'meta' || name === 'cuda' || /^cuda:\d+$/.test(name);
}

export type MemoryFormat = 'contiguous' | 'preserve' | 'channels_last';

// c10::ScalarType codes.
const DTYPE_CODES: Record<DType, number> = {
  uint8: 0,
  int8: 1,
  int16: 2,
  int32: 3,
  int64: 4,
  float16: 5,
  float32: 6,
  float64: 7,
  bool: 11,
  bfloat16: 15,
};

const CODE_DTYPES = new Map<number, DType>(Object.entries(DTYPE_CODES).map(([k, v]) => [v, k as DType]));

export const DTYPES = Object.keys(DTYPE_CODES) as readonly DType[];

export function dtypeCode(dtype: DType): number {
  const code = DTYPE_CODES[dtype];
  if (code === undefined) throw new TypeError(`unknown dtype '${String(dtype)}'; expected one of ${DTYPES.join(', ')}`);
  return code;
}

export function dtypeFromCode(code: number): DType {
  const d = CODE_DTYPES.get(code);
  if (d === undefined) throw new TypeError(`libtorch dtype code ${code} has no ncml name`);
  return d;
}

export function isFloatingPoint(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'bfloat16' || dtype === 'float16';
}

/** Bytes per element. */
export function elementSize(dtype: DType): number {
  switch (dtype) {
    case 'float64':
    case 'int64':
      return 8;
    case 'float32':
    case 'int32':
      return 4;
    case 'bfloat16':
    case 'float16':
    case 'int16':
      return 2;
    default:
      return 1;
  }
}

/** The TypedArray a dtype's data is exchanged through (16-bit floats as raw bits). */
export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int64'
      ? BigInt64Array
      : D extends 'int32'
        ? Int32Array
        : D extends 'int16'
          ? Int16Array
          : D extends 'int8'
            ? Int8Array
            : D extends 'bfloat16' | 'float16'
              ? Uint16Array
              : Uint8Array;

export type AnyTypedArray =
  Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint16Array | Uint8Array;

/** The dtype a TypedArray holds by default (Uint16Array is ambiguous: pass the dtype). */
export function dtypeOfArray(a: AnyTypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  throw new TypeError('a Uint16Array holds raw bfloat16 or float16 bits: pass dtype explicitly');
}

export function makeTypedArray(dtype: DType, length: number): AnyTypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'int16':
      return new Int16Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'bfloat16':
    case 'float16':
      return new Uint16Array(length);
    default:
      return new Uint8Array(length);
  }
}

const MEMORY_FORMAT_CODES: Record<MemoryFormat, number> = { contiguous: 0, preserve: 1, channels_last: 2 };

export function memoryFormatCode(f: MemoryFormat): number {
  const code = MEMORY_FORMAT_CODES[f];
  if (code === undefined) {
    throw new TypeError(`unknown memory format '${String(f)}'; expected contiguous, preserve or channels_last`);
  }
  return code;
}
