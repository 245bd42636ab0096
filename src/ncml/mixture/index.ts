// Logistic-mixture likelihoods and sampling for PixelCNN++-style outputs.
export {
  type MixtureChannels,
  type MixtureParts,
  MIN_LOG_SCALE,
  mixtureParamChannels,
  numMixtures,
  splitMixtureParams,
} from './layout.js';
export { NUM_LEVELS, BIN_WIDTH, HALF_BIN, EDGE, levelValues, quantizeToLevels } from './levels.js';
export { type LikelihoodKind, DEFAULT_NOISY_LIKELIHOOD } from './likelihood-kind.js';
export { type TinyBinRule, type BinMassOptions, logisticBinLogMass } from './logistic-bin-mass.js';
export { logisticLogDensity } from './logistic-density.js';
export { coupledChannelMean, coupledMeans } from './coupling.js';
export { componentLogProbs } from './component-log-prob.js';
export { type MixtureLogProbOptions, mixtureLogProb, mixtureLogProbMap } from './log-prob.js';
export { bitsPerDim, dimsPerImage } from './bits-per-dim.js';
export { type MixtureSampleOptions, sampleMixture } from './sample.js';
export { type LevelLogProbOptions, levelLogProbs } from './level-log-probs.js';
