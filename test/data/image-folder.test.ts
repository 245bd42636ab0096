import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { join } from 'node:path';

import { decodePng, loadImageFolder, loadImageFolderSplit } from '../../src/data/index.js';
import { assertDatasetError, pngjsBytes, rawPngBytes, tempDir, writeFile } from './fixtures.js';

const { dir, cleanup } = tempDir();
after(cleanup);

/** Planar bytes of one image of a dataset. */
const imageAt = (ds: { images: Uint8Array; channels: number; height: number; width: number }, i: number): number[] => {
  const per = ds.channels * ds.height * ds.width;
  return Array.from(ds.images.subarray(i * per, (i + 1) * per));
};

// 2 x 2 test images.
const RGB = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]; // red, green, blue, (10, 20, 30)
const RGB_PLANAR = [255, 0, 0, 10, 0, 255, 0, 20, 0, 0, 255, 30];
const GRAY = [0, 64, 128, 255];

test('decodes gray, RGB, RGBA (alpha dropped) and palette PNGs', () => {
  assert.deepEqual(decodePng(pngjsBytes(2, 2, 0, GRAY), 'g'), {
    channels: 1,
    height: 2,
    width: 2,
    data: new Uint8Array(GRAY),
  });
  const rgb = decodePng(pngjsBytes(2, 2, 2, RGB), 'rgb');
  assert.deepEqual([rgb.channels, Array.from(rgb.data)], [3, RGB_PLANAR]);
  const rgba = RGB.flatMap((v, i) => (i % 3 === 2 ? [v, [0, 40, 128, 255][Math.floor(i / 3)] as number] : [v]));
  assert.deepEqual(Array.from(decodePng(pngjsBytes(2, 2, 6, rgba), 'rgba').data), RGB_PLANAR);
  const palette = rawPngBytes({
    width: 2,
    height: 2,
    bitDepth: 8,
    colorType: 3,
    palette: [
      [10, 20, 30],
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ],
    trns: new Uint8Array([0, 128]), // palette alpha is dropped too
    rows: [new Uint8Array([1, 2]), new Uint8Array([3, 0])],
  });
  assert.deepEqual(Array.from(decodePng(palette, 'p').data), RGB_PLANAR);
});

test('decodes 16-bit (high byte), low bit depths, gray+alpha and colour-keyed PNGs', () => {
  // 0x12ff has high byte 0x12 = 18; pngjs's own rescaling would give 19.
  const gray16 = rawPngBytes({
    width: 2,
    height: 1,
    bitDepth: 16,
    colorType: 0,
    rows: [new Uint8Array([0x12, 0xff, 0xff, 0x00])],
  });
  assert.deepEqual(Array.from(decodePng(gray16, 'g16').data), [0x12, 0xff]);
  const rgb16 = rawPngBytes({
    width: 1,
    height: 1,
    bitDepth: 16,
    colorType: 2,
    rows: [new Uint8Array([0x01, 0x80, 0x7f, 0xff, 0xfe, 0x01])],
  });
  assert.deepEqual(Array.from(decodePng(rgb16, 'rgb16').data), [1, 0x7f, 0xfe]);
  // 2-bit gray: levels 0..3 -> 0, 85, 170, 255.
  const gray2 = rawPngBytes({ width: 4, height: 1, bitDepth: 2, colorType: 0, rows: [new Uint8Array([0b00011011])] });
  assert.deepEqual(Array.from(decodePng(gray2, 'g2').data), [0, 85, 170, 255]);
  const gray1 = rawPngBytes({ width: 3, height: 1, bitDepth: 1, colorType: 0, rows: [new Uint8Array([0b10100000])] });
  assert.deepEqual(Array.from(decodePng(gray1, 'g1').data), [255, 0, 255]);
  const grayAlpha = pngjsBytes(2, 1, 4, [7, 0, 200, 255]);
  assert.deepEqual(decodePng(grayAlpha, 'ga'), { channels: 1, height: 1, width: 2, data: new Uint8Array([7, 200]) });
  // tRNS colour key 77: the keyed pixel keeps its value (alpha is dropped, not applied).
  const keyed = rawPngBytes({
    width: 2,
    height: 1,
    bitDepth: 8,
    colorType: 0,
    trns: new Uint8Array([0, 77]),
    rows: [new Uint8Array([77, 78])],
  });
  assert.deepEqual(Array.from(decodePng(keyed, 'k').data), [77, 78]);
});

