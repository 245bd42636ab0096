// The dashboard's page: a hash router over the runs list, a run, and the
// comparison of runs. Each page mounts into #app and is destroyed (its polling
// stopped) when the address changes.
import { captureToken, sessionValid } from './api.js';
import { h, replace } from './dom.js';
import { mountCompare } from './pages/compare.js';
import { mountRun } from './pages/run.js';
import { mountRuns } from './pages/runs.js';

captureToken();

const app = document.getElementById('app');
let current = null;

function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [, page = '', rest = ''] = /^\/([^/]*)\/?(.*)$/.exec(hash) ?? [];
  if (page === '') return { name: 'runs', mount: mountRuns, args: [] };
  if (page === 'run' && rest) return { name: 'runs', mount: mountRun, args: [decodeURIComponent(rest)] };
  if (page === 'compare') {
    const ids = rest ? rest.split(',').filter(Boolean).map(decodeURIComponent) : [];
    return { name: 'compare', mount: mountCompare, args: [ids] };
  }
  return null;
}

function show() {
  current?.destroy?.();
  current = null;
  const r = route();
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === r?.name);
  if (r === null) {
    replace(app, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the runs')));
    return;
  }
  replace(app);
  current = r.mount(app, ...r.args);
  window.scrollTo(0, 0);
}

async function showSession() {
  const el = document.getElementById('session');
  const ok = await sessionValid().catch(() => false);
  el.dataset.token = ok ? 'valid' : 'missing';
  replace(
    el,
    ok
      ? h('span', { class: 'session-ok', title: 'This tab can start sampling jobs' }, 'token ✓')
      : h(
          'span',
          { class: 'session-missing', title: 'Open the URL printed by ncml dashboard (with ?token=...) to sample' },
          'read-only',
        ),
  );
}

window.addEventListener('hashchange', show);
show();
showSession();
