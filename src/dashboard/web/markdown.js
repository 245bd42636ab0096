// The markdown that `ncml eval` writes (headings, paragraphs, lists, tables,
// code, **bold**, `code`), rendered into DOM nodes. Text is never parsed as
// HTML, so a result file cannot inject anything into the page.
import { h } from './dom.js';

function inline(text) {
  const out = [];
  const re = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*]+\*)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const t = m[0];
    if (t.startsWith('`')) out.push(h('code', {}, t.slice(1, -1)));
    else if (t.startsWith('**')) out.push(h('strong', {}, t.slice(2, -2)));
    else out.push(h('em', {}, t.slice(1, -1)));
    last = m.index + t.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const cells = (line) =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());

/** A document fragment for the markdown text. */
export function renderMarkdown(text) {
  const root = h('div', { class: 'markdown' });
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1].length + 2);
      root.append(h(`h${level}`, {}, inline(heading[2])));
      i++;
      continue;
    }
    if (line.startsWith('```')) {
      const body = [];
      i++;
      while (i < lines.length && !lines[i].startsWith('```')) body.push(lines[i++]);
      i++;
      root.append(h('pre', {}, h('code', {}, body.join('\n'))));
      continue;
    }
    if (line.trim().startsWith('|')) {
      const rows = [];
      while (i < lines.length && lines[i].trim().startsWith('|')) rows.push(lines[i++]);
      const header = cells(rows[0]);
      const body = rows.slice(1).filter((r) => !/^\s*\|?\s*:?-{2,}/.test(r));
      root.append(
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'md-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                header.map((c) => h('th', {}, inline(c))),
              ),
            ),
            h(
              'tbody',
              {},
              body.map((r) =>
                h(
                  'tr',
                  {},
                  cells(r).map((c) => h('td', {}, inline(c))),
                ),
              ),
            ),
          ),
        ),
      );
      continue;
    }
    if (/^\s*[-*]\s+/.test(line)) {
      const items = [];
      while (i < lines.length && /^\s*[-*]\s+/.test(lines[i])) items.push(lines[i++].replace(/^\s*[-*]\s+/, ''));
      root.append(
        h(
          'ul',
          {},
          items.map((t) => h('li', {}, inline(t))),
        ),
      );
      continue;
    }
    const para = [];
    while (i < lines.length && lines[i].trim() !== '' && !/^(#|\||```|\s*[-*]\s)/.test(lines[i])) para.push(lines[i++]);
    if (para.length === 0) para.push(lines[i++]);
    root.append(h('p', {}, inline(para.join(' '))));
  }
  return root;
}