test('a file that is not a PNG, or a corrupt PNG, names the file', () => {
  const f = writeFile(join(dir, 'bad', 'x.png'), 'hello, not an image');
  assertDatasetError(
    () => loadImageFolder(join(dir, 'bad')),
    f,
    'not a PNG file',
    'expected the PNG signature 89 50 4e 47',
    'found 68 65 6c',
  );
  const good = pngjsBytes(2, 2, 0, GRAY);
  const cut = writeFile(join(dir, 'bad2', 'cut.png'), good.subarray(0, good.length - 20));
  assertDatasetError(() => loadImageFolder(join(dir, 'bad2')), cut, 'unreadable PNG', 'expected a valid PNG image');
});

test('class subfolders give sorted class names and labels; gray images become RGB', () => {
  const root = join(dir, 'classes');
  writeFile(join(root, 'dog', 'b.png'), pngjsBytes(2, 2, 0, GRAY));
  writeFile(
    join(root, 'dog', 'a.png'),
    pngjsBytes(
      2,
      2,
      6,
      RGB.flatMap((v, i) => (i % 3 === 2 ? [v, 100] : [v])),
    ),
  );
  writeFile(join(root, 'cat', 'z.png'), pngjsBytes(2, 2, 2, RGB));
  writeFile(join(root, 'cat', 'notes.txt'), 'ignored');
  writeFile(join(root, '.hidden', 'h.png'), 'ignored');
  const ds = loadImageFolder(root);
  assert.deepEqual(ds.classNames, ['cat', 'dog']);
  assert.deepEqual(Array.from(ds.labels), [0, 1, 1]);
  assert.deepEqual([ds.count, ds.channels, ds.height, ds.width], [3, 3, 2, 2]);
  assert.deepEqual(imageAt(ds, 0), RGB_PLANAR);
  assert.deepEqual(imageAt(ds, 1), RGB_PLANAR); // dog/a.png (RGBA)
  assert.deepEqual(imageAt(ds, 2), [...GRAY, ...GRAY, ...GRAY]); // dog/b.png
});

test('an all-gray folder loads as 1 channel; channels: 1 converts RGB by BT.601 luma', () => {
  const root = join(dir, 'grayish');
  writeFile(join(root, 'a.png'), pngjsBytes(2, 2, 0, GRAY));
  writeFile(
    join(root, 'b.png'),
    pngjsBytes(
      2,
      2,
      2,
      GRAY.flatMap((v) => [v, v, v]),
    ),
  ); // RGB file, gray content
  const ds = loadImageFolder(root);
  assert.equal(ds.channels, 1);
  assert.equal(ds.numClasses, 1);
  assert.equal(ds.classNames, undefined);
  assert.deepEqual(imageAt(ds, 1), GRAY);
  const colour = join(dir, 'colour');
  writeFile(join(colour, 'c.png'), pngjsBytes(2, 2, 2, RGB));
  // PIL's "L" conversion gives 76, 150, 29 for pure red, green, blue.
  const l = 0.299 * 10 + 0.587 * 20 + 0.114 * 30;
  assert.deepEqual(imageAt(loadImageFolder(colour, { channels: 1 }), 0), [76, 150, 29, Math.round(l)]);
});

test('a size mismatch is an error by default, naming the file and both sizes', () => {
  const root = join(dir, 'sizes');
  writeFile(join(root, 'a.png'), pngjsBytes(2, 2, 0, GRAY));
  const b = writeFile(join(root, 'b.png'), pngjsBytes(3, 1, 0, [1, 2, 3]));
  assertDatasetError(
    () => loadImageFolder(root),
    b,
    'expected 2 x 2 (height x width',
    "resize: 'center-crop'",
    'found 1 x 3',
  );
  const a = join(root, 'a.png');
  assertDatasetError(() => loadImageFolder(root, { size: 4 }), a, 'expected 4 x 4', 'found 2 x 2');
});

