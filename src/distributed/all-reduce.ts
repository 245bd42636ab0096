// all_reduce: every rank ends with the reduction of all ranks' tensors, in place.
import { native } from '../binding/native.js';
import type { Tensor } from '../tensor/index.js';
import { collective } from './distributed-error.js';
import { getDefaultGroup, type ProcessGroup } from './process-group.js';
import { Work } from './work.js';

/** 'avg' is a sum divided by the world size (Gloo has no native average); it needs floating-point tensors. */
export type ReduceOp = 'sum' | 'avg' | 'max' | 'min' | 'product';

export interface CollectiveOptions {
  group?: ProcessGroup;
  /**
   * false skips the group's cross-rank check of this call (see checkCollectives):
   * only for code that guarantees every rank makes the same call, such as a training loop.
   */
  checked?: boolean;
}

export interface AllReduceOptions extends CollectiveOptions {
  op?: ReduceOp;
  /** Return a Work to wait on instead of waiting. */
  asyncOp?: boolean;
}

export function listOf(tensors: Tensor | readonly Tensor[]): Tensor[] {
  return Array.isArray(tensors) ? [...(tensors as readonly Tensor[])] : [tensors as Tensor];
}

/** Reduces the tensors across ranks in place (several tensors: one collective over all of them). */
export function allReduce(tensors: Tensor | readonly Tensor[], opts: AllReduceOptions & { asyncOp: true }): Work;
export function allReduce(tensors: Tensor | readonly Tensor[], opts?: AllReduceOptions): void;
export function allReduce(tensors: Tensor | readonly Tensor[], opts: AllReduceOptions = {}): Work | void {
  const group = opts.group ?? getDefaultGroup();
  const handles = listOf(tensors).map((t) => t.handle);
  const r = collective(() =>
    native.distAllReduce(group.id, handles, opts.op ?? 'sum', opts.asyncOp === true, opts.checked ?? true),
  );
  if (opts.asyncOp === true) return new Work(r as number);
}
