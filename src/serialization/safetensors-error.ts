// The one error type this module throws, so callers can tell a bad file (or a
// refused input) from other failures.

export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  /** The file being read or written, when there is one. */
  readonly file: string | undefined;

  constructor(problem: string, file?: string) {
    super(file === undefined ? `safetensors: ${problem}` : `safetensors file '${file}': ${problem}`);
    this.file = file;
  }
}