test('center-crop crops exactly when only the aspect ratio differs', () => {
  const root = join(dir, 'crop');
  // 4 rows x 6 columns, value 10 * row + column; the centered 4 x 4 is columns 1..4.
  const wide = Array.from({ length: 24 }, (_, i) => 10 * Math.floor(i / 6) + (i % 6));
  writeFile(join(root, 'wide.png'), pngjsBytes(6, 4, 0, wide));
  const ds = loadImageFolder(root, { size: 4, resize: 'center-crop' });
  const expected = [0, 1, 2, 3].flatMap((r) => [1, 2, 3, 4].map((c) => 10 * r + c));
  assert.deepEqual(imageAt(ds, 0), expected);
});

test('center-crop resizes bilinearly (8x8 -> 4x4 averages 2x2 blocks of a ramp)', () => {
  const root = join(dir, 'resize');
  // v = 10 x + 20 y: bilinear (align_corners=false) halving samples at 2d + 0.5, so out = 20 x + 5 + 40 y + 10.
  const ramp = Array.from({ length: 64 }, (_, i) => 10 * (i % 8) + 20 * Math.floor(i / 8));
  writeFile(
    join(root, 'a.png'),
    pngjsBytes(
      8,
      8,
      2,
      ramp.flatMap((v) => [v, v, 255 - v, 255 - v].slice(0, 3)),
    ),
  );
  writeFile(join(root, 'b.png'), pngjsBytes(12, 6, 2, new Array(72 * 3).fill(99))); // 6 x 12 constant: crop 6 x 6, resize
  const ds = loadImageFolder(root, { size: [4, 4], channels: 3, resize: 'center-crop' });
  const out = [0, 1, 2, 3].flatMap((y) => [0, 1, 2, 3].map((x) => 20 * x + 5 + 40 * y + 10));
  assert.deepEqual(imageAt(ds, 0), [...out, ...out, ...out.map((v) => 255 - v)]);
  assert.deepEqual(imageAt(ds, 1), new Array(48).fill(99));
});

test('train/ and test/ subfolders are splits with shared class names', () => {
  const root = join(dir, 'splits');
  writeFile(join(root, 'train', 'b', '1.png'), pngjsBytes(2, 2, 0, GRAY));
  writeFile(join(root, 'test', 'a', '1.png'), pngjsBytes(2, 2, 0, GRAY));
  writeFile(join(root, 'test', 'b', '1.png'), pngjsBytes(2, 2, 0, GRAY));
  const tr = loadImageFolderSplit(root, 'train');
  const te = loadImageFolderSplit(root, 'test');
  assert.deepEqual(tr.classNames, ['a', 'b']);
  assert.deepEqual(Array.from(tr.labels), [1]);
  assert.deepEqual(Array.from(te.labels), [0, 1]);
  const single = join(dir, 'grayish');
  assert.equal(loadImageFolderSplit(single, 'train').count, 2);
  assertDatasetError(
    () => loadImageFolderSplit(single, 'test'),
    single,
    'no test split',
    'train/ and test/ subfolders',
  );
});

test('an empty folder or a folder mixing files and subfolders is an error', () => {
  const empty = join(dir, 'empty');
  writeFile(join(empty, 'readme.txt'), 'no images');
  assertDatasetError(() => loadImageFolder(empty), empty, 'no PNG images', 'found none');
  const mixed = join(dir, 'mixed');
  writeFile(join(mixed, 'a.png'), pngjsBytes(2, 2, 0, GRAY));
  writeFile(join(mixed, 'cls', 'b.png'), pngjsBytes(2, 2, 0, GRAY));
  assertDatasetError(() => loadImageFolder(mixed), mixed, 'mixes PNG files and subfolders');
});
