// Images in, feature vectors out: the feature net's last hidden layer for
// uint8 images [n, C, H, W] (from a samples file, a dataset, or a tensor).
import type { Dataset } from '../../data/dataset.js';
import { type Uint8Images, tensorToUint8Images } from '../../data/grid.js';
import { Tensor, cat, fromTypedArray, noGrad, scope } from '../../tensor/index.js';
import type { FeatureNet } from './feature-net.js';

/** Images as the quality metrics take them. */
export type ImageInput = Uint8Images | Dataset | Tensor;

/** The bytes and shape of any image input (a float tensor is read as [-1, 1]). */
export function toUint8Images(images: ImageInput): Uint8Images {
  if (images instanceof Tensor) return tensorToUint8Images(images);
  if ('images' in images) {
    const { images: data, count, channels, height, width } = images;
    return { data, count, channels, height, width };
  }
  const u = images as Uint8Images;
  if (u.data.length !== u.count * u.channels * u.height * u.width) {
    throw new RangeError(
      `image data has ${u.data.length} bytes; ${u.count}x${u.channels}x${u.height}x${u.width} needs ${u.count * u.channels * u.height * u.width}`,
    );
  }
  return u;
}

/** The first `count` images (all when count is undefined or larger). */
export function firstImages(images: Uint8Images, count?: number): Uint8Images {
  if (count === undefined || count >= images.count) return images;
  const per = images.channels * images.height * images.width;
  return { ...images, data: images.data.subarray(0, count * per), count };
}

/** Feature vectors [n, featureDim] (float64, CPU) of the images, batch by batch without autograd. */
export function extractFeatures(net: FeatureNet, input: ImageInput, batchSize = 500): Tensor {
  const images = toUint8Images(input);
  const { channels, height, width } = net.config;
  if (images.channels !== channels || images.height !== height || images.width !== width) {
    throw new RangeError(
      `the feature net takes ${channels}x${height}x${width} images; got ${images.channels}x${images.height}x${images.width}`,
    );
  }
  if (images.count === 0) throw new RangeError('no images to extract features from');
  const per = channels * height * width;
  const wasTraining = net.training;
  net.eval();
  try {
    return noGrad(() =>
      scope(() => {
        const parts: Tensor[] = [];
        for (let start = 0; start < images.count; start += batchSize) {
          const n = Math.min(batchSize, images.count - start);
          const bytes = images.data.subarray(start * per, (start + n) * per);
          const x = fromTypedArray(bytes.slice(), [n, channels, height, width]).float().sub(127.5).div(127.5);
          parts.push(net.features(x).double());
        }
        return parts.length === 1 ? (parts[0] as Tensor) : cat(parts, 0);
      }),
    );
  } finally {
    net.train(wasTraining);
  }
}
