// all_gather: every rank gets every rank's tensor (same shape and dtype on all
// ranks), in rank order. Meant for small tensors: per-step statistics, flags.
import { native } from '../binding/native.js';
import { type Tensor, wrapList } from '../tensor/tensor.js';
import type { CollectiveOptions } from './all-reduce.js';
import { collective } from './distributed-error.js';
import { getDefaultGroup } from './process-group.js';

/** One new tensor per rank; the caller owns them. */
export function allGather(tensor: Tensor, opts: CollectiveOptions = {}): Tensor[] {
  const group = opts.group ?? getDefaultGroup();
  return wrapList(collective(() => native.distAllGather(group.id, tensor.handle, opts.checked ?? true)));
}
