// Every malformed input is built on the fly and must be refused with a
// SafetensorsError that says what is wrong.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { safetensors } from '../../src/index.js';
import { tensor } from '../../src/tensor/index.js';
import { rawSafetensors } from './raw-safetensors.js';
import { tempDir } from '../helpers.js';

const { SafetensorsError, deserialize, loadFile, readHeader } = safetensors;

function assertRefused(bytes: Uint8Array, message: RegExp): void {
  assert.throws(
    () => deserialize(bytes),
    (e: unknown) => {
      assert.ok(e instanceof SafetensorsError, `expected a SafetensorsError, got ${String(e)}`);
      assert.match(e.message, message);
      assert.match(e.message, /^safetensors: /);
      return true;
    },
  );
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });
const data = (n: number) => new Uint8Array(n);

describe('the length prefix', () => {
  test('a buffer shorter than 8 bytes', () => {
    assertRefused(data(0), /expected at least 8 bytes \(the header length prefix\), found 0 bytes/);
    assertRefused(data(7), /expected at least 8 bytes .* found 7 bytes/);
  });

  test('a header length larger than the file', () => {
    const valid = rawSafetensors({ a: f32([1], 0, 4) }, data(4));
    const declared = BigInt(valid.length - 8 + 1);
    assertRefused(
      rawSafetensors({ a: f32([1], 0, 4) }, data(4), { declaredLength: declared }),
      new RegExp(`header length ${declared} exceeds the ${valid.length - 8} bytes that follow the length prefix`),
    );
  });

  test('a header length over 100 MB, or beyond Number.MAX_SAFE_INTEGER', () => {
    assertRefused(
      rawSafetensors('{}', data(0), { declaredLength: 100_000_001n }),
      /header length 100000001 exceeds the limit of 100000000 bytes/,
    );
    assertRefused(
      rawSafetensors('{}', data(0), { declaredLength: 2n ** 64n - 1n }),
      /header length 18446744073709551615 exceeds the limit/,
    );
    assertRefused(
      rawSafetensors('{}', data(0), { declaredLength: 2n ** 53n + 1n }),
      /header length 9007199254740993 exceeds the limit/,
    );
  });
});

describe('the header JSON', () => {
  test('not valid JSON, or not UTF-8', () => {
    assertRefused(rawSafetensors('{"a": '), /header is not valid JSON/);
    assertRefused(rawSafetensors(''), /header is not valid JSON/);
    assertRefused(rawSafetensors(new Uint8Array([0x7b, 0xff, 0x7d])), /header is not valid UTF-8/);
  });

  test('not an object', () => {
    assertRefused(rawSafetensors([]), /header must be a JSON object, found array \[\]/);
    assertRefused(rawSafetensors('null'), /header must be a JSON object, found null/);
    assertRefused(rawSafetensors('"x"'), /header must be a JSON object, found string "x"/);
  });

  test('an entry that is not an object', () => {
    assertRefused(
      rawSafetensors({ a: 3 }),
      /tensor 'a': expected an object \{dtype, shape, data_offsets\}, found number 3/,
    );
  });

  test('an entry missing a field', () => {
    for (const field of ['dtype', 'shape', 'data_offsets']) {
      const entry: Record<string, unknown> = f32([1], 0, 4);
      delete entry[field];
      assertRefused(rawSafetensors({ a: entry }, data(4)), new RegExp(`tensor 'a': missing field '${field}'`));
    }
  });

  test('fields of the wrong type', () => {
    const bad = (patch: object) => rawSafetensors({ a: { ...f32([1], 0, 4), ...patch } }, data(4));
    assertRefused(bad({ dtype: 5 }), /tensor 'a': 'dtype' must be a string, found number 5/);
    assertRefused(
      bad({ shape: '1' }),
      /tensor 'a': 'shape' must be an array of non-negative integers, found string "1"/,
    );
    assertRefused(bad({ shape: [null] }), /tensor 'a': 'shape' entry 0 must be a non-negative integer, found null/);
    assertRefused(
      bad({ data_offsets: [0] }),
      /'data_offsets' must be \[begin, end\] with non-negative integers, found array \[0\]/,
    );
    assertRefused(bad({ data_offsets: ['0', 4] }), /'data_offsets' must be \[begin, end\]/);
    assertRefused(bad({ data_offsets: [0, 4, 8] }), /'data_offsets' must be \[begin, end\]/);
    assertRefused(bad({ data_offsets: { begin: 0, end: 4 } }), /'data_offsets' must be \[begin, end\]/);
  });

  test('offsets that a double cannot hold exactly', () => {
    // 2^60 parses to a double, but not a safe integer: it must not pass as an offset.
    assertRefused(
      rawSafetensors(
        '{"a":{"dtype":"U8","shape":[4],"data_offsets":[1152921504606846976,1152921504606846980]}}',
        data(4),
      ),
      /'data_offsets' must be \[begin, end\] with non-negative integers/,
    );
  });

  test('metadata that is not an object of strings', () => {
    assertRefused(
      rawSafetensors({ __metadata__: { step: 3 } }),
      /__metadata__ value for 'step' must be a string, found number 3/,
    );
    assertRefused(rawSafetensors({ __metadata__: { nested: {} } }), /__metadata__ value for 'nested' must be a string/);
    assertRefused(rawSafetensors({ __metadata__: ['x'] }), /__metadata__ must be an object of strings, found array/);
    assertRefused(rawSafetensors({ __metadata__: 'x' }), /__metadata__ must be an object of strings, found string/);
  });

  test('an unknown dtype', () => {
    for (const dtype of ['U32', 'F8_E4M3', 'f32', '']) {
      assertRefused(
        rawSafetensors({ a: { dtype, shape: [1], data_offsets: [0, 4] } }, data(4)),
        new RegExp(
          `tensor 'a': unsupported dtype '${dtype}'; expected one of F64, F32, BF16, F16, I64, I32, I16, I8, U8, BOOL`,
        ),
      );
    }
  });
});

