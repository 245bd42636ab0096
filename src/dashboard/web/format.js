// Numbers, durations and times as the page shows them.

export function bpd(v, digits = 3) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';
}

export function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(ss).padStart(2, '0')}s`;
  return `${ss}s`;
}

export function ago(ms) {
  if (!ms) return '–';
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}

export function steps(run) {
  if (run.step === null) return '–';
  return run.targetSteps ? `${run.step} / ${run.targetSteps}` : String(run.step);
}

export function sde(run) {
  return run.sde ? `${run.sde.kind.toUpperCase()}, T = ${run.sde.T}` : '–';
}

export function objective(run) {
  return run.objective ? run.objective.toUpperCase() : '–';
}

/** A value from a settings or config object, short. */
export function value(v) {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A dataset spec, short: 'folder:/long/path/faces' -> 'folder: faces'. */
export function dataset(run) {
  const spec = run.dataset;
  if (!spec) return '–';
  const base = (p) => p.replace(/\/+$/, '').split('/').at(-1) || p;
  const m = /^([a-z0-9-]+):(.+)$/.exec(spec);
  if (m) return `${m[1]}: ${base(m[2])}`;
  return spec.includes('/') ? base(spec) : spec;
}
