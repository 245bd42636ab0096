// A checkpoint's weights load in PyTorch: the twin in bench/python/ncpn.py reads
// ema.safetensors (names and config from the file) and computes what we compute.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { NCPN } from '../../src/models/ncpn/ncpn.js';
import { loadFile, saveFile } from '../../src/serialization/safetensors.js';
import { noGrad, rand, tensor } from '../../src/tensor/index.js';
import { latestCheckpoint, loadCheckpointWeights } from '../../src/runs/index.js';
import { Trainer } from '../../src/train/index.js';
import { assertClose, values, tempDir } from '../helpers.js';
import { PYTHON } from '../python.js';
import { assertTorchAvailable } from '../serialization/torch-reference.js';
import { barsDataset, tinyConfig } from './fixtures.js';

const twin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'python', 'ncpn.py');

test("a checkpoint's EMA weights load into the PyTorch twin and give our output", async () => {
  assertTorchAvailable();
  const dir = tempDir('ncml-ckpt-torch-');
  const config = tinyConfig({ steps: 3 });
  await new Trainer(config, dir, { data: { train: barsDataset(), validation: null } }).run();
  const checkpoint = latestCheckpoint(dir)!;
  const model = new NCPN(config.model).eval();
  loadCheckpointWeights(checkpoint, model, 'ema');
  const x = rand([2, 1, 8, 8]).mul_(2).sub_(1);
  const t = tensor([0, 0.05]);
  const ours = noGrad(() => model.forward(x, { t }));
  saveFile(join(dir, 'in.safetensors'), { x: x.double(), t: t.double() });
  execFileSync(PYTHON, [
    twin,
    '--forward',
    '--weights',
    join(checkpoint, 'ema.safetensors'),
    '--input',
    join(dir, 'in.safetensors'),
    '--output',
    join(dir, 'out.safetensors'),
  ]);
  const theirs = loadFile(join(dir, 'out.safetensors')).tensors.get('out')!;
  // Our float32 forward against PyTorch's float64 forward of the same weights.
  assertClose(ours, values(theirs), 1e-4, 1e-4);
});
