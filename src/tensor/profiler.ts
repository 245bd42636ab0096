// libtorch's operator profiler around a piece of code: which operators the
// time goes to (self time excludes the operators they call).
import { native } from '../binding/native.js';

export interface OpProfile {
  name: string;
  calls: number;
  /** Microseconds including operators called inside. */
  totalUs: number;
  /** Microseconds excluding them. */
  selfUs: number;
}

/** Runs fn under the profiler; with recordShapes, operators are grouped by name and input shapes. */
export function profile<T>(fn: () => T, opts: { recordShapes?: boolean } = {}): { result: T; ops: OpProfile[] } {
  native.profilerStart(opts.recordShapes ?? false);
  let ops: OpProfile[] = [];
  let result: T;
  try {
    result = fn();
  } finally {
    ops = native.profilerStop();
  }
  return { result, ops };
}

/** The top operators by self time as a text table. */
export function formatProfile(ops: OpProfile[], top = 25): string {
  const total = ops.reduce((s, o) => s + o.selfUs, 0);
  const width = Math.max(44, ...ops.slice(0, top).map((o) => Math.min(100, o.name.length)));
  const lines = [
    `${'operator'.padEnd(width)} ${'calls'.padStart(7)} ${'self ms'.padStart(10)} ${'self %'.padStart(7)}`,
  ];
  for (const o of ops.slice(0, top)) {
    lines.push(
      `${o.name.slice(0, width).padEnd(width)} ${String(o.calls).padStart(7)} ${(o.selfUs / 1000).toFixed(2).padStart(10)} ${((100 * o.selfUs) / total).toFixed(1).padStart(7)}`,
    );
  }
  lines.push(`${'total'.padEnd(width)} ${''.padStart(7)} ${(total / 1000).toFixed(2).padStart(10)}`);
  return lines.join('\n');
}
