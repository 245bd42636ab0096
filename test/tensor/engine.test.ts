// What libtorch is loaded and how it is configured.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { cudaDeviceCount, engineInfo, getNumThreads, randn, setNumThreads } from '../../src/tensor/index.js';
import { values } from '../helpers.js';

test('engineInfo reports threads, a torch version and the loaded library', () => {
  const info = engineInfo();
  assert.ok(Number.isInteger(info.threads) && info.threads >= 1, `threads ${info.threads}`);
  assert.equal(info.threads, getNumThreads());
  assert.match(info.torchVersion, /^\d+\.\d+\.\d+/);
  assert.match(info.library, /libtorch/);
  assert.ok(existsSync(info.library), `${info.library} exists`);
  assert.ok(info.hardwareConcurrency >= 1);
  assert.equal(typeof info.mkldnn, 'boolean');
  assert.equal(typeof info.openmp, 'boolean');
  assert.equal(info.cudaDevices, cudaDeviceCount());
  assert.ok(info.cudaDevices >= 0);
  assert.equal(typeof info.blas, 'string');
  assert.ok(info.blas.length > 0);
  assert.equal(typeof info.cpuCapability, 'string');
  assert.equal(typeof info.source, 'string');
  assert.match(info.config, /PyTorch built with/);
});

test('the thread count follows NCML_NUM_THREADS when it is set', { skip: !process.env.NCML_NUM_THREADS }, () => {
  assert.equal(getNumThreads(), Number(process.env.NCML_NUM_THREADS));
});

test('setNumThreads round trips and results do not depend on it', () => {
  const original = getNumThreads();
  const a = randn([64, 64]);
  const b = randn([64, 64]);
  try {
    setNumThreads(2);
    assert.equal(getNumThreads(), 2);
    assert.equal(engineInfo().threads, 2);
    const two = values(a.matmul(b));
    setNumThreads(1);
    assert.equal(getNumThreads(), 1);
    const one = values(a.matmul(b));
    assert.ok(
      one.every((v, i) => Math.abs(v - two[i]!) <= 1e-4 * (1 + Math.abs(v))),
      'the same product with 1 and 2 threads',
    );
  } finally {
    setNumThreads(original);
  }
  assert.equal(getNumThreads(), original);
});
