import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bitflip } from '../../src/ncml/bitflip.js';
import { type Tensor, getRngState, manualSeed, randint, scope, tensor } from '../../src/tensor/index.js';

function pixels(n: number, seed = 1): Tensor {
  manualSeed(seed);
  return randint(0, 256, [n], { dtype: 'uint8' });
}

function bytes(t: Tensor): number[] {
  return Array.from(t.toArray() as Uint8Array);
}

test('pi = 0 returns an equal, separate tensor', () => {
  const x = pixels(1000);
  const y = bitflip(x, 0);
  assert.deepEqual(bytes(y), bytes(x));
  assert.equal(y.dtype, 'uint8');
  y.dispose();
  assert.equal(x.isDisposed, false);
});

test('pi = 1 flips every least significant bit', () => {
  const x = pixels(1000);
  assert.deepEqual(
    bytes(bitflip(x, 1)),
    bytes(x).map((v) => v ^ 1),
  );
});

test('pi = 0.5 flips about half the subpixels and only their LSB', () => {
  const n = 100_000;
  const x = pixels(n);
  const y = bitflip(x, 0.5);
  const before = bytes(x);
  const after = bytes(y);
  let flipped = 0;
  for (let i = 0; i < n; i++) {
    const diff = before[i]! ^ after[i]!;
    assert.ok(diff === 0 || diff === 1, `subpixel ${i}: ${before[i]} -> ${after[i]} changed more than bit 0`);
    flipped += diff;
  }
  // Binomial(n, 1/2): within 5 standard deviations.
  assert.ok(Math.abs(flipped - n / 2) < 5 * Math.sqrt(n / 4), `${flipped} of ${n} flipped`);
});

test('flipped values stay in [0, 255] even in a dtype that could leave it', () => {
  const x = pixels(10_000).long();
  for (const bit of [0, 7]) {
    const y = bitflip(x, 0.5, { bit });
    assert.equal(y.dtype, 'int64');
    assert.ok(y.amin().item() >= 0 && y.amax().item() <= 255, `bit ${bit}`);
    assert.ok(y.ne(x).any().item(), `bit ${bit}: something flipped`);
  }
});

test('bit = 7 flips only the most significant bit, with the requested probability', () => {
  const n = 20_000;
  const x = pixels(n, 2);
  const before = bytes(x);
  const after = bytes(bitflip(x, 0.25, { bit: 7 }));
  let flipped = 0;
  for (let i = 0; i < n; i++) {
    const diff = before[i]! ^ after[i]!;
    assert.ok(diff === 0 || diff === 128, `subpixel ${i}: ${before[i]} -> ${after[i]}`);
    flipped += diff === 128 ? 1 : 0;
  }
  assert.ok(Math.abs(flipped - n / 4) < 5 * Math.sqrt((n * 3) / 16), `${flipped} of ${n} flipped`);
  assert.deepEqual(
    bytes(bitflip(x, 1, { bit: 7 })),
    before.map((v) => v ^ 128),
  );
});

test('the k-bit form works on wider integer dtypes', () => {
  const x = tensor([0, 1, 4095, 2048], { dtype: 'int64' }).int();
  const y = bitflip(x, 1, { bit: 11, bits: 12 });
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(y.tolist(), [2048, 2049, 2047, 0]);
});

test('pi = 0 and pi = 1 draw nothing from the generator', () => {
  const x = pixels(1000);
  const before = bytes(getRngState());
  bitflip(x, 0);
  bitflip(x, 1);
  assert.deepEqual(bytes(getRngState()), before);
  bitflip(x, 0.5);
  assert.notDeepEqual(bytes(getRngState()), before, 'the state does record draws');
});

test('manualSeed makes the flips reproducible', () => {
  const x = pixels(5000);
  const draw = () =>
    scope(() => {
      manualSeed(123);
      return bytes(bitflip(x, 0.3));
    });
  const a = draw();
  assert.deepEqual(draw(), a);
  manualSeed(124);
  assert.notDeepEqual(bytes(bitflip(x, 0.3)), a);
});

test('bad arguments are rejected with clear errors', () => {
  const x = pixels(10);
  assert.throws(() => bitflip(x, 1.5), /pi must be a probability in \[0, 1\], got 1.5/);
  assert.throws(() => bitflip(x, Number.NaN), /pi must be a probability/);
  assert.throws(() => bitflip(x.float(), 0.5), /integer dtype.*got float32/);
  assert.throws(() => bitflip(x, 0.5, { bit: 8 }), /bit must be an integer in \[0, bits\) = \[0, 8\), got 8/);
  assert.throws(() => bitflip(x, 0.5, { bits: 9 }), /bits must be an integer in \[1, 8\] for uint8/);
  assert.throws(
    () => bitflip(tensor([3, 300], { dtype: 'int64' }), 0.5),
    /values must lie in \[0, 2\^8\) = \[0, 255\], found range \[3, 300\]/,
  );
  assert.throws(() => bitflip(tensor([-1, 3], { dtype: 'int64' }), 0.5), /found range \[-1, 3\]/);
});
