// The one error type of the data layer: it names the file, what was wrong,
// and (when there is one) what was expected and what was found.

export interface DatasetErrorDetails {
  expected?: string;
  found?: string;
  /** What to do about it, appended on its own line. */
  hint?: string;
  cause?: unknown;
}

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly file: string;
  readonly expected: string | undefined;
  readonly found: string | undefined;

  constructor(file: string, problem: string, details: DatasetErrorDetails = {}) {
    const parts = [details.expected && `expected ${details.expected}`, details.found && `found ${details.found}`];
    const suffix = parts.filter(Boolean).join(', ');
    const hint = details.hint ? `\n${details.hint}` : '';
    super(`${file}: ${problem}${suffix ? ` (${suffix})` : ''}${hint}`, { cause: details.cause });
    this.file = file;
    this.expected = details.expected;
    this.found = details.found;
  }
}

/** An error's message, for wrapping third-party errors (zlib, pngjs, fs) into a DatasetError. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
