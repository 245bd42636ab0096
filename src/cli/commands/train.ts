// `ncml train`: every training setting as a flag (see ../train-flags.ts); a
// JSON config file as an overlay on the defaults; --resume continues a run
// exactly (flags that would change the model or the objective are refused).
// Data-parallel: --nproc N launches N local workers (../launcher.ts); each
// worker, or each machine's process, joins with --rendezvous, --rank and
// --world-size. Rank 0 reads the flags, the config file and the checkpoint
// and sends the resulting config to the other ranks.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import {
  broadcastObject,
  DEFAULT_TIMEOUT_SECONDS,
  destroyProcessGroup,
  initProcessGroup,
  type ProcessGroup,
} from '../../distributed/index.js';
import { getNumThreads } from '../../tensor/index.js';

import { readCheckpointState } from '../../runs/checkpoint.js';
import { overlayTrainConfig, type TrainConfig } from '../../runs/config.js';
import { defaultRunDir, resolveCheckpoint } from '../../runs/run-dir.js';
import { launchLocalWorkers } from '../launcher.js';
import { runTraining } from '../run-training.js';
import {
  addTrainOptions,
  applyTrainFlags,
  freshTrainConfig,
  type LaunchFlags,
  launchFlags,
  typedFlags,
} from '../train-flags.js';

function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new InvalidArgumentError(`--config: no such file '${path}'`);
  try {
    const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('expected a JSON object');
    return raw as Record<string, unknown>;
  } catch (e) {
    throw new Error(`--config ${path}: ${(e as Error).message}`);
  }
}

/** runs/<date>-<time>-<label>, the label defaulting to the objective and SDE. */
export function runDirFor(config: TrainConfig, label = `${config.objective}-${config.sde.kind}`): string {
  return defaultRunDir(label);
}

/** Builds the config the flags describe (fresh run), or the resumed run's with the typed overrides. */
export function buildTrainConfig(cmd: Command): { config: TrainConfig; runDir: string; resumeFrom?: string } {
  const typed = typedFlags(cmd);
  const resume = cmd.opts().resume as string | boolean | undefined;
  const out = typed.out as string | undefined;
  const file = typed.config !== undefined ? readConfigFile(typed.config as string) : null;
  if (resume !== undefined) {
    const target = typeof resume === 'string' ? resume : out;
    if (target === undefined)
      throw new InvalidArgumentError('--resume needs a run directory: pass --resume <dir> or --out <dir>');
    const { checkpoint, runDir } = resolveCheckpoint(target, '--resume');
    let config = readCheckpointState(checkpoint).config;
    if (file !== null) config = withFile(config, file, typed.config as string);
    return { config: applyTrainFlags(config, typed), runDir: out ?? runDir, resumeFrom: checkpoint };
  }
  let fresh: ReturnType<typeof freshTrainConfig>;
  try {
    fresh = freshTrainConfig(typed, file);
  } catch (e) {
    if (file !== null && !(e instanceof InvalidArgumentError))
      throw new Error(`--config ${String(typed.config)}: ${(e as Error).message}`);
    throw e;
  }
  for (const note of fresh.notes) process.stderr.write(`${note}\n`);
  return { config: fresh.config, runDir: out ?? runDirFor(fresh.config) };
}

function withFile(config: TrainConfig, file: Record<string, unknown>, path: string): TrainConfig {
  try {
    return overlayTrainConfig(config, file);
  } catch (e) {
    throw new Error(`--config ${path}: ${(e as Error).message}`);
  }
}

type Plan = { config: TrainConfig; runDir: string; resumeFrom?: string };

/** Rank 0 builds the plan from its flags; every rank gets rank 0's plan (or its error). */
function agreePlan(cmd: Command, group: ProcessGroup): Plan {
  let plan: { ok: true; plan: Plan } | { ok: false; error: string } | undefined;
  let failure: unknown = null;
  if (group.rank === 0) {
    try {
      plan = { ok: true, plan: buildTrainConfig(cmd) };
    } catch (e) {
      failure = e;
      plan = { ok: false, error: (e as Error).message };
    }
  }
  const agreed = broadcastObject(plan, { group });
  if (failure !== null) throw failure;
  if (agreed === undefined || !agreed.ok) throw new Error(`rank 0 could not set up the run: ${agreed?.error}`);
  return agreed.plan;
}

