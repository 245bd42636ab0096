// broadcast: every rank's tensors become a copy of rank src's, in place.
import { native } from '../binding/native.js';
import type { Tensor } from '../tensor/index.js';
import { listOf, type CollectiveOptions } from './all-reduce.js';
import { collective } from './distributed-error.js';
import { getDefaultGroup } from './process-group.js';
import { Work } from './work.js';

export interface BroadcastOptions extends CollectiveOptions {
  /** The rank whose values everyone gets (default 0). */
  src?: number;
  asyncOp?: boolean;
}

export function broadcast(tensors: Tensor | readonly Tensor[], opts: BroadcastOptions & { asyncOp: true }): Work;
export function broadcast(tensors: Tensor | readonly Tensor[], opts?: BroadcastOptions): void;
export function broadcast(tensors: Tensor | readonly Tensor[], opts: BroadcastOptions = {}): Work | void {
  const group = opts.group ?? getDefaultGroup();
  const handles = listOf(tensors).map((t) => t.handle);
  const r = collective(() =>
    native.distBroadcast(group.id, handles, opts.src ?? 0, opts.asyncOp === true, opts.checked ?? true),
  );
  if (opts.asyncOp === true) return new Work(r as number);
}
