// Interoperability with PyTorch, through an independent reader and writer in
// Python (see torch-reference.ts).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { safetensors } from '../../src/index.js';
import { type Tensor, arange, fromTypedArray, isFloatingPoint, randn, tensor } from '../../src/tensor/index.js';
import { type TensorDescription, torchRead, torchWrite } from './torch-reference.js';
import { tempDir } from '../helpers.js';

const dir = tempDir('ncml-safetensors-torch-');
after(() => rmSync(dir, { recursive: true, force: true }));

/** The same description the Python side prints. */
function describeTensor(t: Tensor): TensorDescription {
  const data = t.toArray();
  const values =
    t.dtype === 'int64'
      ? Array.from(data as BigInt64Array, String)
      : isFloatingPoint(t.dtype)
        ? Array.from(t.double().toArray() as Float64Array)
        : t.dtype === 'bool'
          ? Array.from(data as Uint8Array, (v) => v !== 0)
          : Array.from(data as ArrayLike<number>);
  return { dtype: t.dtype, shape: t.shape, values };
}

test('PyTorch reads every dtype, a scalar, an empty tensor, views and metadata that we wrote', () => {
  const tensors: Record<string, Tensor> = {
    f32: randn([2, 3]),
    f64: randn([4], { dtype: 'float64' }),
    bf16: randn([3, 2]).bfloat16(),
    f16: randn([5]).half(),
    i64: fromTypedArray(new BigInt64Array([-(2n ** 63n), 2n ** 62n + 3n, 2n ** 63n - 1n]), [3]),
    i32: tensor([-(2 ** 31), 2 ** 31 - 1, 5], { dtype: 'int32' }),
    i16: tensor([-32768, 32767], { dtype: 'int16' }),
    i8: tensor([-128, 127, -1], { dtype: 'int8' }),
    u8: tensor([0, 255, 17], { dtype: 'uint8' }),
    bool: tensor([
      [true, false],
      [false, true],
    ]),
    scalar: tensor(2.5, { dtype: 'float64' }),
    empty: randn([2, 0, 3]),
    transposed: arange(12).reshape(3, 4).t(),
    channelsLast: randn([1, 3, 2, 2]).contiguous('channels_last'),
  };
  const metadata = { format: 'pt', note: 'ünïcødé "quoted"' };
  const path = join(dir, 'ours.safetensors');
  safetensors.saveFile(path, tensors, metadata);

  const seen = torchRead(path);
  assert.deepEqual(seen.metadata, metadata);
  assert.equal(seen.dataStart % 8, 0, 'the data starts 8-byte aligned');
  assert.deepEqual(Object.keys(seen.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) {
    assert.deepEqual(seen.tensors[name], describeTensor(t), `tensor '${name}' as PyTorch reads it`);
  }
  // Spot-check the layout-sensitive ones against values written out by hand.
  assert.deepEqual(seen.tensors.transposed?.values, ['0', '4', '8', '1', '5', '9', '2', '6', '10', '3', '7', '11']);
  assert.deepEqual(seen.tensors.i64?.values, ['-9223372036854775808', '4611686018427387907', '9223372036854775807']);
});

test('we read a file PyTorch wrote by hand (unpadded header, unaligned data)', () => {
  const path = join(dir, 'theirs.safetensors');
  const written = torchWrite(path);

  const { tensors, metadata } = safetensors.loadFile(path);
  assert.deepEqual(metadata, written.metadata);
  assert.deepEqual([...tensors.keys()].sort(), Object.keys(written.tensors).sort());
  for (const [name, expected] of Object.entries(written.tensors)) {
    assert.deepEqual(describeTensor(tensors.get(name)!), expected, `tensor '${name}' as we read it`);
  }
  assert.deepEqual(tensors.get('i32')?.shape, [4, 3]);
  assert.deepEqual(tensors.get('scalar_f32')?.tolist(), -0.375);
  assert.deepEqual(tensors.get('i8')?.tolist(), [-128, -1, 127]);
});
