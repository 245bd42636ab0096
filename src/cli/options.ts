// Parsers for CLI option values: each rejects bad input with a message that
// names the option and what it expects (commander prints it with the usage).
import { InvalidArgumentError } from 'commander';

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `expected an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? 'inf' : max}], got '${value}'.`,
      );
    }
    return n;
  };
}

export function number(min: number, max = Infinity, { exclusiveMin = false } = {}): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const tooSmall = exclusiveMin ? n <= min : n < min;
    if (value.trim() === '' || !Number.isFinite(n) || tooSmall || n > max) {
      throw new InvalidArgumentError(
        `expected a number ${exclusiveMin ? '>' : '>='} ${min}${max === Infinity ? '' : ` and <= ${max}`}, got '${value}'.`,
      );
    }
    return n;
  };
}

/** A number or 'none' (for optional limits such as gradient clipping). */
export function numberOrNone(min: number): (value: string) => number | null {
  const parse = number(min, Infinity, { exclusiveMin: true });
  return (value) => (value === 'none' ? null : parse(value));
}

/** Seconds from "600", "90s", "10m", "1h30m". */
export function duration(value: string): number {
  const plain = Number(value);
  if (value.trim() !== '' && Number.isFinite(plain) && plain > 0) return plain;
  const m = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(value.trim());
  const seconds = m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : NaN;
  if (!m || !(seconds > 0)) {
    throw new InvalidArgumentError(`expected a duration such as 600, 90s, 10m or 1h30m, got '${value}'.`);
  }
  return seconds;
}

export function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got '${value}'.`);
    }
    return value as T;
  };
}

/** Comma-separated numbers, e.g. "0,0.5,1". */
export function numberList(min: number, max: number): (value: string) => number[] {
  const one = number(min, max);
  return (value) => value.split(',').map((v) => one(v.trim()));
}
