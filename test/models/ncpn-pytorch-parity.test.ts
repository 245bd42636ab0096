// Parity with a plain-PyTorch NCPN (bench/python/ncpn.py): our state dict,
// saved with our safetensors writer, loads into the twin by name with
// load_state_dict(strict=True), and both models compute the same mixture
// parameters in float64. This shows that our architecture is the
// straightforward PyTorch one and that our checkpoints' weights load in PyTorch.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { NCPN, type NcpnConfig, type PresetName, presetConfig } from '../../src/models/ncpn/index.js';
import { loadFile, saveFile } from '../../src/serialization/safetensors.js';
import { type Tensor, manualSeed, noGrad, randn, randnLike, tensor } from '../../src/tensor/index.js';
import { assertClose, values, tempDir } from '../helpers.js';
import { runPython } from '../python.js';
import { PYTHON_HELPERS, assertTorchAvailable } from '../serialization/torch-reference.js';

const dir = tempDir('ncml-ncpn-parity-');
after(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  name: string;
  config: NcpnConfig;
  size: [number, number];
}

const small = (channels: 1 | 3, overrides: Partial<NcpnConfig>): NcpnConfig =>
  presetConfig('tiny', channels, {
    nrFilters: 16,
    attentionHeads: 4,
    condDim: 24,
    fourierDim: 16,
    nrLogisticMix: 3,
    ...overrides,
  });

const CASES: Case[] = [
  { name: 'gray-8x8', config: small(1, { nrResnet: 1, attention: false }), size: [8, 8] },
  { name: 'gray-attention-7x9', config: small(1, { nrResnet: 2, attention: true }), size: [7, 9] },
  { name: 'rgb-7x9', config: small(3, { nrResnet: 1, attention: false }), size: [7, 9] },
  {
    name: 'rgb-attention-classes-8x8',
    config: small(3, { nrResnet: 2, attention: true, numClasses: 5 }),
    size: [8, 8],
  },
  // plain weights (weight, not weight_g/weight_v) and class conditioning without the noise embedding
  {
    name: 'gray-plain-classes-9x7',
    config: small(1, { nrResnet: 1, attention: true, weightNorm: false, noiseConditioning: false, numClasses: 3 }),
    size: [9, 7],
  },
];

/** Random weights everywhere, in float64 (attention's output projection starts at zero, which would hide it). */
function randomized(config: NcpnConfig, seed: number): NCPN {
  manualSeed(seed);
  const model = new NCPN(config).to('float64').eval();
  noGrad(() => {
    for (const p of model.parameters()) p.add_(randnLike(p).mul_(0.2));
  });
  return model;
}

test('a PyTorch NCPN loads our state dict by name and computes the same output in float64', () => {
  assertTorchAvailable();
  const ours = new Map<string, Tensor>();
  const jobs = CASES.map((c, k) => {
    const model = randomized(c.config, 100 + k);
    const [H, W] = c.size;
    const B = 2;
    const inputs: Record<string, Tensor> = { x: randn([B, c.config.channels, H, W], { dtype: 'float64' }) };
    if (c.config.noiseConditioning) inputs.t = tensor([0, 0.37], { dtype: 'float64' });
    if (c.config.numClasses !== null) inputs.y = tensor([1, c.config.numClasses - 1], { dtype: 'int64' });
    ours.set(
      c.name,
      noGrad(() => model.forward(inputs.x as Tensor, { t: inputs.t ?? null, y: inputs.y ?? null })),
    );
    const job = {
      name: c.name,
      // as in our checkpoints, the config travels in the weights file's metadata; the twin reads it from there
      config: k % 2 === 0 ? c.config : null,
      weights: join(dir, `${c.name}.weights.safetensors`),
      input: join(dir, `${c.name}.input.safetensors`),
      output: join(dir, `${c.name}.output.safetensors`),
    };
    saveFile(job.weights, model.stateDict(), { config: JSON.stringify(model.config) });
    saveFile(job.input, inputs);
    model.dispose();
    return job;
  });

  runPython(
    `
import json, sys
job = json.load(sys.stdin)
sys.path.insert(0, job['helpers'])
import torch
import ncpn
torch.set_num_threads(1)
for c in job['cases']:
    ncpn.forward_files(c['config'], c['weights'], c['input'], c['output'])
print('null')
`,
    { helpers: PYTHON_HELPERS, cases: jobs },
  );

  for (const job of jobs) {
    const expected = ours.get(job.name) as Tensor;
    const theirs = loadFile(job.output).tensors.get('out');
    assert.ok(theirs, `${job.name}: the twin wrote no 'out'`);
    assert.equal(theirs.dtype, 'float64', `${job.name}: dtype`);
    assert.deepEqual(theirs.shape, expected.shape, `${job.name}: shape`);
    const e = values(expected);
    // The comparison means something only if the output is far from constant.
    const scale = Math.max(...e.map(Math.abs));
    assert.ok(scale > 0.1, `${job.name}: output scale ${scale}`);
    const half = e.length / 2;
    assert.ok(
      e.slice(0, half).some((v, i) => Math.abs(v - (e[half + i] as number)) > 1e-3),
      `${job.name}: the two examples must give different outputs`,
    );
    assertClose(values(theirs), e, 1e-10 * scale, 1e-10);
  }
});

test('presets: the twin has our parameter names, shapes and counts', () => {
  assertTorchAvailable();
  const presets: [PresetName, 1 | 3][] = [
    ['tiny', 1],
    ['small', 1],
    ['paper', 3],
  ];
  const configs = presets.map(([name, channels]) => presetConfig(name, channels));
  const theirs = runPython<{ state: Record<string, number[]>; buffers: string[]; parameters: number }[]>(
    `
import json, sys
job = json.load(sys.stdin)
sys.path.insert(0, job['helpers'])
import ncpn
print(json.dumps([ncpn.describe(c) for c in job['configs']]))
`,
    { helpers: PYTHON_HELPERS, configs },
  );
  configs.forEach((config, k) => {
    const label = presets[k]?.join(', ');
    const model = new NCPN(config);
    const state = Object.fromEntries([...model.stateDict()].map(([n, t]) => [n, t.shape]));
    const count = model.numParameters();
    model.dispose();
    const twin = theirs[k];
    assert.ok(twin, `${label}: no description`);
    assert.deepEqual(twin.state, state, `${label}: state dict names and shapes`);
    assert.deepEqual(twin.buffers, ['noiseEmbedding.fourier.W'], `${label}: buffers`);
    assert.equal(twin.parameters, count, `${label}: parameter count`);
  });
});
