export * from './objective.js';
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
export { DataParallel, type DistributedTrainingOptions, type GatheredStep } from './data-parallel.js';
