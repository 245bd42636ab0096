// The runs list: every run under --runs with its settings, progress, latest
// clean bits/dim and status, refreshed every 2 seconds; tick runs to compare.
import { compareHref, getJson, runHref } from '../api.js';
import { h, replace } from '../dom.js';
import * as fmt from '../format.js';
import { poll } from '../poll.js';
import { errorBox, statusBadge } from '../widgets.js';

export function mountRuns(app) {
  const selected = new Set();
  const heading = h('div', { class: 'page-head' }, h('h1', {}, 'Runs'));
  const compareButton = h(
    'button',
    { class: 'button', disabled: true, onclick: () => (location.hash = compareHref([...selected])) },
    'Compare selected',
  );
  heading.append(compareButton);
  const where = h('p', { class: 'muted' });
  const body = h('div', { class: 'card table-card' });
  app.append(heading, where, body);

  const updateButton = () => {
    compareButton.disabled = selected.size < 2;
    compareButton.textContent =
      selected.size >= 2 ? `Compare ${selected.size} runs` : 'Compare selected (tick 2 or more)';
  };
  updateButton();

  const render = ({ root, runs }) => {
    replace(
      where,
      'Runs under ',
      h('code', {}, root),
      ` · ${runs.length} run${runs.length === 1 ? '' : 's'} · refreshed every 2 s`,
    );
    for (const id of [...selected]) if (!runs.some((r) => r.id === id)) selected.delete(id);
    updateButton();
    if (runs.length === 0) {
      replace(
        body,
        h(
          'div',
          { class: 'empty' },
          h('p', {}, 'No runs here yet.'),
          h(
            'p',
            { class: 'muted' },
            'Start one with ',
            h('code', {}, `ncml train --out ${root}/my-run`),
            '; it appears within seconds.',
          ),
        ),
      );
      return;
    }
    const rows = runs.flatMap((r) => {
      const box = h('input', {
        type: 'checkbox',
        'aria-label': `select ${r.name} for comparison`,
        checked: selected.has(r.id),
        onchange: (e) => {
          if (e.target.checked) selected.add(r.id);
          else selected.delete(r.id);
          updateButton();
        },
      });
      const row = h(
        'tr',
        { dataset: { runId: r.id }, class: r.problems.length ? 'has-problems' : '' },
        h('td', { class: 'select' }, box),
        h(
          'td',
          { class: 'run-name' },
          h('a', { href: runHref(r.id) }, r.name),
          r.id !== r.name && r.id !== '.' ? h('div', { class: 'muted small' }, r.id) : null,
        ),
        h('td', {}, statusBadge(r.status)),
        h('td', {}, fmt.objective(r)),
        h('td', {}, fmt.sde(r)),
        h('td', {}, r.preset ?? '–', r.modelSize ? h('div', { class: 'muted small' }, r.modelSize) : null),
        h('td', { title: r.dataset ?? undefined }, fmt.dataset(r)),
        h('td', { class: 'num', dataset: { field: 'steps' } }, fmt.steps(r)),
        h('td', { class: 'num' }, fmt.duration(r.elapsedSeconds)),
        h(
          'td',
          {
            class: 'num',
            dataset: { field: 'bpd' },
            title:
              r.cleanBitsPerDimSource === 'train'
                ? 'training loss at t = 0 (no evaluation yet)'
                : 'held-out bits/dim at t = 0, EMA weights',
          },
          fmt.bpd(r.cleanBitsPerDim),
          r.cleanBitsPerDimSource === 'train' ? h('span', { class: 'muted small' }, ' train') : null,
        ),
        h('td', { class: 'muted' }, fmt.ago(r.lastWriteMs)),
      );
      const problems = r.problems.length
        ? h(
            'tr',
            { class: 'problem-row' },
            h('td', {}),
            h(
              'td',
              { colspan: 10 },
              h('div', { class: 'inline-problems', role: 'alert' }, '⚠ ', r.problems.join(' · ')),
            ),
          )
        : null;
      return [row, problems];
    });
    replace(
      body,
      h(
        'table',
        { class: 'runs-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [
              '',
              'Run',
              'Status',
              'Objective',
              'SDE',
              'Preset',
              'Dataset',
              'Steps',
              'Elapsed',
              'Clean bits/dim',
              'Updated',
            ].map((c, i) => h('th', { class: i >= 7 && i <= 9 ? 'num' : '' }, c)),
          ),
        ),
        h('tbody', {}, rows),
      ),
    );
  };

  const p = poll(async () => {
    try {
      const { body: data } = await getJson('/api/runs');
      render(data);
    } catch (e) {
      replace(body, errorBox(`Could not load the runs: ${e.message}`));
    }
  }, 2000);
  return { destroy: () => p.stop() };
}
