// Fashion-MNIST (Zalando): 60000 train / 10000 test 28x28 grayscale images of
// 10 clothing classes, as Debian's dataset-fashion-mnist package installs it.
import { existsSync, statSync } from 'node:fs';

import { type Dataset, type Split } from './dataset.js';
import { DatasetError } from './dataset-error.js';
import { loadIdxDirectory } from './idx.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/** A split of Fashion-MNIST from dir (Debian's location by default). */
export function loadFashionMnist(split: Split, dir: string = FASHION_MNIST_DIR): Dataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetError(dir, 'Fashion-MNIST directory not found', {
      expected: 'a directory of Fashion-MNIST IDX files (train-images-idx3-ubyte.gz, ...)',
      found: 'no such directory',
      hint: 'install them with `apt-get install dataset-fashion-mnist`, or pass a directory (fashion-mnist:<dir>)',
    });
  }
  return loadIdxDirectory(dir, split, {
    classNames: FASHION_MNIST_CLASSES,
    source: `Fashion-MNIST ${split} (${dir})`,
  });
}