function announce({ config, runDir, resumeFrom }: Plan, ranks: number): void {
  process.stderr.write(
    `training ${config.objective.toUpperCase()} (${config.sde.kind} SDE, T=${config.sde.T}) on ${config.dataset} into ${runDir}` +
      (ranks > 1 ? ` with ${ranks} data-parallel processes (global batch ${config.batchSize})` : '') +
      (resumeFrom ? `, resuming from ${resumeFrom}` : '') +
      '\n',
  );
}

/** The `ncml train` arguments a launched worker gets: these, without the launcher's own flags. */
function workerArgs(argv: readonly string[]): string[] {
  const own = new Set(['--nproc']);
  const start = argv.indexOf('train');
  const args = argv.slice(start + 1);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const name = a.split('=')[0] as string;
    if (own.has(name)) {
      if (!a.includes('=')) i += 1;
      continue;
    }
    out.push(a);
  }
  return out;
}

async function trainAsRank(cmd: Command, launch: LaunchFlags): Promise<void> {
  const group = initProcessGroup({
    initMethod: launch.rendezvous,
    rank: launch.rank,
    worldSize: launch.worldSize,
    timeoutSeconds: launch.distTimeout ?? DEFAULT_TIMEOUT_SECONDS,
  });
  try {
    const plan = agreePlan(cmd, group);
    if (group.rank === 0) announce(plan, group.worldSize);
    const { summary } = await runTraining(plan.config, plan.runDir, plan.resumeFrom, { distributed: { group } });
    if (group.rank === 0) report(summary, plan.runDir);
    destroyProcessGroup(group);
  } catch (e) {
    // Rank-labelled, and at once: a failed group's threads must not hold the process.
    process.stderr.write(`ncml: rank ${group.rank}: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

function report(summary: Awaited<ReturnType<typeof runTraining>>['summary'], runDir: string): void {
  process.stdout.write(
    [
      `done: ${summary.steps} steps (${summary.skippedSteps} skipped) in ${summary.elapsedSeconds.toFixed(0)} s, stopped by ${summary.stoppedBy}`,
      `last training loss: ${summary.lastLoss.toFixed(4)} bits/dim`,
      summary.lastEval
        ? `last evaluation: ${summary.lastEval.bitsPerDim.toFixed(4)} bits/dim (step ${summary.lastEval.step})`
        : '',
      `checkpoint: ${summary.checkpoint}`,
      `metrics: ${join(runDir, 'metrics.jsonl')}`,
    ]
      .filter(Boolean)
      .join('\n') + '\n',
  );
}

export function registerTrain(program: Command): void {
  const cmd = program.command('train').description('train an NCPN with the NCML (or MLE) objective');
  addTrainOptions(cmd)
    .option('--resume [dir]', 'continue a run from its latest checkpoint (or the given checkpoint)')
    .action(async () => {
      const launch = launchFlags(typedFlags(cmd));
      if (launch.nproc !== undefined && launch.nproc > 1) {
        const code = await launchLocalWorkers({
          nproc: launch.nproc,
          args: workerArgs(process.argv),
          threads: getNumThreads(),
          timeoutSeconds: launch.distTimeout ?? DEFAULT_TIMEOUT_SECONDS,
        });
        if (code !== 0) throw new Error('the data-parallel run failed (see the worker messages above)');
        return;
      }
      if (launch.rendezvous !== undefined) return trainAsRank(cmd, launch);
      const plan = buildTrainConfig(cmd);
      announce(plan, 1);
      const { summary } = await runTraining(plan.config, plan.runDir, plan.resumeFrom);
      report(summary, plan.runDir);
    });
}