describe('shapes and sizes', () => {
  test('a negative or non-integer shape entry', () => {
    assertRefused(
      rawSafetensors({ a: f32([-1], 0, 4) }, data(4)),
      /tensor 'a': 'shape' entry 0 must be a non-negative integer, found number -1/,
    );
    assertRefused(
      rawSafetensors({ a: f32([2, 1.5], 0, 12) }, data(12)),
      /'shape' entry 1 must be a non-negative integer, found number 1.5/,
    );
  });

  test('a byte size that does not match shape and dtype', () => {
    assertRefused(
      rawSafetensors({ a: f32([3], 0, 8) }, data(8)),
      /tensor 'a': shape \[3\] of F32 needs 12 bytes, but data_offsets \[0, 8\] span 8/,
    );
    assertRefused(
      rawSafetensors({ a: { dtype: 'BF16', shape: [2, 2], data_offsets: [0, 4] } }, data(4)),
      /shape \[2,2\] of BF16 needs 8 bytes, but data_offsets \[0, 4\] span 4/,
    );
    // The product overflows a double's exact range; it must still be compared exactly.
    assertRefused(
      rawSafetensors({ a: f32([2 ** 40, 2 ** 40], 0, 4) }, data(4)),
      /needs 4835703278458516698824704 bytes/,
    );
  });
});

