// Labels and descriptions of the models an evaluation compares.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { modelInfos, sdeName } from '../../src/eval/model-info.js';
import { defaultTrainConfig } from '../../src/runs/config.js';
import type { TrainedModel } from '../../src/runs/load.js';

function trained(runDir: string, step: number, overrides: Parameters<typeof defaultTrainConfig>[1] = {}, sde?: 've') {
  const config = defaultTrainConfig({ sde }, { steps: 10, ...overrides });
  return {
    runDir,
    checkpoint: `${runDir}/checkpoints/step-${step}`,
    config,
    state: { step },
    weights: 'ema',
  } as unknown as TrainedModel;
}

test('labels are the run names, made unique with the step and then the position', () => {
  const infos = modelInfos([
    trained('/runs/a/ncml-vp', 250),
    trained('/runs/b/ncml-vp', 500),
    trained('/runs/mle', 250, { objective: 'mle' }),
    trained('/runs/c/ve', 100, {}, 've'),
    trained('/runs/d/ve', 100, {}, 've'),
  ]);
  assert.deepEqual(
    infos.map((i) => i.label),
    ['ncml-vp@250', 'ncml-vp@500', 'mle', 've@100#4', 've@100#5'],
  );
  assert.deepEqual(
    infos.map((i) => i.description),
    ['NCML, VP SDE, T = 0.1', 'NCML, VP SDE, T = 0.1', 'MLE', 'NCML, VE SDE, T = 0.5', 'NCML, VE SDE, T = 0.5'],
  );
  assert.equal(infos[2]!.objective, 'mle');
  assert.equal(sdeName('subvp'), 'sub-VP');
});
