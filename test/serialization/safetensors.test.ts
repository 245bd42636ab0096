import assert from 'node:assert/strict';
import { test } from 'node:test';

import { safetensors } from '../../src/index.js';
import {
  type DType,
  DTYPES,
  type Tensor,
  arange,
  elementSize,
  fromTypedArray,
  makeTypedArray,
  randn,
  tensor,
} from '../../src/tensor/index.js';
import { fromSafetensorsDType } from '../../src/serialization/safetensors-dtype.js';
import { dataOf, headerOf } from './raw-safetensors.js';

const { SafetensorsError, deserialize, serialize } = safetensors;

/** A tensor whose every byte is set by a pattern (bool: 0/1), so a round trip must preserve bytes exactly. */
function patterned(dtype: DType, shape: number[], seed = 0): Tensor {
  const numel = shape.reduce((a, b) => a * b, 1);
  const array = makeTypedArray(dtype, numel);
  const bytes = new Uint8Array(array.buffer);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = dtype === 'bool' ? ((i * 7 + seed) % 3) & 1 : (i * 37 + seed) & 0xff;
  return fromTypedArray(array, shape, { dtype });
}

function bytesOf(t: Tensor): Buffer {
  const a = t.toArray();
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function assertSameTensor(actual: Tensor | undefined, expected: Tensor, what: string): void {
  assert.ok(actual !== undefined, `${what}: missing after the round trip`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assert.deepEqual(bytesOf(actual), bytesOf(expected), `${what}: data bytes`);
}

test('every dtype round-trips byte for byte, as a matrix, a 0-d scalar and an empty tensor', () => {
  const input = new Map<string, Tensor>();
  DTYPES.forEach((dtype, i) => {
    input.set(`${dtype}.matrix`, patterned(dtype, [2, 3], i));
    input.set(`${dtype}.scalar`, patterned(dtype, [], i + 1));
    input.set(`${dtype}.empty`, patterned(dtype, [2, 0, 3]));
  });
  const { tensors, metadata } = deserialize(serialize(input));
  assert.deepEqual([...tensors.keys()].sort(), [...input.keys()].sort());
  for (const [name, t] of input) assertSameTensor(tensors.get(name), t, name);
  assert.deepEqual(metadata, {});
});

test('values survive: float32, int64 extremes, bfloat16 and bool', () => {
  const input = {
    f: tensor([1.5, -2, 0.1]),
    i: fromTypedArray(new BigInt64Array([-(2n ** 63n), 2n ** 62n + 3n, 2n ** 63n - 1n]), [3]),
    h: tensor(
      [
        [0.5, -3],
        [1024, 0.0078125],
      ],
      { dtype: 'bfloat16' },
    ),
    b: tensor([true, false, true]),
  };
  const { tensors } = deserialize(serialize(input));
  assert.deepEqual(tensors.get('f')?.tolist(), [1.5, -2, Math.fround(0.1)]);
  assert.deepEqual(Array.from(tensors.get('i')?.toArray() as BigInt64Array), [
    -(2n ** 63n),
    2n ** 62n + 3n,
    2n ** 63n - 1n,
  ]);
  assert.deepEqual(tensors.get('h')?.tolist(), [
    [0.5, -3],
    [1024, 0.0078125],
  ]);
  assert.deepEqual(tensors.get('b')?.tolist(), [true, false, true]);
});

test('non-contiguous views are written in row-major order', () => {
  const transposed = arange(12).reshape(3, 4).t();
  const narrowed = arange(20, undefined, 1, { dtype: 'float32' }).reshape(5, 4).narrow(0, 1, 3).slice(1, 0, 4, 2);
  assert.equal(transposed.isContiguous(), false);
  assert.equal(narrowed.isContiguous(), false);

  const { tensors } = deserialize(serialize({ transposed, narrowed }));
  assert.deepEqual(tensors.get('transposed')?.shape, [4, 3]);
  assert.deepEqual(tensors.get('transposed')?.tolist(), [
    [0, 4, 8],
    [1, 5, 9],
    [2, 6, 10],
    [3, 7, 11],
  ]);
  assert.deepEqual(tensors.get('narrowed')?.tolist(), [
    [4, 6],
    [8, 10],
    [12, 14],
  ]);
  assert.deepEqual(tensors.get('transposed')?.stride(), [3, 1]);
});

test('a channels_last tensor is written in logical (NCHW) row-major order', () => {
  const nchw = randn([2, 3, 4, 5]);
  const channelsLast = nchw.contiguous('channels_last');
  assert.equal(channelsLast.isContiguous(), false);
  assert.equal(channelsLast.isContiguous('channels_last'), true);

  const { tensors } = deserialize(serialize({ x: channelsLast }));
  assertSameTensor(tensors.get('x'), nchw, 'x');
});

test('a tensor that requires grad is written as its data', () => {
  const w = tensor([1, 2, 3], { requiresGrad: true });
  const { tensors } = deserialize(serialize({ w }));
  assert.deepEqual(tensors.get('w')?.tolist(), [1, 2, 3]);
  assert.equal(tensors.get('w')?.requiresGrad, false);
});

test('metadata round-trips, including unicode, empty strings and a key named __proto__', () => {
  const metadata: Record<string, string> = { format: 'pt', step: '1200', empty: '', 'ünï/cødé ✓': 'value "quoted"\n' };
  Object.defineProperty(metadata, '__proto__', { value: 'data', enumerable: true });
  const back = deserialize(serialize({ x: tensor([1]) }, metadata)).metadata;
  assert.deepEqual(back, metadata);
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.deepEqual(deserialize(serialize({}, { only: 'metadata' })), {
    tensors: new Map(),
    metadata: { only: 'metadata' },
  });
});

test('the bytes match a file built by hand from the spec', () => {
  const out = serialize({ a: tensor([1, 2, 3], { dtype: 'uint8' }), b: tensor([1, -2]) }, { k: 'v' });

  // Widest elements first, so 'b' (F32) precedes 'a' (U8); metadata leads the header.
  const json =
    '{"__metadata__":{"k":"v"},' +
    '"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
    '"a":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}}';
  assert.equal(json.length, 132);
  // 8 + 132 = 140 bytes; four spaces bring the data start to 144, a multiple of 8, so the header length is 136.
  const expected = Buffer.concat([
    Buffer.from([136, 0, 0, 0, 0, 0, 0, 0]),
    Buffer.from(json + '    ', 'ascii'),
    Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]), // 1.0f, -2.0f little-endian
    Buffer.from([1, 2, 3]),
  ]);
  assert.deepEqual(out, expected);
});