describe('data offsets', () => {
  test('begin after end', () => {
    assertRefused(rawSafetensors({ a: f32([1], 8, 4) }, data(8)), /tensor 'a': 'data_offsets' begin 8 is after end 4/);
  });

  test('out of bounds', () => {
    assertRefused(
      rawSafetensors({ a: f32([1], 0, 4), b: f32([250], 4, 1004) }, data(8)),
      /tensor 'b' data_offsets \[4, 1004\] reach past the end of the data buffer \(8 bytes after the header\)/,
    );
  });

  test('overlapping tensors', () => {
    assertRefused(
      rawSafetensors({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, data(12)),
      /tensors 'a' \[0, 8\] and 'b' \[4, 12\] overlap/,
    );
    assertRefused(
      rawSafetensors({ a: f32([2], 0, 8), b: f32([2], 0, 8) }, data(8)),
      /tensors 'a' \[0, 8\] and 'b' \[0, 8\] overlap/,
    );
  });

  test('a hole between or before tensors', () => {
    assertRefused(
      rawSafetensors({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, data(12)),
      /data bytes \[4, 8\) before tensor 'b' belong to no tensor; tensors must cover the data buffer without holes/,
    );
    assertRefused(
      rawSafetensors({ a: f32([1], 4, 8) }, data(8)),
      /data bytes \[0, 4\) before tensor 'a' belong to no tensor/,
    );
  });

  test('trailing bytes no tensor covers', () => {
    assertRefused(
      rawSafetensors({ a: f32([1], 0, 4) }, data(6)),
      /data bytes \[4, 6\) after the last tensor belong to no tensor; tensors must cover the data buffer exactly/,
    );
    assertRefused(rawSafetensors({}, data(1)), /data bytes \[0, 1\) after the last tensor belong to no tensor/);
  });

  test('a truncated file', () => {
    const whole = safetensors.serialize({ a: tensor([1, 2, 3]), b: tensor([4, 5], { dtype: 'float64' }) });
    // b (F64) comes first, a (F32) ends the data; cut into a.
    assertRefused(
      whole.subarray(0, whole.length - 3),
      /tensor 'a' data_offsets \[16, 28\] reach past .* the file is truncated/,
    );
  });
});

test('a BOOL byte other than 0 or 1', () => {
  assertRefused(
    rawSafetensors({ b: { dtype: 'BOOL', shape: [3], data_offsets: [0, 3] } }, new Uint8Array([1, 0, 2])),
    /tensor 'b' is BOOL but element 2 is 2, not 0 or 1/,
  );
});

test('a well-formed hand-built file with no padding is accepted', () => {
  const bytes = new Uint8Array([0, 0, 0x80, 0x3f, 7]);
  const { tensors, metadata } = deserialize(
    rawSafetensors(
      { __metadata__: { m: 'x' }, b: { dtype: 'U8', shape: [], data_offsets: [4, 5] }, a: f32([1], 0, 4) },
      bytes,
    ),
  );
  assert.deepEqual(tensors.get('a')?.tolist(), [1]);
  assert.deepEqual(tensors.get('b')?.tolist(), 7);
  assert.deepEqual(metadata, { m: 'x' });
});

describe('errors reading files name the file', () => {
  const dir = tempDir('ncml-safetensors-');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('loadFile and readHeader on a corrupt file', () => {
    const path = join(dir, 'corrupt.safetensors');
    writeFileSync(path, rawSafetensors({ a: f32([3], 0, 8) }, data(8)));
    for (const read of [loadFile, readHeader]) {
      assert.throws(
        () => read(path),
        (e: unknown) => {
          assert.ok(e instanceof SafetensorsError);
          assert.equal(e.file, path);
          assert.match(
            e.message,
            new RegExp(`^safetensors file '${escapeRegExp(path)}': tensor 'a': shape \\[3\\] of F32 needs 12 bytes`),
          );
          return true;
        },
      );
    }
  });

  test('readHeader checks the data size against the file size without reading the data', () => {
    const path = join(dir, 'short.safetensors');
    writeFileSync(path, rawSafetensors({ a: f32([4], 0, 16) }, data(10)));
    assert.throws(
      () => readHeader(path),
      /safetensors file '.*short.safetensors': tensor 'a' .* the file is truncated/,
    );
  });

  test('a file shorter than the length prefix, and a header longer than the file', () => {
    const tiny = join(dir, 'tiny.safetensors');
    writeFileSync(tiny, data(3));
    for (const read of [loadFile, readHeader]) {
      assert.throws(
        () => read(tiny),
        /safetensors file '.*tiny.safetensors': expected at least 8 bytes .* found 3 bytes/,
      );
    }
    const cut = join(dir, 'cut-header.safetensors');
    writeFileSync(cut, rawSafetensors('{"a":{}}', data(0), { declaredLength: 1000n }));
    for (const read of [loadFile, readHeader]) {
      assert.throws(
        () => read(cut),
        /safetensors file '.*cut-header.safetensors': header length 1000 exceeds the 8 bytes/,
      );
    }
  });
});
