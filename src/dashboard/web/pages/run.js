// One run: live curves (loss per noise level, held-out bits/dim), its
// settings, interactive sampling, sample grids, evaluation results and plots,
// checkpoints and the config. Polls the run every 2 seconds; a training run's
// curves grow as it logs.
import { fileUrl, getJson } from '../api.js';
import { LineChart, PALETTE } from '../charts.js';
import { h, replace } from '../dom.js';
import * as fmt from '../format.js';
import { renderMarkdown } from '../markdown.js';
import { poll } from '../poll.js';
import { errorBox, problemBox, stat, statusBadge } from '../widgets.js';
import { Interactive } from './interactive.js';

function section(title, ...children) {
  const body = h('div', { class: 'section-body' }, children);
  const el = h('section', { class: 'section' }, h('h2', {}, title), body);
  return { el, body };
}

/** Flattens {a: {b: 1}} to [['a.b', 1]]. */
function flatten(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? flatten(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]],
  );
}

export function settingsList(settings, skip = []) {
  const entries = flatten(settings).filter(([k]) => !skip.includes(k));
  return h(
    'dl',
    { class: 'settings' },
    entries.map(([k, v]) => {
      const text = fmt.value(v);
      return [
        h('dt', {}, k),
        h('dd', { title: text.length > 80 ? text : undefined }, text.length > 80 ? `${text.slice(0, 77)}…` : text),
      ];
    }),
  );
}

function imageLink(id, alt, cls = '') {
  return h(
    'a',
    { href: fileUrl(id), target: '_blank', rel: 'noopener', class: `image-link ${cls}` },
    h('img', { src: fileUrl(id), alt, loading: 'lazy' }),
  );
}

export function renderEval(e) {
  return h(
    'article',
    { class: 'card eval-card', dataset: { evalKind: e.kind } },
    h('h3', {}, e.kind),
    problemBox(e.problems, 'Incomplete evaluation'),
    e.markdown
      ? renderMarkdown(e.markdown)
      : e.result
        ? h('pre', { class: 'json' }, JSON.stringify(e.result, null, 2))
        : null,
    e.images.length
      ? h(
          'div',
          { class: 'eval-images' },
          e.images.map((img) => imageLink(img, `${e.kind} plot ${img.split('/').at(-1)}`, 'plot')),
        )
      : null,
    e.files.length
      ? h(
          'p',
          { class: 'muted small' },
          'Files: ',
          e.files.map((f, i) => [
            i ? ', ' : '',
            h('a', { href: fileUrl(f), target: '_blank', rel: 'noopener' }, f.split('/').at(-1)),
          ]),
        )
      : null,
  );
}

// The settings a person compares between grids, in this order (ncml sample/complete's JSON); the rest is folded.
const SAMPLE_KEYS = [
  'command',
  'step',
  'method',
  't0',
  'steps',
  'predictor',
  'corrector',
  'class',
  'num',
  'images',
  'first',
  'keepRows',
  'perImage',
  'seed',
  'results.bitsPerDimAtT0',
  'timings.totalSeconds',
];

function sampleSettings(settings) {
  const flat = new Map(flatten(settings));
  const main = SAMPLE_KEYS.filter((k) => flat.has(k) && flat.get(k) !== null);
  if (main.length === 0) return settingsList(settings);
  const rest = Object.fromEntries([...flat].filter(([k]) => !main.includes(k)));
  return [
    settingsList(Object.fromEntries(main.map((k) => [k, flat.get(k)]))),
    Object.keys(rest).length
      ? h('details', { class: 'more-settings' }, h('summary', {}, 'all settings'), settingsList(rest))
      : null,
  ];
}

function renderSample(s) {
  const name = s.image.split('/').at(-1);
  return h(
    'figure',
    { class: 'card sample-card', dataset: { sample: s.image } },
    imageLink(s.image, `samples ${name}`, 'pixelated'),
    h(
      'figcaption',
      {},
      h('div', { class: 'sample-name' }, name),
      h('div', { class: 'muted small' }, fmt.ago(s.mtimeMs)),
    ),
    problemBox(s.problems, 'Settings file damaged'),
    s.settings ? sampleSettings(s.settings) : h('p', { class: 'muted small' }, 'no settings file beside this grid'),
  );
}

export function lossSeries(series) {
  const names = Object.keys(series.train.buckets);
  return [
    ...names.map((n, i) => ({ label: n, values: series.train.buckets[n], color: PALETTE[i % PALETTE.length] })),
    ...(names.length > 1
      ? [{ label: 'mean', values: series.train.loss, color: '#111827', dash: [6, 4], width: 1.25 }]
      : []),
  ];
}

