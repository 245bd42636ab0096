// Two or more runs side by side: their settings (the ones that differ first),
// curves on shared axes, and their evaluation results per kind.
import { compareHref, getJson, runHref } from '../api.js';
import { alignSeries, LineChart, PALETTE } from '../charts.js';
import { h, replace } from '../dom.js';
import * as fmt from '../format.js';
import { poll } from '../poll.js';
import { errorBox, problemBox, statusBadge } from '../widgets.js';
import { renderEval } from './run.js';

function flatten(obj, prefix = '') {
  return Object.entries(obj ?? {}).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? flatten(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]],
  );
}

function picker(app) {
  const list = h('div', { class: 'card' }, h('p', { class: 'muted' }, 'Loading runs…'));
  app.append(h('h1', {}, 'Compare runs'), h('p', { class: 'muted' }, 'Tick two or more runs.'), list);
  getJson('/api/runs')
    .then(({ body }) => {
      const chosen = new Set();
      const go = h(
        'button',
        { class: 'button primary', disabled: true, onclick: () => (location.hash = compareHref([...chosen])) },
        'Compare',
      );
      replace(
        list,
        body.runs.length < 2
          ? h('p', {}, 'Comparing needs at least two runs under ', h('code', {}, body.root), '.')
          : [
              h(
                'ul',
                { class: 'pick-list' },
                body.runs.map((r) =>
                  h(
                    'li',
                    {},
                    h(
                      'label',
                      {},
                      h('input', {
                        type: 'checkbox',
                        onchange: (e) => {
                          if (e.target.checked) chosen.add(r.id);
                          else chosen.delete(r.id);
                          go.disabled = chosen.size < 2;
                        },
                      }),
                      ` ${r.name} `,
                      h(
                        'span',
                        { class: 'muted small' },
                        `${fmt.objective(r)} · ${fmt.sde(r)} · ${fmt.steps(r)} steps`,
                      ),
                    ),
                  ),
                ),
              ),
              go,
            ],
      );
    })
    .catch((e) => replace(list, errorBox(e.message)));
  return { destroy() {} };
}

export function mountCompare(app, ids) {
  if (ids.length < 2) return picker(app);
  const table = h('div', { class: 'card table-card' });
  const problems = h('div');
  const charts = h('div', { class: 'charts' });
  const clean = new LineChart(charts, { id: 'compare-clean', title: 'Training loss at t = 0 (bits/dim)' });
  const mean = new LineChart(charts, { id: 'compare-mean', title: 'Mean training loss over t (bits/dim)' });
  const held = new LineChart(charts, {
    id: 'compare-eval',
    title: 'Held-out bits/dim at t = 0 (EMA weights)',
    empty: 'None of these runs has evaluated yet.',
  });
  const evals = h('div');
  app.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Runs')),
    h('h1', {}, `Compare ${ids.length} runs`),
    problems,
    table,
    charts,
    h('section', { class: 'section' }, h('h2', {}, 'Evaluations side by side'), evals),
  );
  let lastText = '';

  const render = (runs) => {
    const color = (i) => PALETTE[i % PALETTE.length];
    replace(
      problems,
      runs.flatMap((r) => (r.problems.length ? [problemBox(r.problems, `${r.name}: damaged or missing files`)] : [])),
    );
    const rows = [
      ['Status', (r) => statusBadge(r.status)],
      ['Objective', fmt.objective],
      ['SDE', fmt.sde],
      ['Preset', (r) => r.preset ?? '–'],
      ['Dataset', fmt.dataset],
      ['Steps', fmt.steps],
      ['Elapsed', (r) => fmt.duration(r.elapsedSeconds)],
      [
        'Clean bits/dim',
        (r) => `${fmt.bpd(r.cleanBitsPerDim)}${r.cleanBitsPerDimSource === 'train' ? ' (train)' : ''}`,
      ],
    ];
    const configs = runs.map((r) => new Map(flatten(r.config)));
    const keys = [...new Set(configs.flatMap((c) => [...c.keys()]))];
    const differing = keys.filter((k) => new Set(configs.map((c) => JSON.stringify(c.get(k)))).size > 1);
    replace(
      table,
      h(
        'table',
        { class: 'compare-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, ''),
            runs.map((r, i) =>
              h(
                'th',
                {},
                h('span', { class: 'swatch', style: { background: color(i) } }),
                h('a', { href: runHref(r.id) }, r.name),
              ),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map(([label, f]) =>
            h(
              'tr',
              {},
              h('th', {}, label),
              runs.map((r) => h('td', {}, f(r))),
            ),
          ),
          differing.length
            ? [
                h('tr', { class: 'subhead' }, h('th', { colspan: runs.length + 1 }, 'Settings that differ')),
                differing.map((k) =>
                  h(
                    'tr',
                    {},
                    h('th', { class: 'mono' }, k),
                    configs.map((c) => h('td', { class: 'mono' }, c.has(k) ? fmt.value(c.get(k)) : '–')),
                  ),
                ),
              ]
            : h('tr', { class: 'subhead' }, h('th', { colspan: runs.length + 1 }, 'All settings are the same')),
        ),
      ),
    );
    const curves = (pick) => {
      const a = alignSeries(runs.map(pick));
      return [a.x, runs.map((r, i) => ({ label: r.name, values: a.values[i], color: color(i) }))];
    };
    clean.update(...curves((r) => ({ x: r.series.train.step, y: r.series.train.buckets['t=0'] ?? [] })));
    mean.update(...curves((r) => ({ x: r.series.train.step, y: r.series.train.loss })));
    held.update(...curves((r) => ({ x: r.series.eval.step, y: r.series.eval.bitsPerDim })));
    const kinds = [...new Set(runs.flatMap((r) => r.evals.map((e) => e.kind)))].sort();
    replace(
      evals,
      kinds.length === 0
        ? h('p', { class: 'muted' }, 'None of these runs has evaluation results (eval/<kind>/) yet.')
        : kinds.map((kind) =>
            h(
              'div',
              { class: 'compare-evals', dataset: { evalKind: kind } },
              h('h3', {}, kind),
              h(
                'div',
                { class: 'side-by-side', style: { gridTemplateColumns: `repeat(${runs.length}, minmax(280px, 1fr))` } },
                runs.map((r) => {
                  const e = r.evals.find((x) => x.kind === kind);
                  return h(
                    'div',
                    {},
                    h('div', { class: 'side-title' }, r.name),
                    e ? renderEval(e) : h('p', { class: 'muted card' }, `no ${kind} evaluation`),
                  );
                }),
              ),
            ),
          ),
    );
  };

  const p = poll(async () => {
    try {
      const results = await Promise.all(ids.map((id) => getJson(`/api/run?id=${encodeURIComponent(id)}`)));
      const text = results.map((r) => r.text).join('\n');
      if (text === lastText) return;
      lastText = text;
      render(results.map((r) => r.body));
    } catch (e) {
      replace(problems, errorBox(`Could not load the runs: ${e.message}`));
    }
  }, 2000);
  return {
    destroy: () => {
      p.stop();
      clean.destroy();
      mean.destroy();
      held.destroy();
    },
  };
}
