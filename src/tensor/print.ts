// Printing tensors the way PyTorch does: `tensor([[1.0000, 2.5000]], dtype=float64, requires_grad=True)`.
// Large tensors show their first and last 3 entries per dimension.
import type { Tensor } from './tensor.js';

const SUMMARIZE_ABOVE = 1000;
const EDGE = 3;

type Formatter = (v: number) => string;

function floatFormatter(values: number[]): Formatter {
  const finite = values.filter((v) => Number.isFinite(v));
  const allIntegral = finite.every((v) => Number.isInteger(v));
  const absMax = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const nonzero = finite.filter((v) => v !== 0).map((v) => Math.abs(v));
  // A loop, not Math.min(...nonzero): spreading a large tensor's values overflows the stack.
  const absMin = nonzero.reduce((m, v) => Math.min(m, v), Infinity);
  // PyTorch's rule: scientific when the nonzero magnitudes span more than 1000x, exceed 1e8, or (non-integral) go below 1e-4.
  if (nonzero.length > 0 && (absMax / absMin > 1000 || absMax > 1e8 || (!allIntegral && absMin < 1e-4)))
    return (v) => (Number.isFinite(v) ? scientific(v) : nonFinite(v));
  if (allIntegral) return (v) => (Number.isFinite(v) ? `${v}.` : nonFinite(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : nonFinite(v));
}

// PyTorch prints nan, inf and -inf (JavaScript's String gives NaN and Infinity).
function nonFinite(v: number): string {
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

// PyTorch's exponent has a sign and at least two digits: 1.0000e-05, not JavaScript's 1.0000e-5.
function scientific(v: number): string {
  return v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
}

function render(values: number[], shape: number[], fmt: Formatter, summarize: boolean, shown: number[]): string {
  const width = shown.reduce((w, v) => Math.max(w, fmt(v).length), 0);
  const pad = (s: string) => s.padStart(width);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const rec = (offset: number, d: number, indent: number): string => {
    if (d === shape.length) return pad(fmt(values[offset] ?? 0));
    const n = shape[d] ?? 0;
    const stride = strides[d] ?? 1;
    const idx = summarize && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
    // PyTorch's elided run is ' ...' within a row (so `2,  ..., 7`) and '...' between rows.
    const gap = d === shape.length - 1 ? ' ...' : '...';
    const parts = idx.map((i) => (i < 0 ? gap : rec(offset + i * stride, d + 1, indent + 1)));
    if (d === shape.length - 1) return `[${parts.join(', ')}]`;
    const sep = ',' + '\n'.repeat(shape.length - d - 1) + ' '.repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  return rec(0, 0, 7);
}

// The entries a summarized print shows: as in PyTorch, they alone choose the number format and width.
function edgeValues(values: number[], shape: number[]): number[] {
  const out: number[] = [];
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const rec = (offset: number, d: number): void => {
    if (d === shape.length) {
      out.push(values[offset] ?? 0);
      return;
    }
    const n = shape[d] ?? 0;
    const idx = n > 2 * EDGE ? [...range(0, EDGE), ...range(n - EDGE, n)] : range(0, n);
    for (const i of idx) rec(offset + i * (strides[d] ?? 1), d + 1);
  };
  rec(0, 0);
  return out;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

export function formatTensor(t: Tensor): string {
  const shape = t.shape;
  const dtype = t.dtype;
  const summarize = t.numel() > SUMMARIZE_ABOVE;
  const source = dtype === 'bfloat16' || dtype === 'float16' ? t.detach().float() : t;
  const raw = source.toArray();
  if (source !== t) source.dispose();
  const values = Array.from(raw as ArrayLike<number | bigint>, Number);
  const isFloat = dtype.startsWith('float') || dtype === 'bfloat16';
  const shown = summarize ? edgeValues(values, shape) : values;
  const fmt: Formatter = dtype === 'bool' ? (v) => (v ? 'True' : 'False') : isFloat ? floatFormatter(shown) : String;
  const body = shape.length === 0 ? fmt(values[0] ?? 0) : render(values, shape, fmt, summarize, shown);
  const extras: string[] = [];
  // An empty tensor prints as [] whatever its shape, so PyTorch names the shape unless it is [0].
  const emptyNd = t.numel() === 0 && shape.length !== 1;
  if (summarize || emptyNd) extras.push(`size=[${shape.join(', ')}]`);
  if (dtype !== 'float32' && dtype !== 'int64' && dtype !== 'bool') extras.push(`dtype=${dtype}`);
  if (t.device !== 'cpu') extras.push(`device='${t.device}'`);
  const fn = t.gradFn;
  if (fn !== null) extras.push(`grad_fn=<${fn}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.map((e) => ', ' + e).join('')})`;
}
