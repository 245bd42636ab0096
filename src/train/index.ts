export * from './config.js';
export * from './defaults.js';
export * from './t-distribution.js';
export * from './objective.js';
export * from './checkpoint.js';
export {
  Trainer,
  TrainingDivergedError,
  type TrainerOptions,
  type TrainerEvents,
  type StepLog,
  type EvalLog,
  type TrainSummary,
} from './trainer.js';
export { TBucketStats } from './t-buckets.js';
