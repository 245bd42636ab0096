// Sampling from trained models: autoregressive draws at any noise level,
// score-based refinement, the paper's two-phase sampler, completion.
export { type ArStepperFactory, arImpl, arImplNames, DEFAULT_AR_IMPL, registerArImpl } from './ar-impl.js';
export { type AutoregressiveOptions, type AutoregressiveSample, sampleAutoregressive } from './autoregressive.js';
export { type ClassLabels, classLabels, modelDtype, noiseLevels } from './conditioning.js';
export { type Corrector, DEFAULT_SNR, LangevinCorrector, type LangevinOptions } from './correctors.js';
export { tweedieDenoise } from './denoise.js';
export { pixelMask, topRowsMask } from './mask.js';
export { EulerMaruyamaPredictor, type Predictor, ReverseDiffusionPredictor, type Update } from './predictors.js';
export { ProbabilityFlowPredictor } from './probability-flow.js';
export { createReferenceStepper, ReferenceStepper } from './reference-stepper.js';
export {
  CORRECTORS,
  type CorrectorName,
  type KnownRegion,
  makeCorrector,
  makePredictor,
  planRefinement,
  PREDICTORS,
  type PredictorName,
  refine,
  type Refined,
  type RefineOptions,
} from './refine.js';
export { modelScoreFn, type ModelScoreOptions, type ScoreFn } from './score-fn.js';
export { defaultEps, refinementTimes } from './time-grid.js';
export { forwardTransition, type Transition } from './transition.js';
export { classGridLabels } from './class-grid.js';
export {
  type Completion,
  type CompletionOptions,
  completeImages,
  SAMPLING_METHODS,
  type SamplingMethod,
} from './completion.js';
export { defaultT0, SAMPLING_DEFAULTS, type SamplingDefaults } from './defaults.js';
export { checkTwoPhase, sampleTwoPhase, type TwoPhaseOptions, type TwoPhaseSample } from './two-phase.js';
