import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Linear } from '../../src/nn/index.js';
import { Parameter } from '../../src/nn/parameter.js';
import {
  Adam,
  Adamax,
  EMA,
  OptimizerStateError,
  clipGradNorm_,
  cosineDecay,
  exponentialDecay,
  linearWarmup,
} from '../../src/optim/index.js';
import { noGrad, scope, tensor } from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';
import { runPython } from '../python.js';

// A fixed sequence of gradients for a 3-element parameter, applied by both us and PyTorch.
const INIT = [0.5, -1.0, 2.0];
const GRADS = [
  [0.1, -0.2, 0.3],
  [1.5, 0.0, -0.7],
  [-0.3, 0.4, 0.05],
  [2.0, -1.0, 0.5],
];

function torchTrajectory(optimizer: string, kwargs: string): number[][] {
  return runPython<number[][]>(`
import json, torch
p = torch.nn.Parameter(torch.tensor(${JSON.stringify(INIT)}, dtype=torch.float64))
opt = torch.optim.${optimizer}([p], ${kwargs})
out = []
for g in ${JSON.stringify(GRADS)}:
    p.grad = torch.tensor(g, dtype=torch.float64)
    opt.step()
    out.append(p.detach().tolist())
print(json.dumps(out))
`);
}

function ourTrajectory(make: (p: Parameter[]) => Adam | Adamax): number[][] {
  const p = new Parameter(tensor(INIT, { dtype: 'float64' }));
  const opt = make([p]);
  return GRADS.map((g) => {
    p.grad = tensor(g, { dtype: 'float64' });
    opt.step();
    return values(p);
  });
}

test('Adam matches torch.optim.Adam step by step', () => {
  const expected = torchTrajectory('Adam', 'lr=0.1, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.01');
  const ours = ourTrajectory((p) => new Adam(p, { lr: 0.1, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0.01 }));
  ours.forEach((row, i) => assertClose(row, expected[i]!, 1e-12, 1e-10));
});

test('Adamax matches torch.optim.Adamax step by step', () => {
  const expected = torchTrajectory('Adamax', 'lr=0.05, betas=(0.95, 0.9995), eps=1e-8');
  const ours = ourTrajectory((p) => new Adamax(p, { lr: 0.05, betas: [0.95, 0.9995], eps: 1e-8 }));
  ours.forEach((row, i) => assertClose(row, expected[i]!, 1e-12, 1e-10));
});

test('optimizer state round trips: a restored optimizer continues identically', () => {
  const run = (restoreAfter?: number) => {
    const p = new Parameter(tensor(INIT, { dtype: 'float64' }));
    let opt = new Adam([p], { lr: 0.1 });
    GRADS.forEach((g, i) => {
      if (i === restoreAfter) {
        const saved = opt.stateDict();
        const fresh = new Adam([p], { lr: 0.5 });
        fresh.loadStateDict(saved);
        opt = fresh;
      }
      p.grad = tensor(g, { dtype: 'float64' });
      opt.step();
    });
    return values(p);
  };
  assertClose(run(2), run(), 0, 0);
});

test('loading optimizer state of the wrong shape is a clear error', () => {
  const a = new Adam([new Parameter(tensor([1, 2, 3]))]);
  a.params[0]!.grad = tensor([1, 1, 1]);
  a.step();
  const b = new Adam([new Parameter(tensor([1, 2]))]);
  assert.throws(
    () => b.loadStateDict(a.stateDict()),
    (e: Error) => e instanceof OptimizerStateError && /shape \[3\]/.test(e.message),
  );
});

test('optimizer steps leak no tensors into the caller scope and skip params without grads', () => {
  const p = new Parameter(tensor([1, 2]));
  const q = new Parameter(tensor([3, 4]));
  const opt = new Adam([p, q], { lr: 0.1 });
  p.grad = tensor([1, 1]);
  scope(() => opt.step());
  assertClose(q, [3, 4]);
  assert.ok(values(p)[0]! < 1);
});

test('clipGradNorm_ returns the norm and rescales only above the limit', () => {
  const p = new Parameter(tensor([0, 0]));
  const q = new Parameter(tensor([0]));
  p.grad = tensor([3, 0]);
  q.grad = tensor([4]);
  assert.equal(clipGradNorm_([p, q], 10), 5);
  assertClose(p.grad, [3, 0]);
  assertClose(clipGradNorm_([p, q], 1), 5);
  assertClose(p.grad, [0.6, 0], 1e-6);
  assertClose(q.grad, [0.8], 1e-6);
  q.grad = tensor([NaN]);
  assert.ok(Number.isNaN(clipGradNorm_([p, q], 1)));
});

test('EMA averages parameters and swaps them in only for the callback', () => {
  const lin = new Linear(1, 1, { bias: false });
  noGrad(() => lin.weight!.fill_(1));
  const ema = new EMA(lin, { decay: 0.9 });
  noGrad(() => lin.weight!.fill_(2));
  ema.update(); // 0.9 * 1 + 0.1 * 2
  assertClose(ema.shadow.get('weight')!, [1.1], 1e-6);
  const seen = ema.withAveraged(() => values(lin.weight!)[0]);
  assertClose(seen!, 1.1, 1e-6);
  assertClose(lin.weight!, [2]);
});

test('EMA warmup uses min(decay, (1 + n) / (10 + n))', () => {
  const lin = new Linear(1, 1, { bias: false });
  noGrad(() => lin.weight!.fill_(0));
  const ema = new EMA(lin, { decay: 0.999, warmup: true });
  noGrad(() => lin.weight!.fill_(1));
  ema.update(); // decay 1/10: 0.1 * 0 + 0.9 * 1
  assertClose(ema.shadow.get('weight')!, [0.9], 1e-6);
  ema.update(); // decay 2/11
  assertClose(ema.shadow.get('weight')!, [0.9 * (2 / 11) + 9 / 11], 1e-6);
  assert.equal(ema.updates, 2);
});

test('learning-rate schedules', () => {
  assertClose(exponentialDecay(1e-3, 0.999995)(1000), 1e-3 * 0.999995 ** 1000, 0, 1e-12);
  const warm = linearWarmup(exponentialDecay(1, 0.5), 4);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(warm), [0.25, 0.5, 0.75, 1, 1, 0.5]);
  const cos = cosineDecay(1, 10, 0.1);
  assertClose([cos(0), cos(5), cos(10), cos(20)], [1, 0.55, 0.1, 0.1], 1e-12);
});
