// Charts as files, without a browser: a Vega-Lite spec is compiled to Vega,
// rendered to SVG by Vega's headless renderer, and rasterized to PNG by resvg.
// Every evaluation plot goes through here, so they share one look.
import { writeFileSync } from 'node:fs';

import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

export type VegaLiteSpec = vegaLite.TopLevelSpec;

export interface RenderedChart {
  svg: string;
  png: Buffer;
}

/** Renders a Vega-Lite spec to SVG and PNG (scale: PNG pixels per SVG unit). */
export async function renderChart(spec: VegaLiteSpec, opts: { scale?: number } = {}): Promise<RenderedChart> {
  const compiled = vegaLite.compile({ background: 'white', ...spec } as VegaLiteSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const png = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
      background: 'white',
    })
      .render()
      .asPng();
    return { svg, png };
  } finally {
    view.finalize();
  }
}

/** Renders a spec and writes `<base>.svg` and `<base>.png`; returns both paths. */
export async function writeChart(
  spec: VegaLiteSpec,
  base: string,
  opts: { scale?: number } = {},
): Promise<{ svg: string; png: string }> {
  const { svg, png } = await renderChart(spec, opts);
  writeFileSync(`${base}.svg`, svg);
  writeFileSync(`${base}.png`, png);
  return { svg: `${base}.svg`, png: `${base}.png` };
}
