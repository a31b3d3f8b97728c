import type { Rng } from './prng.ts';

/**
 * Drawing amounts. Randomness is drawn in floating-point major units, but every amount leaves
 * here as integer minor units, and from then on money is only added and compared as integers.
 */

/** Minor units of `major`, rounded to a multiple of `roundTo` major units (0: to the minor unit), never zero. */
export function roundedMinor(major: number, exp: number, roundTo: number): number {
  const step = Math.max(1, Math.round(roundTo * 10 ** exp));
  return Math.max(step, Math.round((major * 10 ** exp) / step) * step);
}

/**
 * `minor × numerator / denominator` rounded to the minor unit, for VAT on a fee (`5, 100`) or a
 * month's profit (`rateBp, 120_000`). The product stays far below 2^53, so it is exact.
 */
export function shareOf(minor: number, numerator: number, denominator: number): number {
  return Math.round((minor * numerator) / denominator);
}

/** A log-uniform draw between `min` and `max` major units (prices, bills), as `roundedMinor` gives it. */
export function drawMinor(rng: Rng, min: number, max: number, exp: number, roundTo = 0): number {
  return roundedMinor(rng.logUniform(min, max), exp, roundTo);
}
