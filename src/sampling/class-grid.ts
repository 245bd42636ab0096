// Class-conditional sample grids (paper Fig. 5, left): one row per class.

/** Labels for `perClass` images of every class in turn: [0 x perClass, 1 x perClass, ...]. */
export function classGridLabels(numClasses: number, perClass: number): number[] {
  if (!(Number.isInteger(numClasses) && numClasses >= 1))
    throw new RangeError(`numClasses must be >= 1, got ${numClasses}`);
  if (!(Number.isInteger(perClass) && perClass >= 1))
    throw new RangeError(`images per class must be >= 1, got ${perClass}`);
  return Array.from({ length: numClasses * perClass }, (_, i) => Math.floor(i / perClass));
}
