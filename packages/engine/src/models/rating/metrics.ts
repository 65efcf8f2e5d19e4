/** Root mean squared error between predictions and true ratings (NaN for empty input). */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkLengths(predicted, actual);
  let s = 0;
  for (let k = 0; k < actual.length; k++) s += ((predicted[k] as number) - (actual[k] as number)) ** 2;
  return Math.sqrt(s / actual.length);
}

/** Mean absolute error between predictions and true ratings (NaN for empty input). */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkLengths(predicted, actual);
  let s = 0;
  for (let k = 0; k < actual.length; k++) s += Math.abs((predicted[k] as number) - (actual[k] as number));
  return s / actual.length;
}

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`predictions (${a.length}) and ratings (${b.length}) differ in length`);
}
