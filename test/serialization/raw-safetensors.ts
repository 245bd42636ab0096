// Builds safetensors bytes by hand from the spec, so tests can write files
// that the library's own writer never would (corrupt ones included).

export interface RawOptions {
  /** The value written to the 8-byte length prefix (default: the header's real length). */
  declaredLength?: bigint;
}

/** Length prefix (u64, little-endian), then header (JSON-encoded unless already a string or bytes), then data. */
export function rawSafetensors(header: unknown, data: Uint8Array = new Uint8Array(0), opts: RawOptions = {}): Buffer {
  const json =
    header instanceof Uint8Array
      ? Buffer.from(header)
      : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(opts.declaredLength ?? BigInt(json.byteLength));
  return Buffer.concat([prefix, json, data]);
}

/** The header JSON of safetensors bytes (after the length prefix), parsed. */
export function headerOf(bytes: Uint8Array): Record<string, unknown> {
  const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
  return JSON.parse(
    Buffer.from(bytes)
      .subarray(8, 8 + n)
      .toString('utf8'),
  ) as Record<string, unknown>;
}

/** The data buffer (after prefix and header) of safetensors bytes. */
export function dataOf(bytes: Uint8Array): Buffer {
  const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
  return Buffer.from(bytes).subarray(8 + n);
}
