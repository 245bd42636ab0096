// What commands write into a run directory after training:
//   <run>/eval/<kind>/   result.json, result.md and plots (ncml eval <kind>)
//   <run>/samples/...    sample grids: <name>.png with <name>.json (settings) beside it
//   <run>/*.png          grids written at the top of the run (npm start)
// Listed here so readers do not each walk the directory their own way.
// Symbolic links are skipped: a run lists only what it holds.
import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface EvalOutputListing {
  /** The evaluation kind: the folder's name under eval/. */
  kind: string;
  dir: string;
  /** result.json, parsed; null when missing or damaged (see problems). */
  result: unknown;
  /** result.md, or null. */
  markdown: string | null;
  /** Plots (*.png), sorted by name. */
  images: string[];
  /** Other files (per-example CSV, SVG plots, ...), sorted by name. */
  files: string[];
  problems: string[];
}

export interface SampleGridListing {
  png: string;
  /** The settings file beside the grid (<name>.json), parsed; null when there is none or it is damaged. */
  settings: Record<string, unknown> | null;
  mtimeMs: number;
  problems: string[];
}

function list(dir: string): Dirent[] {
  if (!existsSync(dir)) return [];
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  } catch {
    return [];
  }
}

function readJson(file: string): { value: unknown; problem: string | null } {
  try {
    return { value: JSON.parse(readFileSync(file, 'utf8')), problem: null };
  } catch (e) {
    return { value: null, problem: `${file}: ${e instanceof SyntaxError ? 'not valid JSON' : (e as Error).message}` };
  }
}

export function evalDir(runDir: string): string {
  return join(runDir, 'eval');
}

/** Every eval/<kind>/ folder of a run, by kind. */
export function listEvalOutputs(runDir: string): EvalOutputListing[] {
  return list(evalDir(runDir))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((kind) => {
      const dir = join(evalDir(runDir), kind);
      const files = list(dir)
        .filter((f) => f.isFile())
        .map((f) => f.name)
        .sort();
      const problems: string[] = [];
      let result: unknown = null;
      if (files.includes('result.json')) {
        const r = readJson(join(dir, 'result.json'));
        result = r.value;
        if (r.problem !== null) problems.push(r.problem);
      } else {
        problems.push(`${join(dir, 'result.json')} is missing (evaluation not finished, or interrupted)`);
      }
      let markdown: string | null = null;
      if (files.includes('result.md')) {
        try {
          markdown = readFileSync(join(dir, 'result.md'), 'utf8');
        } catch (e) {
          problems.push(`${join(dir, 'result.md')}: ${(e as Error).message}`);
        }
      }
      return {
        kind,
        dir,
        result,
        markdown,
        images: files.filter((f) => f.endsWith('.png')).map((f) => join(dir, f)),
        files: files
          .filter((f) => !f.endsWith('.png') && f !== 'result.json' && f !== 'result.md')
          .map((f) => join(dir, f)),
        problems,
      };
    });
}

export function samplesDir(runDir: string): string {
  return join(runDir, 'samples');
}

function gridsIn(dir: string, depth: number): string[] {
  return list(dir).flatMap((e) => {
    if (e.isDirectory()) return depth > 0 ? gridsIn(join(dir, e.name), depth - 1) : [];
    return e.isFile() && e.name.endsWith('.png') ? [join(dir, e.name)] : [];
  });
}

/** Sample grids of a run (samples/ two levels deep, and PNGs at the top of the run), newest first. */
export function listSampleGrids(runDir: string): SampleGridListing[] {
  const pngs = [...gridsIn(samplesDir(runDir), 2), ...gridsIn(runDir, 0)];
  return pngs
    .map((png) => {
      const json = png.replace(/\.png$/, '.json');
      const problems: string[] = [];
      let settings: Record<string, unknown> | null = null;
      if (existsSync(json)) {
        const r = readJson(json);
        if (r.problem !== null) problems.push(r.problem);
        else if (typeof r.value === 'object' && r.value !== null && !Array.isArray(r.value))
          settings = r.value as Record<string, unknown>;
        else problems.push(`${json}: expected a JSON object of settings`);
      }
      let mtimeMs = 0;
      try {
        mtimeMs = statSync(png).mtimeMs;
      } catch {
        problems.push(`${png} disappeared while listing`);
      }
      return { png, settings, mtimeMs, problems };
    })
    .sort((a, b) => b.mtimeMs - a.mtimeMs || a.png.localeCompare(b.png));
}

/** report.md, the summary `ncml start` writes at the top of a run, or null. */
export function readRunReport(runDir: string): string | null {
  const file = join(runDir, 'report.md');
  if (!existsSync(file)) return null;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
