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
  const absMin = nonzero.length ? Math.min(...nonzero) : 0;
  if (absMax >= 1e8 || (absMin > 0 && absMin < 1e-4))
    return (v) => (Number.isFinite(v) ? v.toExponential(4) : String(v));
  if (allIntegral) return (v) => (Number.isFinite(v) ? `${v}.` : String(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : String(v));
}

function render(values: number[], shape: number[], fmt: Formatter, summarize: boolean): string {
  const width = Math.max(0, ...values.map((v) => fmt(v).length));
  const pad = (s: string) => s.padStart(width);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const rec = (offset: number, d: number, indent: number): string => {
    if (d === shape.length) return pad(fmt(values[offset] ?? 0));
    const n = shape[d] ?? 0;
    const stride = strides[d] ?? 1;
    const idx = summarize && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
    const parts = idx.map((i) => (i < 0 ? '...' : rec(offset + i * stride, d + 1, indent + 1)));
    if (d === shape.length - 1) return `[${parts.join(', ')}]`;
    const sep = ',' + '\n'.repeat(shape.length - d - 1) + ' '.repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  return rec(0, 0, 7);
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
  const fmt: Formatter = dtype === 'bool' ? (v) => (v ? 'True' : 'False') : isFloat ? floatFormatter(values) : String;
  const body = shape.length === 0 ? fmt(values[0] ?? 0) : render(values, shape, fmt, summarize);
  const extras: string[] = [];
  if (summarize) extras.push(`size=[${shape.join(', ')}]`);
  if (dtype !== 'float32' && dtype !== 'int64' && dtype !== 'bool') extras.push(`dtype=${dtype}`);
  if (t.device !== 'cpu') extras.push(`device='${t.device}'`);
  const fn = t.gradFn;
  if (fn !== null) extras.push(`grad_fn=<${fn}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.map((e) => ', ' + e).join('')})`;
}
