// Reading a safetensors header: the 8-byte length prefix and the JSON that
// describes each tensor and the metadata. Every field is checked, because a
// header that passes is trusted to slice the data buffer.
import { type DType, elementSize } from '../tensor/index.js';
import { SUPPORTED_SAFETENSORS_DTYPES, fromSafetensorsDType } from './safetensors-dtype.js';
import { SafetensorsError } from './safetensors-error.js';

export type Metadata = Record<string, string>;

/** One tensor as the header describes it. */
export interface TensorEntry {
  name: string;
  dtype: DType;
  shape: number[];
  /** Byte range [begin, end) within the data buffer that follows the header. */
  begin: number;
  end: number;
}

export interface Header {
  entries: TensorEntry[];
  metadata: Metadata;
}

export const PREFIX_BYTES = 8;
/** The reference implementation's limit; a larger header is a corrupt or hostile file. */
export const MAX_HEADER_BYTES = 100_000_000;
export const METADATA_KEY = '__metadata__';

/**
 * The header's length from the prefix at the start of bytes, checked against
 * fileBytes (the whole file's size; bytes may hold only its beginning).
 */
export function headerLength(bytes: Uint8Array, fileBytes: number, file?: string): number {
  if (fileBytes < PREFIX_BYTES || bytes.byteLength < PREFIX_BYTES) {
    throw new SafetensorsError(
      `expected at least ${PREFIX_BYTES} bytes (the header length prefix), found ${fileBytes} bytes`,
      file,
    );
  }
  // A u64 can exceed Number.MAX_SAFE_INTEGER, so compare as BigInt before converting.
  const n = new DataView(bytes.buffer, bytes.byteOffset, PREFIX_BYTES).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(`header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`, file);
  }
  const length = Number(n);
  if (length > fileBytes - PREFIX_BYTES) {
    throw new SafetensorsError(
      `header length ${length} exceeds the ${fileBytes - PREFIX_BYTES} bytes that follow the length prefix`,
      file,
    );
  }
  return length;
}

/** Decodes and checks the header JSON (but not how the tensors lie in the data buffer). */
export function parseHeader(json: Uint8Array, file?: string): Header {
  const root = parseJson(json, file);
  if (!isPlainObject(root)) {
    throw new SafetensorsError(`header must be a JSON object, found ${describe(root)}`, file);
  }
  const entries: TensorEntry[] = [];
  let metadata: Metadata = {};
  for (const [key, value] of Object.entries(root)) {
    if (key === METADATA_KEY) metadata = parseMetadata(value, file);
    else entries.push(parseEntry(key, value, file));
  }
  return { entries, metadata };
}

function parseJson(json: Uint8Array, file?: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw new SafetensorsError('header is not valid UTF-8', file);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON (${(e as Error).message})`, file);
  }
}

function parseMetadata(value: unknown, file?: string): Metadata {
  if (!isPlainObject(value)) {
    throw new SafetensorsError(`${METADATA_KEY} must be an object of strings, found ${describe(value)}`, file);
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new SafetensorsError(`${METADATA_KEY} value for '${key}' must be a string, found ${describe(v)}`, file);
    }
  }
  // fromEntries defines own properties, so a key like "__proto__" stays data.
  return Object.fromEntries(Object.entries(value as Metadata));
}

function parseEntry(name: string, value: unknown, file?: string): TensorEntry {
  const fail = (problem: string): never => {
    throw new SafetensorsError(`tensor '${name}': ${problem}`, file);
  };
  if (!isPlainObject(value)) fail(`expected an object {dtype, shape, data_offsets}, found ${describe(value)}`);
  const fields = value as Record<string, unknown>;
  for (const field of ['dtype', 'shape', 'data_offsets']) {
    if (!(field in fields)) fail(`missing field '${field}'`);
  }

  const { dtype: dtypeName, shape, data_offsets: offsets } = fields;
  if (typeof dtypeName !== 'string') fail(`'dtype' must be a string, found ${describe(dtypeName)}`);
  const dtype = fromSafetensorsDType(dtypeName as string);
  if (dtype === undefined) {
    fail(`unsupported dtype '${dtypeName as string}'; expected one of ${SUPPORTED_SAFETENSORS_DTYPES.join(', ')}`);
  }

  if (!Array.isArray(shape)) fail(`'shape' must be an array of non-negative integers, found ${describe(shape)}`);
  (shape as unknown[]).forEach((size, i) => {
    if (!isCount(size)) fail(`'shape' entry ${i} must be a non-negative integer, found ${describe(size)}`);
  });

  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    fail(`'data_offsets' must be [begin, end] with non-negative integers, found ${describe(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`'data_offsets' begin ${begin} is after end ${end}`);

  const entry: TensorEntry = { name, dtype: dtype as DType, shape: shape as number[], begin, end };
  checkByteSize(entry, dtypeName as string, fail);
  return entry;
}

// BigInt: the product of many safe integers need not be safe.
function checkByteSize(entry: TensorEntry, dtypeName: string, fail: (problem: string) => never): void {
  const needed = entry.shape.reduce((bytes, size) => bytes * BigInt(size), BigInt(elementSize(entry.dtype)));
  const spanned = entry.end - entry.begin;
  if (needed !== BigInt(spanned)) {
    fail(
      `shape ${JSON.stringify(entry.shape)} of ${dtypeName} needs ${needed} bytes, ` +
        `but data_offsets [${entry.begin}, ${entry.end}] span ${spanned}`,
    );
  }
}

/** A size or offset: a non-negative integer that a double holds exactly. */
function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short rendering of a JSON value for error messages. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  const kind = Array.isArray(v) ? 'array' : typeof v;
  const text = JSON.stringify(v) ?? String(v);
  return `${kind} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
