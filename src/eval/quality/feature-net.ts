// The feature network of the sample-quality metrics: a small CNN classifier
// trained on the dataset itself (there is no Inception network here), whose
// last hidden layer is the feature space of FID and KID (the "Frechet LeNet
// distance" practice of the MNIST family). Two 3x3 conv blocks with 2x2
// average pooling, a hidden layer of `featureDim` units, a linear classifier.
import { Module } from '../../nn/module.js';
import { Conv2d } from '../../nn/conv.js';
import { Linear } from '../../nn/linear.js';
import { maxPool2d, relu } from '../../nn/functional.js';
import type { Tensor } from '../../tensor/index.js';

export interface FeatureNetConfig {
  channels: number;
  height: number;
  width: number;
  numClasses: number;
  /** Filters of the two conv blocks. */
  filters: [number, number];
  /** Width of the feature layer. */
  featureDim: number;
}

export function defaultFeatureNetConfig(
  shape: { channels: number; height: number; width: number },
  numClasses: number,
): FeatureNetConfig {
  const { channels, height, width } = shape;
  return { channels, height, width, numClasses, filters: [32, 64], featureDim: 128 };
}

export class FeatureNet extends Module {
  readonly config: FeatureNetConfig;
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly hidden: Linear;
  readonly classifier: Linear;

  constructor(config: FeatureNetConfig) {
    super();
    const { channels, height, width, numClasses, filters, featureDim } = config;
    if (height < 4 || width < 4)
      throw new RangeError(`the feature net needs images of at least 4x4, got ${height}x${width}`);
    if (numClasses < 2)
      throw new RangeError(`the feature net is a classifier: it needs >= 2 classes, got ${numClasses}`);
    this.config = { ...config, filters: [...filters] };
    this.conv1 = new Conv2d(channels, filters[0], 3, { padding: 1 });
    this.conv2 = new Conv2d(filters[0], filters[1], 3, { padding: 1 });
    const flat = filters[1] * Math.floor(Math.floor(height / 2) / 2) * Math.floor(Math.floor(width / 2) / 2);
    this.hidden = new Linear(flat, featureDim);
    this.classifier = new Linear(featureDim, numClasses);
  }

  /** The feature vectors [B, featureDim] of images in [-1, 1], [B, C, H, W]. */
  features(x: Tensor): Tensor {
    const h1 = maxPool2d(relu(this.conv1.forward(x)), 2);
    const h2 = maxPool2d(relu(this.conv2.forward(h1)), 2);
    return relu(this.hidden.forward(h2.flatten(1)));
  }

  /** Class logits [B, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features(x));
  }
}
