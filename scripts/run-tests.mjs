// Runs the compiled test files with Node's built-in test runner.
// Usage: node scripts/run-tests.mjs [name-filter ...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? find(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : [],
  );
}

const files = find(join(root, 'dist', 'test'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  process.stderr.write('no test files matched\n');
  process.exit(1);
}
// Each file is its own process; two at a time keeps libtorch's threads from oversubscribing two cores.
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files.map((f) => relative(root, f))], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NCML_NUM_THREADS: process.env.NCML_NUM_THREADS ?? '1' },
});
process.exit(r.status ?? 1);
