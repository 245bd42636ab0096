// What the page may ask the server to compute, validated with zod, and the
// ncml CLI command each request becomes. The CLI checks the model-specific
// rules (t0 within (0, T], a class only for class-conditional models, no
// two-phase sampling for an MLE model) before any work starts; its message
// becomes the job's error.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

import { HttpError } from './http.js';

const seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);

const common = {
  /** The run's id. */
  run: z.string().min(1).max(1000),
  /** The checkpoint's step (one of the run's complete checkpoints). */
  checkpoint: z.number().int().min(0),
  method: z.enum(['two-phase', 'ar']),
  /** Phase-1 noise level of the two-phase sampler. */
  t0: z.number().positive().max(10).optional(),
  /** Reverse-diffusion steps of the two-phase sampler. */
  steps: z.number().int().min(1).max(2000).optional(),
  seed,
};

export const SampleRequestSchema = z
  .object({
    kind: z.literal('sample'),
    ...common,
    num: z.number().int().min(1).max(64),
    class: z.number().int().min(0).max(1000).nullable().optional(),
  })
  .strict();

export const CompleteRequestSchema = z
  .object({
    kind: z.literal('complete'),
    ...common,
    /** Which test image (0-based). */
    image: z.number().int().min(0).max(10_000_000),
    /** Rows of the image kept; the rest are drawn. */
    keepRows: z.number().int().min(1).max(4096),
    /** Completions drawn. */
    perImage: z.number().int().min(1).max(16),
  })
  .strict();

export const JobRequestSchema = z.discriminatedUnion('kind', [SampleRequestSchema, CompleteRequestSchema]);

export type JobRequest = z.infer<typeof JobRequestSchema>;

export function parseJobRequest(raw: unknown): JobRequest {
  const r = JobRequestSchema.safeParse(raw);
  if (!r.success) {
    throw new HttpError(
      400,
      `invalid job request: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
    );
  }
  return r.data;
}

/** A fresh file name in <run>/samples/dashboard/ for the job's grid. */
export function jobOutputPath(runDir: string, kind: string): string {
  const dir = join(runDir, 'samples', 'dashboard');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new HttpError(500, `cannot create ${dir} for the job's images: ${(e as Error).message}`);
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return join(dir, `${stamp}-${kind}-${randomBytes(3).toString('hex')}.png`);
}

/** The ncml command line of a request. */
export function cliArgs(req: JobRequest, checkpoint: string, out: string): string[] {
  const phase2 =
    req.method === 'two-phase'
      ? [
          ...(req.t0 !== undefined ? ['--t0', String(req.t0)] : []),
          ...(req.steps !== undefined ? ['--steps', String(req.steps)] : []),
        ]
      : [];
  if (req.kind === 'sample') {
    return [
      'sample',
      '--checkpoint',
      checkpoint,
      '--num',
      String(req.num),
      '--method',
      req.method,
      ...phase2,
      ...(req.class !== undefined && req.class !== null ? ['--class', String(req.class)] : []),
      '--seed',
      String(req.seed),
      '--out',
      out,
    ];
  }
  return [
    'complete',
    '--checkpoint',
    checkpoint,
    '--num',
    '1',
    '--first',
    String(req.image),
    '--keep-rows',
    String(req.keepRows),
    '--per-image',
    String(req.perImage),
    '--method',
    req.method,
    ...phase2,
    '--seed',
    String(req.seed),
    '--out',
    out,
  ];
}
