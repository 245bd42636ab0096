// Schema validation with every problem named: "path: message; path: message".
import type { z } from 'zod';

/** Parses raw with schema, or throws makeError(description of every problem). */
export function parseWith<S extends z.ZodTypeAny>(
  schema: S,
  raw: unknown,
  makeError: (problems: string) => Error,
): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw makeError(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  return r.data;
}
