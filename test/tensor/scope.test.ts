// Memory scopes: what a scope disposes, what it keeps, and where kept tensors go.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type Tensor, disposeAll, grad, keep, scope, scopeDepth, tensor, zeros } from '../../src/tensor/index.js';

test('a scope disposes the tensors created inside it', () => {
  let a: Tensor | undefined;
  let b: Tensor | undefined;
  let pieces: Tensor[] = [];
  const n = scope(() => {
    a = tensor([1, 2]);
    b = a.mul(2).add(1);
    pieces = b.split(1);
    return b.sum().item();
  });
  assert.equal(n, 8);
  assert.ok(a!.isDisposed);
  assert.ok(b!.isDisposed);
  assert.equal(pieces.length, 2);
  for (const p of pieces) assert.ok(p.isDisposed);
});

test('tensors created outside a scope survive it', () => {
  const outer = tensor([1, 2]);
  scope(() => outer.add(1));
  assert.ok(!outer.isDisposed);
  assert.deepEqual(outer.tolist(), [1, 2]);
});

test('a returned tensor is kept, and so are tensors in returned arrays, objects and Maps', () => {
  let tmp: Tensor | undefined;
  const r = scope(() => {
    tmp = zeros([1]);
    return {
      direct: tensor([1]),
      list: [tensor([2]), [tensor([3])]],
      nested: { deeper: { t: tensor([4]) } },
      map: new Map([['k', tensor([5])]]),
      n: 7,
      s: 'text',
      nothing: null,
    };
  });
  assert.ok(tmp!.isDisposed);
  const all = [r.direct, r.list[0] as Tensor, (r.list[1] as Tensor[])[0]!, r.nested.deeper.t, r.map.get('k')!];
  assert.deepEqual(
    all.map((t) => t.item()),
    [1, 2, 3, 4, 5],
  );
  assert.ok(all.every((t) => !t.isDisposed));
  assert.equal(r.n, 7);
});

test('a returned tensor alone is kept', () => {
  const t = scope(() => tensor([1, 2]).mul(3));
  assert.deepEqual(t.tolist(), [3, 6]);
});

test('tensors inside class instances are not searched, and are disposed', () => {
  class Box {
    constructor(readonly t: Tensor) {}
  }
  const box = scope(() => new Box(tensor([1])));
  assert.ok(box.t.isDisposed);
});

test('a cyclic return value does not hang the scope', () => {
  type Node = { t: Tensor; self?: Node };
  const r = scope(() => {
    const node: Node = { t: tensor([1]) };
    node.self = node;
    return node;
  });
  assert.ok(!r.t.isDisposed);
});

test('nested scopes: returned tensors move to the parent scope', () => {
  let inner: Tensor | undefined;
  let innerTmp: Tensor | undefined;
  const outerResult = scope(() => {
    inner = scope(() => {
      innerTmp = tensor([1]);
      return innerTmp.add(1);
    });
    assert.ok(innerTmp!.isDisposed);
    assert.ok(!inner.isDisposed, 'the inner result lives on in the parent scope');
    return inner.mul(10);
  });
  assert.ok(inner!.isDisposed, 'the parent disposes it at its own end');
  assert.deepEqual(outerResult.tolist(), [20]);
});

test('a tensor returned through several levels of scopes survives all of them', () => {
  const t = scope(() => scope(() => scope(() => tensor([9]))));
  assert.ok(!t.isDisposed);
  assert.equal(t.item(), 9);
});

test('keep() escapes every scope', () => {
  let kept: Tensor | undefined;
  scope(() => {
    scope(() => {
      kept = keep(tensor([1, 2]));
      assert.equal(kept.kept, true);
    });
  });
  assert.ok(!kept!.isDisposed);
  kept!.dispose();
  assert.ok(kept!.isDisposed);
});

test('an exception disposes everything created and propagates unchanged', () => {
  const made: Tensor[] = [];
  const boom = new Error('boom');
  const depth = scopeDepth();
  assert.throws(
    () =>
      scope(() => {
        made.push(tensor([1]));
        scope(() => {
          made.push(tensor([2]));
          return made[1]!.add(1);
        });
        made.push(zeros([2]));
        throw boom;
      }),
    (e: unknown) => e === boom,
  );
  assert.equal(made.length, 3);
  assert.ok(made.every((t) => t.isDisposed));
  assert.equal(scopeDepth(), depth);
});

test('a libtorch error inside a scope disposes what was created', () => {
  let a: Tensor | undefined;
  assert.throws(() =>
    scope(() => {
      a = tensor([1, 2]);
      return a.add(tensor([1, 2, 3]));
    }),
  );
  assert.ok(a!.isDisposed);
  assert.equal(scopeDepth(), 0);
});

test('an async callback is rejected with a TypeError, and its synchronous tensors are disposed', () => {
  let t: Tensor | undefined;
  assert.throws(
    () =>
      scope(async () => {
        t = tensor([1]);
        await Promise.resolve();
      }),
    (e: unknown) => e instanceof TypeError && /await/.test(e.message),
  );
  assert.ok(t!.isDisposed);
  assert.equal(scopeDepth(), 0);
});

test('scopeDepth counts open scopes', () => {
  assert.equal(scopeDepth(), 0);
  scope(() => {
    assert.equal(scopeDepth(), 1);
    scope(() => assert.equal(scopeDepth(), 2));
    assert.equal(scopeDepth(), 1);
  });
  assert.equal(scopeDepth(), 0);
});

test('disposing inside a scope, then the scope disposing again, is fine', () => {
  const r = scope(() => {
    const t = tensor([1]);
    t.dispose();
    return 1;
  });
  assert.equal(r, 1);
});

test('disposeAll disposes tensors reachable from a value', () => {
  const a = tensor([1]);
  const b = tensor([2]);
  const c = tensor([3]);
  disposeAll({ a, list: [b], map: new Map([[1, c]]) });
  assert.ok(a.isDisposed && b.isDisposed && c.isDisposed);
});

test('a scope disposes gradient handles it read, not the gradients on the leaves', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  let seen: Tensor | undefined;
  scope(() => {
    x.mul(x).sum().backward();
    seen = x.grad!;
    const [g] = grad(x.mul(3).sum(), x);
    return g!.sum().item();
  });
  assert.ok(seen!.isDisposed);
  assert.deepEqual(x.grad!.tolist(), [2, 4]);
});

test('a returned view keeps its storage even though its base is disposed', () => {
  let base: Tensor | undefined;
  const v = scope(() => {
    base = tensor([1, 2, 3, 4]);
    return base.slice(0, 1, 3);
  });
  assert.ok(base!.isDisposed);
  assert.deepEqual(v.tolist(), [2, 3]);
});

test('backward works after a scope disposed the intermediates of the graph', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const loss = scope(() => x.exp().mul(x).sum());
  loss.backward();
  assert.ok(x.grad !== null);
  const g = x.grad.tolist() as number[];
  assert.ok(Math.abs(g[0]! - 2 * Math.E) < 1e-5);
});
