// Small pieces several pages use: status badges, problem boxes, stat tiles.
import { h } from './dom.js';

export function statusBadge(status) {
  return h('span', { class: `badge badge-${status}`, dataset: { status } }, status);
}

/** The messages of damaged files, or nothing. */
export function problemBox(problems, title = 'Some files of this run are damaged or missing') {
  if (!problems || problems.length === 0) return null;
  return h(
    'div',
    { class: 'problems', role: 'alert' },
    h('strong', {}, title),
    h(
      'ul',
      {},
      problems.map((p) => h('li', {}, p)),
    ),
  );
}

export function stat(label, value, detail) {
  return h(
    'div',
    { class: 'stat' },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, value),
    detail ? h('div', { class: 'stat-detail' }, detail) : null,
  );
}

export function errorBox(message) {
  return h('div', { class: 'problems error', role: 'alert' }, message);
}
