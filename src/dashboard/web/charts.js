// Line charts on uPlot (loaded as the global `uPlot` from /vendor). A chart is
// created once and fed new data while a run trains; it keeps the user's zoom
// (drag to zoom, double-click to reset) unless the view showed all the data.
import { h } from './dom.js';

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

const HEIGHT = 260;

const STEP_INCREMENTS = Array.from({ length: 8 }, (_, k) => [1, 2, 5].map((m) => m * 10 ** k)).flat();

/** Data range plus `padding` of it on each side; a single value v gets v +- max(minHalf, 5% of |v|). */
function padRange(minHalf, padding) {
  return (_u, min, max) => {
    if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
    if (min === max) {
      const half = Math.max(minHalf, Math.abs(min) * 0.05);
      return [min - half, max + half];
    }
    const pad = (max - min) * padding;
    return [min - pad, max + pad];
  };
}

export class LineChart {
  /**
   * @param {HTMLElement} parent
   * @param {{ title: string, xLabel?: string, yLabel?: string, empty?: string, id?: string }} opts
   */
  constructor(parent, opts) {
    this.opts = opts;
    this.plot = null;
    this.labels = '';
    this.extent = null;
    this.root = h('figure', { class: 'chart', dataset: { chart: opts.id ?? '', points: '0' } });
    this.caption = h('figcaption', {}, opts.title);
    this.body = h('div', { class: 'chart-body' });
    this.note = h('p', { class: 'muted chart-empty' }, opts.empty ?? 'No data yet.');
    this.root.append(this.caption, this.body, this.note);
    parent.append(this.root);
    this.resize = new ResizeObserver(() => {
      if (this.plot) this.plot.setSize({ width: this.width(), height: HEIGHT });
    });
    this.resize.observe(this.body);
  }

  width() {
    return Math.max(280, this.body.clientWidth || this.root.clientWidth || 600);
  }

  /**
   * @param {number[]} x
   * @param {{ label: string, values: (number|null)[], color?: string, dash?: number[], width?: number }[]} series
   */
  update(x, series) {
    this.root.dataset.points = String(x.length);
    const hasData = x.length > 0 && series.some((s) => s.values.some((v) => v !== null));
    this.note.hidden = hasData;
    this.body.hidden = !hasData;
    if (!hasData) return;
    const data = [x, ...series.map((s) => s.values)];
    const labels = JSON.stringify(series.map((s) => [s.label, s.color, s.dash]));
    if (this.plot === null || labels !== this.labels) {
      this.plot?.destroy();
      this.labels = labels;
      this.plot = new uPlot(this.options(series, x.length), data, this.body);
    } else {
      const sx = this.plot.scales.x;
      const showingAll = this.extent === null || (sx.min <= this.extent[0] && sx.max >= this.extent[1]);
      this.plot.setData(data, showingAll);
    }
    this.extent = [x[0], x[x.length - 1]];
    if (x[0] === x[x.length - 1]) {
      const half = Math.max(1, Math.round(0.2 * Math.abs(x[0])));
      this.plot.setScale('x', { min: x[0] - half, max: x[0] + half });
    }
  }

  options(series, n) {
    const { xLabel = 'step', yLabel = 'bits/dim' } = this.opts;
    return {
      width: this.width(),
      height: HEIGHT,
      // A lone value (one evaluation so far) gets a narrow range around it rather than uPlot's [0, 2v].
      scales: { x: { time: false }, y: { range: padRange(0.05, 0.08) } },
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      series: [
        { label: xLabel, value: (_u, v) => (v === null || v === undefined ? '–' : String(v)) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? PALETTE[i % PALETTE.length],
          width: s.width ?? 1.75,
          dash: s.dash,
          spanGaps: true,
          points: { show: n <= 40, size: 5 },
          value: (_u, v) => (v === null || v === undefined ? '–' : v.toFixed(4)),
        })),
      ],
      axes: [
        // Steps are whole numbers: ticks at 1, 2, 5 x 10^k only.
        { label: xLabel, grid: { stroke: '#eef0f3' }, ticks: { stroke: '#d6dae0' }, incrs: STEP_INCREMENTS },
        {
          label: yLabel,
          size: 60,
          grid: { stroke: '#eef0f3' },
          ticks: { stroke: '#d6dae0' },
          values: (_u, vals) => vals.map((v) => (v === null ? '' : Number(v.toPrecision(4)).toString())),
        },
      ],
    };
  }

  destroy() {
    this.resize.disconnect();
    this.plot?.destroy();
    this.root.remove();
  }
}

/** Aligns several runs' series on the union of their steps (null where a run has no point). */
export function alignSeries(list) {
  const steps = [...new Set(list.flatMap((s) => s.x))].sort((a, b) => a - b);
  const index = new Map(steps.map((s, i) => [s, i]));
  const values = list.map((s) => {
    const out = new Array(steps.length).fill(null);
    s.x.forEach((step, i) => {
      out[index.get(step)] = s.y[i] ?? null;
    });
    return out;
  });
  return { x: steps, values };
}