export function mountRun(app, id) {
  const title = h('h1', {}, id);
  const badge = h('span');
  const dir = h('p', { class: 'muted mono' });
  const problems = h('div');
  const stats = h('div', { class: 'stats' });
  const charts = h('div', { class: 'charts' });
  const loss = new LineChart(charts, {
    id: 'loss',
    title: 'Training loss by noise level t (bits/dim)',
    empty: 'No training metrics yet: the first line appears after log-every steps.',
  });
  const evalChart = new LineChart(charts, {
    id: 'eval',
    title: 'Held-out bits/dim at t = 0 (EMA weights)',
    empty: 'No evaluation yet: the trainer evaluates every eval-every steps.',
  });
  const interactive = section('Interactive');
  const inter = new Interactive(interactive.body, id);
  const samples = section('Samples');
  const evals = section('Evaluations');
  const checkpoints = section('Checkpoints');
  const config = section('Config');
  const report = section('Report');
  report.el.hidden = true;
  app.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Runs')),
    h('div', { class: 'page-head' }, title, badge),
    dir,
    problems,
    stats,
    charts,
    interactive.el,
    samples.el,
    evals.el,
    checkpoints.el,
    config.el,
    report.el,
  );

  let lastText = null;
  const render = (r) => {
    title.textContent = r.name;
    replace(badge, statusBadge(r.status));
    replace(dir, r.dir);
    replace(problems, problemBox(r.problems));
    const speed = r.series.train.stepsPerSecond.at(-1);
    replace(
      stats,
      stat('Objective', fmt.objective(r)),
      stat('SDE', fmt.sde(r)),
      stat('Preset', r.preset ?? '–', r.modelSize ?? undefined),
      stat('Dataset', fmt.dataset(r), r.dataset !== fmt.dataset(r) ? r.dataset : undefined),
      stat('Steps', fmt.steps(r)),
      stat('Elapsed', fmt.duration(r.elapsedSeconds)),
      stat('Speed', speed ? `${speed.toFixed(2)} it/s` : '–'),
      stat(r.cleanBitsPerDimSource === 'train' ? 'Clean bpd (train)' : 'Clean bits/dim', fmt.bpd(r.cleanBitsPerDim)),
    );
    loss.update(r.series.train.step, lossSeries(r.series));
    evalChart.update(r.series.eval.step, [{ label: 'held-out', values: r.series.eval.bitsPerDim, color: PALETTE[1] }]);
    inter.update(r);
    replace(
      samples.body,
      r.samples.length
        ? h('div', { class: 'sample-grid' }, r.samples.map(renderSample))
        : h(
            'p',
            { class: 'muted' },
            'No sample grids in this run yet. Draw some above, or run ',
            h('code', {}, 'ncml sample'),
            '.',
          ),
    );
    replace(
      evals.body,
      r.evals.length
        ? r.evals.map(renderEval)
        : h(
            'p',
            { class: 'muted' },
            'No evaluation results yet (',
            h('code', {}, 'ncml eval <kind> --checkpoint <run>'),
            ' writes them to eval/<kind>/).',
          ),
    );
    replace(
      checkpoints.body,
      r.checkpointList.length
        ? h(
            'table',
            { class: 'plain' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { class: 'num' }, 'Step'),
                h('th', {}, 'Directory'),
                h('th', { class: 'num' }, 'Elapsed'),
                h('th', {}, 'Health'),
              ),
            ),
            h(
              'tbody',
              {},
              [...r.checkpointList]
                .reverse()
                .map((c) =>
                  h(
                    'tr',
                    {},
                    h('td', { class: 'num' }, c.step),
                    h('td', { class: 'mono' }, c.name),
                    h('td', { class: 'num' }, fmt.duration(c.elapsedSeconds)),
                    h(
                      'td',
                      {},
                      c.problems.length
                        ? h('span', { class: 'bad' }, c.problems.join('; '))
                        : h('span', { class: 'good' }, 'ok'),
                    ),
                  ),
                ),
            ),
          )
        : h('p', { class: 'muted' }, 'No complete checkpoint yet.'),
    );
    replace(
      config.body,
      r.config
        ? settingsList(r.config)
        : h('p', { class: 'muted' }, 'No readable config.json (see the messages above).'),
    );
    report.el.hidden = !r.report;
    if (r.report) replace(report.body, h('div', { class: 'card' }, renderMarkdown(r.report)));
  };

  const p = poll(async () => {
    try {
      const { body, text } = await getJson(`/api/run?id=${encodeURIComponent(id)}`);
      if (text === lastText) return;
      lastText = text;
      render(body);
    } catch (e) {
      replace(
        problems,
        errorBox(
          e.status === 404 ? `No run '${id}' under the runs directory.` : `Could not load the run: ${e.message}`,
        ),
      );
    }
  }, 2000);
  return {
    destroy: () => {
      p.stop();
      inter.destroy();
      loss.destroy();
      evalChart.destroy();
    },
  };
}
