// Deterministic memory release. A tensor made inside `scope(fn)` is disposed
// when fn returns, unless it is part of fn's result or was passed to `keep`.
// Returned tensors move to the enclosing scope. Like tf.tidy, a scope must not
// span an `await`: tensors made after the await would escape it, so an async
// callback is rejected.
//
// GC is only the backstop: Node defers native finalizers to a later tick, so
// a synchronous training loop that waits for GC grows without bound.

/** What scopes need of a tensor; implemented by Tensor. */
export interface Disposable {
  dispose(): void;
}

interface Tracked extends Disposable {
  kept?: boolean;
}

const frames: Tracked[][] = [];

/** Registers a new tensor with the innermost open scope (no-op outside scopes). */
export function track(t: Tracked): void {
  const top = frames[frames.length - 1];
  if (top !== undefined) top.push(t);
}

/** Excludes a tensor from every scope's cleanup: it lives until disposed or collected. */
export function keep<T extends Tracked>(t: T): T {
  t.kept = true;
  return t;
}

function collect(value: unknown, out: Set<unknown>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (typeof (value as Partial<Disposable>).dispose === 'function') {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, out, seen);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, out, seen);
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      for (const v of Object.values(value)) collect(v, out, seen);
    }
  }
}

/**
 * Runs fn and disposes every tensor created during it, except those reachable
 * from its result (through arrays, Maps and plain objects) and kept ones.
 */
export function scope<T>(fn: () => T): T {
  const frame: Tracked[] = [];
  frames.push(frame);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    frames.pop();
    for (const t of frame) if (!t.kept) t.dispose();
    throw e;
  }
  frames.pop();
  if (result instanceof Promise) {
    for (const t of frame) if (!t.kept) t.dispose();
    throw new TypeError('scope() callback returned a Promise: a scope cannot span an await; await outside the scope');
  }
  const parent = frames[frames.length - 1];
  // Fast path: nothing returned that could hold a tensor (the common case in loops).
  if (result === null || typeof result !== 'object') {
    for (const t of frame) if (!t.kept) t.dispose();
    return result;
  }
  const returned = new Set<unknown>();
  collect(result, returned, new Set());
  for (const t of frame) {
    if (t.kept) continue;
    if (returned.has(t)) parent?.push(t);
    else t.dispose();
  }
  return result;
}

/** Disposes every tensor reachable from value (arrays, Maps, plain objects). */
export function disposeAll(value: unknown): void {
  const found = new Set<unknown>();
  collect(value, found, new Set());
  for (const t of found) (t as Disposable).dispose();
}

/** Number of open scopes (for tests and diagnostics). */
export function scopeDepth(): number {
  return frames.length;
}
