import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Conv2d, ConvTranspose2d, Embedding, Linear, Module, StateDictError } from '../../src/nn/index.js';
import { conv2d, convTranspose2d } from '../../src/nn/functional.js';
import { manualSeed, noGrad, randn, scope, tensor } from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';

class Block extends Module {
  readonly proj = new Linear(4, 3, { weightNorm: true });
  readonly convs = [new Conv2d(3, 5, 3, { padding: 1 }), new Conv2d(5, 2, 1, { bias: false })];
}

class Net extends Module {
  readonly embed = new Embedding(10, 4);
  readonly block = new Block();
  readonly head = new Linear(3, 1);
}

test('parameters are named like PyTorch state dicts, in definition order', () => {
  const names = [...new Net().namedParameters()].map(([n]) => n);
  assert.deepEqual(names, [
    'embed.weight',
    'block.proj.weight_g',
    'block.proj.weight_v',
    'block.proj.bias',
    'block.convs.0.weight',
    'block.convs.0.bias',
    'block.convs.1.weight',
    'head.weight',
    'head.bias',
  ]);
});

test('numParameters counts every scalar', () => {
  const net = new Net();
  assert.equal(net.numParameters(), 10 * 4 + (3 + 3 * 4 + 3) + (5 * 3 * 9 + 5) + 2 * 5 + (3 + 1));
});

test('Linear computes x W^T + b', () => {
  const lin = new Linear(3, 2);
  const x = tensor([[1, 2, 3]]);
  const w = values(lin.weight!);
  const b = values(lin.bias!);
  const expected = [0, 1].map((o) => w[o * 3]! * 1 + w[o * 3 + 1]! * 2 + w[o * 3 + 2]! * 3 + b[o]!);
  assertClose(lin.forward(x), expected, 1e-5);
});

test('weight norm starts at the initial weight and trains both g and v', () => {
  manualSeed(3);
  const conv = new Conv2d(2, 4, 3, { weightNorm: true });
  const w = conv.currentWeight();
  const norms = values(w.norm(2, [1, 2, 3]));
  assertClose(conv.weight_g!.reshape(-1), norms, 1e-5);
  const x = randn([1, 2, 5, 5]);
  conv.forward(x).square().sum().backward();
  assert.ok(conv.weight_g!.grad !== null && conv.weight_v!.grad !== null && conv.bias!.grad !== null);
  assert.equal(conv.weight, undefined);
});

test('Conv2d and ConvTranspose2d layers equal their functional forms', () => {
  const conv = new Conv2d(3, 4, [3, 2], { stride: 2, padding: [1, 0] });
  const x = randn([2, 3, 7, 6]);
  assertClose(conv.forward(x), values(conv2d(x, conv.weight!, conv.bias!, { stride: 2, padding: [1, 0] })));
  const up = new ConvTranspose2d(4, 3, 3, { stride: 2, padding: 1, outputPadding: 1, weightNorm: true });
  const y = randn([1, 4, 5, 5]);
  const out = up.forward(y);
  assert.deepEqual(out.shape, [1, 3, 10, 10]);
  assertClose(
    out,
    values(convTranspose2d(y, up.currentWeight(), up.bias!, { stride: 2, padding: 1, outputPadding: 1 })),
  );
  // per-output-channel norms under weight norm on the transposed layout [in, out, kh, kw]
  assert.deepEqual(up.weight_g!.shape, [1, 3, 1, 1]);
});

test('state dicts round trip and mismatches are clear errors', () => {
  const a = new Net();
  const b = new Net();
  b.loadStateDict(a.stateDict());
  for (const [name, t] of a.stateDict()) assertClose(b.stateDict().get(name)!, values(t));
  const partial = new Map(a.stateDict());
  partial.delete('head.bias');
  assert.throws(
    () => b.loadStateDict(partial),
    (e: Error) => e instanceof StateDictError && /missing \[head.bias\]/.test(e.message),
  );
  const wrongShape = new Map(a.stateDict());
  wrongShape.set('head.weight', tensor([[1, 2]]));
  assert.throws(() => b.loadStateDict(wrongShape), /'head.weight': expected shape \[1x3\], found \[1x2\]/);
});

test('train and eval set the flag on every submodule; zeroGrad drops gradients', () => {
  const net = new Net().eval();
  for (const [, m] of net.namedModules()) assert.equal(m.training, false);
  net.train();
  for (const [, m] of net.namedModules()) assert.equal(m.training, true);
  net.head
    .forward(tensor([[1, 2, 3]]))
    .sum()
    .backward();
  assert.ok(net.head.weight!.grad !== null);
  net.zeroGrad();
  assert.equal(net.head.weight!.grad, null);
});

test('parameters survive the scope they were created in', () => {
  const lin = scope(() => new Linear(2, 2));
  assert.equal(lin.weight!.isDisposed, false);
  assert.deepEqual(
    noGrad(() => lin.forward(tensor([[1, 1]])).shape),
    [1, 2],
  );
});

test('Embedding looks up rows', () => {
  const e = new Embedding(5, 3);
  const rows = e.forward(tensor([4, 0], { dtype: 'int64' }));
  assertClose(rows.select(0, 0), values(e.weight.select(0, 4)));
  assert.deepEqual(rows.shape, [2, 3]);
});
