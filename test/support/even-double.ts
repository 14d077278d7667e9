/**
 * Numbers drawn evenly by value over a range, for the shares and instants of the simulator's arbitraries.
 * `fc.double({ min: 0, max: 1 })` draws evenly over the doubles of the range, not its values: each binade below 1 holds
 * as many doubles as [0.5, 1), so nine draws in ten are below 1e-6 (of 450, 394; 45 at 0.25 or more), and fast-check's
 * bias pushes early runs to the ends as well. A share of a lag bound or of a run drawn so is 0 ms or the very start.
 */

import fc from 'fast-check';

/** Steps of a draw: finer than a second over a year. */
const STEPS = 100_000_000;

/**
 * evenDouble draws a number of [min, max] (or [min, max) with `maxExcluded`) evenly by value, without fast-check's
 * bias toward the ends in early runs; it shrinks toward min.
 */
export function evenDouble(range: { min: number; max: number; maxExcluded?: boolean }): fc.Arbitrary<number> {
  const top = range.maxExcluded === true ? STEPS - 1 : STEPS;
  return fc.noBias(fc.integer({ min: 0, max: top })).map((n) => range.min + ((range.max - range.min) * n) / STEPS);
}
