// Sample quality: FID and KID in the feature space of a classifier ncml trains itself.
export * from './feature-net.js';
export * from './train-feature-net.js';
export * from './feature-net-store.js';
export * from './features.js';
export * from './fid.js';
export * from './kid.js';
export * from './samples-file.js';
export * from './sample-quality.js';
export * from './quality-report.js';
