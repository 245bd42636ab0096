// The local web dashboard: runs, live curves, evaluations, samples and interactive sampling.
export { type Dashboard, type DashboardOptions, DEFAULT_PORT, isLoopback, startDashboard } from './server.js';
export { JobRunner, type JobSpec, type JobView, progressOf } from './job-runner.js';
