// Talking to the dashboard's server. The compute token comes from the URL the
// CLI printed (?token=...), is kept for this tab only, and is sent in a header.

const TOKEN_KEY = 'ncml-dashboard-token';

export function captureToken() {
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function parse(res) {
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) throw new ApiError(res.status, body?.error ?? `${res.status} ${res.statusText}`);
  return { body, text };
}

/** GET a JSON route; `text` lets callers skip re-rendering when nothing changed. */
export async function getJson(path) {
  return parse(await fetch(path, { headers: { Accept: 'application/json' } }));
}

export async function postJson(path, value) {
  const headers = { 'Content-Type': 'application/json' };
  const t = token();
  if (t) headers['X-Ncml-Token'] = t;
  return (await parse(await fetch(path, { method: 'POST', headers, body: JSON.stringify(value ?? {}) }))).body;
}

export async function sessionValid() {
  const t = token();
  if (!t) return false;
  const res = await fetch('/api/session', { headers: { 'X-Ncml-Token': t } });
  return res.ok && (await res.json()).tokenValid === true;
}

/** The URL of a file inside the runs directory, from its '/'-separated id. */
export function fileUrl(id) {
  return `/files/${id.split('/').map(encodeURIComponent).join('/')}`;
}

export function runHref(id) {
  return `#/run/${encodeURIComponent(id)}`;
}

export function compareHref(ids) {
  return `#/compare/${ids.map(encodeURIComponent).join(',')}`;
}
