import { native } from '../binding/native.js';
import { aten } from '../tensor/aten.js';
import { randn } from '../tensor/creation.js';
import { type Tensor, wrap } from '../tensor/tensor.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/** A lookup table of learned vectors, initialized N(0, 1) as in PyTorch. */
export class Embedding extends Module {
  readonly weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number) {
    super();
    const w = randn([numEmbeddings, embeddingDim]);
    this.weight = new Parameter(w);
    w.dispose();
  }

  /** Rows of the table for int64 indices of any shape: [...shape, dim]. */
  forward(indices: Tensor): Tensor {
    return wrap(native.call(aten.embedding, this.weight.handle, indices.handle));
  }
}
