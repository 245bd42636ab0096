// `ncml reproduce`: the paper's experiments at the scale of the machine, in
// one command: train the MLE baseline and one NCML model per SDE with equal
// budgets, evaluate them all, sample, and write <out>/results.md and
// results.json. Resumable: the same --out continues where it stopped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import { SDE_KINDS } from '../../ncml/sde/config.js';
import type { SdeKind } from '../../ncml/sde/sde.js';
import { createRunDir } from '../../runs/run-dir.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { duration, integer } from '../options.js';
import {
  checkpointEvery,
  makePlan,
  mergeSweep,
  type ReproducePlan,
  SWEEP_VARIANTS,
  type SweepVariant,
  sweepSteps,
  variantKey,
} from '../reproduce/plan.js';
import { commit, writeResultsPage } from '../reproduce/page.js';
import { publishResults } from '../reproduce/publish.js';
import { runStep } from '../reproduce/runner.js';
import {
  evaluationSteps,
  modelDir,
  sweepEvalSteps,
  sweepTrainSteps,
  trainedSteps,
  trainStep,
} from '../reproduce/steps.js';

interface State {
  plan: ReproducePlan;
  /** Seconds per step id, summed over sessions. */
  seconds: Record<string, number>;
  /** The commit of each session that ran a step. */
  commits?: string[];
}

function sdeList(value: string): SdeKind[] {
  const kinds = value.split(',').map((s) => s.trim());
  const bad = kinds.filter((k) => !(SDE_KINDS as readonly string[]).includes(k));
  if (bad.length || kinds.length === 0)
    throw new InvalidArgumentError(`expected a list of ${SDE_KINDS.join(', ')}, got '${value}'.`);
  return kinds as SdeKind[];
}

function sweepList(value: string): SweepVariant[] {
  const names = value.split(',').map((s) => s.trim());
  const found = names.map((n) => SWEEP_VARIANTS.find((v) => variantKey(v) === n || v.name === n));
  const bad = names.filter((_, i) => found[i] === undefined);
  if (bad.length > 0 || names.length === 0) {
    throw new InvalidArgumentError(
      `unknown sweep variant '${bad.join(', ')}'; expected a list of ${SWEEP_VARIANTS.map(variantKey).join(', ')}.`,
    );
  }
  return found as SweepVariant[];
}

export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description("the paper's experiments at CPU scale: MLE vs NCML per SDE, every evaluation, a results page")
    .requiredOption(
      '--budget <duration>',
      'total time for training and evaluation, e.g. 3m (a smoke run), 2h',
      duration,
    )
    .option('--dataset <spec>', 'dataset', 'fashion-mnist')
    .option('--preset <name>', 'model size', 'tiny')
    .option('--sdes <list>', 'SDEs of the NCML models', sdeList, ['vp', 've', 'subvp'] as SdeKind[])
    .option('--seed <n>', 'seed of every model and evaluation', integer(0, 2 ** 32 - 1), 0)
    .option('--out <dir>', 'output directory (default runs/reproduce)', 'runs/reproduce')
    .option(
      '--sweep [variants]',
      `also train NCML-VP variants for half the steps, outside the budget (each about half a model's training), and the budget curve; variants: ${SWEEP_VARIANTS.map(variantKey).join(', ')} (default all)`,
      sweepList,
    )
    .option('--publish <dir>', 'also write the page as <dir>/results.md, its plots and grids under <dir>/results/')
    .action(
      async (o: {
        budget: number;
        dataset: string;
        preset: string;
        sdes: SdeKind[];
        seed: number;
        out: string;
        publish?: string;
        sweep?: SweepVariant[] | true;
      }) => {
        createRunDir(o.out);
        const stateFile = join(o.out, 'reproduce.json');
        let state: State;
        if (existsSync(stateFile)) {
          state = JSON.parse(readFileSync(stateFile, 'utf8')) as State;
          process.stderr.write(
            `continuing the reproduction in ${o.out} (its plan: budget ${state.plan.budgetSeconds} s)\n`,
          );
        } else {
          state = {
            plan: makePlan({
              budgetSeconds: o.budget,
              dataset: o.dataset,
              preset: o.preset,
              sdes: o.sdes,
              seed: o.seed,
            }),
            seconds: {},
          };
        }
        // --sweep extends a plan (a finished reproduction gains a sweep, a sweep gains
        // variants); the models and variants already trained stay.
        if (o.sweep !== undefined) {
          state.plan.sweep = mergeSweep(state.plan.sweep ?? [], o.sweep === true ? SWEEP_VARIANTS : o.sweep);
        }
        const save = () => writeFileAtomic(stateFile, JSON.stringify(state, null, 2) + '\n');
        save();
        const { plan } = state;
        const started = performance.now();
        const [first, ...others] = plan.models;
        if (first === undefined) throw new Error('no models to train');
        const sweeping = (plan.sweep ?? []).length > 0;
        const total =
          plan.models.length + evaluationSteps(o.out, plan).length + (sweeping ? 2 * (plan.sweep ?? []).length + 2 : 0);
        let index = 0;
        const run = async (step: Parameters<typeof runStep>[0]) => {
          index += 1;
          const r = await runStep(step, o.out, { index, total, started, budgetSeconds: plan.budgetSeconds });
          if (r.status === 'done') {
            state.seconds[step.id] = (state.seconds[step.id] ?? 0) + r.seconds;
            const here = commit();
            state.commits ??= [];
            if (state.commits.at(-1) !== here) state.commits.push(here);
            save();
          }
        };
        await run(trainStep(o.out, plan, first, null));
        // Equal budgets: every other model trains exactly the first one's step count.
        const steps = trainedSteps(modelDir(o.out, first));
        for (const m of others) await run(trainStep(o.out, plan, m, steps));
        for (const step of evaluationSteps(o.out, plan)) await run(step);
        if (sweeping) {
          for (const step of sweepTrainSteps(o.out, plan, sweepSteps(steps, checkpointEvery(plan)))) await run(step);
          // Listed after the training: the history steps name the checkpoints that exist now.
          for (const step of sweepEvalSteps(o.out, plan)) await run(step);
        }
        const page = writeResultsPage({
          out: o.out,
          plan,
          seconds: state.seconds,
          commits: state.commits,
          command: `ncml reproduce --budget ${plan.budgetSeconds}s --dataset ${plan.dataset} --preset ${plan.preset} --sdes ${plan.sdes.join(',')} --seed ${plan.seed} --out ${o.out}${sweeping ? ` --sweep ${(plan.sweep ?? []).map(variantKey).join(',')}` : ''}${o.publish !== undefined ? ` --publish ${o.publish}` : ''}`,
        });
        for (const c of page.claims) process.stdout.write(`${c.id} ${c.verdict}: ${c.claim}\n`);
        process.stdout.write(`results: ${page.markdown}\n`);
        if (o.publish !== undefined) {
          const files = publishResults(o.out, o.publish);
          process.stdout.write(`published: ${files[0]} and ${files.length - 1} linked files\n`);
        }
      },
    );
}
