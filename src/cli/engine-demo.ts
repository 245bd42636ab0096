// A short proof that the install works: a small conv net learns a synthetic
// task in a few steps while the engine reports its configuration.
import { Conv2d, Linear, Module } from '../nn/index.js';
import { crossEntropy } from '../nn/losses.js';
import { Adam } from '../optim/index.js';
import { engineInfo, manualSeed, randn, scope, type Tensor } from '../tensor/index.js';

class TinyConvNet extends Module {
  readonly conv1 = new Conv2d(1, 16, 3, { padding: 1 });
  readonly conv2 = new Conv2d(16, 16, 3, { padding: 1, stride: 2 });
  readonly head = new Linear(16 * 8 * 8, 2);

  forward(x: Tensor): Tensor {
    const h = this.conv2.forward(this.conv1.forward(x).relu()).relu();
    return this.head.forward(h.flatten(1));
  }
}

/** Images whose label says whether the left half is brighter than the right. */
function batch(size: number): { x: Tensor; y: Tensor } {
  const x = randn([size, 1, 16, 16]);
  const y = x
    .slice(3, 0, 8)
    .mean([1, 2, 3])
    .gt(x.slice(3, 8).mean([1, 2, 3]))
    .long();
  return { x, y };
}

/** Which libtorch runs and how: library, threads, BLAS, oneDNN, CUDA. */
export function describeEngine(): string[] {
  const info = engineInfo();
  return [
    `libtorch ${info.torchVersion} from ${info.source} (${info.library})`,
    `threads ${info.threads} of ${info.hardwareConcurrency} cores | BLAS ${info.blas}`,
    `oneDNN (MKL-DNN) ${info.mkldnn ? 'on' : 'off'} | OpenMP ${info.openmp ? 'on' : 'off'} | CPU kernels ${info.cpuCapability} | CUDA devices ${info.cudaDevices}`,
  ];
}

export function runEngineDemo(log: (line: string) => void = console.log, steps = 60): { first: number; last: number } {
  for (const line of describeEngine()) log(line);
  manualSeed(0);
  const net = new TinyConvNet();
  const opt = new Adam(net.parameters(), { lr: 3e-3 });
  let first = NaN;
  let last = NaN;
  const started = performance.now();
  for (let step = 1; step <= steps; step++) {
    last = scope(() => {
      const { x, y } = batch(64);
      const loss = crossEntropy(net.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss.item();
    });
    if (step === 1) first = last;
    if (step === 1 || step % 10 === 0) log(`step ${String(step).padStart(3)}  loss ${last.toFixed(4)}`);
  }
  const ms = (performance.now() - started) / steps;
  log(`loss ${first.toFixed(4)} -> ${last.toFixed(4)} in ${steps} steps (${ms.toFixed(1)} ms/step)`);
  return { first, last };
}