test('the data starts 8-byte aligned and tensors tile it in a deterministic order', () => {
  const input: Record<string, Tensor> = {};
  DTYPES.forEach((dtype, i) => (input[`t${9 - i}`] = patterned(dtype, [3 + i], i)));
  const a = serialize(input);
  const reversed = Object.fromEntries(Object.entries(input).reverse());
  assert.deepEqual(serialize(reversed), a, 'the same tensors in another insertion order give the same bytes');

  const headerLength = Number(a.readBigUInt64LE(0));
  assert.equal((8 + headerLength) % 8, 0);
  const entries = Object.values(headerOf(a)) as { dtype: string; data_offsets: [number, number] }[];
  entries.sort((x, y) => x.data_offsets[0] - y.data_offsets[0]);
  let end = 0;
  for (const e of entries) {
    assert.equal(e.data_offsets[0], end, 'contiguous, no holes');
    end = e.data_offsets[1];
  }
  assert.equal(end, dataOf(a).length, 'the tensors cover the whole data buffer');
  const sizes = entries.map((e) => elementSize(fromSafetensorsDType(e.dtype)!));
  assert.deepEqual(
    sizes,
    [...sizes].sort((x, y) => y - x),
    'widest elements first keeps each tensor aligned',
  );
});

test('a tensor stored at an unaligned offset is read correctly', () => {
  // Slicing one byte off a larger buffer misaligns everything after the prefix.
  const bytes = serialize({ x: tensor([1.25, -7], { dtype: 'float64' }) });
  const shifted = Buffer.alloc(bytes.length + 1);
  bytes.copy(shifted, 1);
  const { tensors } = deserialize(shifted.subarray(1));
  assert.deepEqual(tensors.get('x')?.tolist(), [1.25, -7]);
});

test('serialize refuses a disposed tensor, the reserved name and non-string metadata', () => {
  const gone = tensor([1, 2]);
  gone.dispose();
  assert.throws(() => serialize({ ok: tensor([1]), gone }), {
    name: 'SafetensorsError',
    message: /tensor 'gone' was disposed/,
  });
  assert.throws(() => serialize({ __metadata__: tensor([1]) }), {
    name: 'SafetensorsError',
    message: /'__metadata__' is reserved/,
  });
  assert.throws(() => serialize({ x: tensor([1]) }, { step: 3 as unknown as string }), {
    name: 'SafetensorsError',
    message: /metadata value for 'step' must be a string, found number/,
  });
  assert.throws(
    () => serialize({ x: [1, 2] as unknown as Tensor }),
    (e: unknown) => e instanceof SafetensorsError,
  );
});
