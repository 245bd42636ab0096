// The token that guards compute actions (as Jupyter's): random per server
// start, printed with the URL, sent by the page in a header. A header rather
// than a cookie, so another site open in the same browser cannot make the
// request (a cross-origin page cannot set custom headers without a CORS
// preflight, which the server never grants).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { HttpError } from './http.js';

export const TOKEN_HEADER = 'x-ncml-token';

export function createToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Throws 401 unless the request carries the token. */
export function requireToken(req: IncomingMessage, expected: string): void {
  const raw = req.headers[TOKEN_HEADER];
  const given = Array.isArray(raw) ? raw[0] : raw;
  if (!tokenMatches(expected, given)) {
    throw new HttpError(
      401,
      given === undefined
        ? 'this action runs compute and needs the token printed with the dashboard URL (open that URL)'
        : 'wrong token: open the URL that ncml dashboard printed',
    );
  }
}
