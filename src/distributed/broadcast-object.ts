// broadcast_object_list for one JSON value: rank src's value reaches every
// rank (its length first, then its UTF-8 bytes). For configs and small state.
import { fromTypedArray, scope } from '../tensor/index.js';
import type { CollectiveOptions } from './all-reduce.js';
import { broadcast } from './broadcast.js';
import { getDefaultGroup } from './process-group.js';

export function broadcastObject<T>(value: T | undefined, opts: CollectiveOptions & { src?: number } = {}): T {
  const group = opts.group ?? getDefaultGroup();
  const src = opts.src ?? 0;
  const mine = group.rank === src;
  const bytes = mine ? new TextEncoder().encode(JSON.stringify(value ?? null)) : null;
  return scope(() => {
    const length = fromTypedArray(new Float64Array([bytes?.length ?? 0]), [1]);
    broadcast(length, { src, group });
    const n = length.item();
    const data = fromTypedArray(bytes ?? new Uint8Array(n), [n], { dtype: 'uint8' });
    if (n > 0) broadcast(data, { src, group });
    return JSON.parse(new TextDecoder().decode(data.toArray() as Uint8Array)) as T;
  });
}
