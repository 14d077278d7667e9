/** PROPERTY_SEED and PROPERTY_RUNS (test/support/property-runs.ts): how they vary the properties' seeds and runs. */

import assert from 'node:assert/strict';

import fc from 'fast-check';

import { mixedSeed, propertyRuns, propertyTimeout } from './support/property-runs.js';

const FIXED = { seed: 4242, numRuns: 600 };

describe('PROPERTY_SEED and PROPERTY_RUNS', () => {
  it('keeps the seed and runs written in the test when neither is set (or both are empty)', () => {
    assert.deepEqual(propertyRuns(FIXED, { env: {} }), FIXED);
    assert.deepEqual(propertyRuns(FIXED, { env: { PROPERTY_SEED: '', PROPERTY_RUNS: '' } }), FIXED);
  });

  it('mixes PROPERTY_SEED into each seed: the same variation the same seeds, another variation or another seed other seeds', () => {
    const seven = propertyRuns(FIXED, { env: { PROPERTY_SEED: '7' } });
    assert.equal(seven.numRuns, FIXED.numRuns);
    assert.equal(seven.seed, mixedSeed(FIXED.seed, 7));
    assert.equal(propertyRuns(FIXED, { env: { PROPERTY_SEED: '7' } }).seed, seven.seed);
    const seeds = new Set([
      FIXED.seed,
      seven.seed,
      propertyRuns(FIXED, { env: { PROPERTY_SEED: '8' } }).seed,
      propertyRuns(FIXED, { env: { PROPERTY_SEED: '0' } }).seed,
      propertyRuns({ ...FIXED, seed: FIXED.seed + 1 }, { env: { PROPERTY_SEED: '7' } }).seed,
    ]);
    assert.equal(seeds.size, 5, `seeds ${[...seeds].join(', ')}`);
    for (const seed of seeds) assert.ok(Number.isInteger(seed) && seed >= -(2 ** 31) && seed < 2 ** 31, `seed ${seed} is a 32-bit integer`);
  });

  it('multiplies the runs by PROPERTY_RUNS, at least one, and keeps the seed', () => {
    assert.deepEqual(pick(propertyRuns(FIXED, { env: { PROPERTY_RUNS: '10' } })), { seed: FIXED.seed, numRuns: 6000 });
    assert.deepEqual(pick(propertyRuns(FIXED, { env: { PROPERTY_RUNS: '0.5' } })), { seed: FIXED.seed, numRuns: 300 });
    assert.deepEqual(pick(propertyRuns({ seed: 1, numRuns: 40 }, { env: { PROPERTY_RUNS: '0.001' } })), { seed: 1, numRuns: 1 });
  });

  it('multiplies a timeout written for the fixed runs by PROPERTY_RUNS, never below it', () => {
    assert.equal(propertyTimeout(120_000, { env: {} }), 120_000);
    assert.equal(propertyTimeout(120_000, { env: { PROPERTY_SEED: '7' } }), 120_000);
    assert.equal(propertyTimeout(120_000, { env: { PROPERTY_RUNS: '20' } }), 2_400_000);
    assert.equal(propertyTimeout(120_000, { env: { PROPERTY_RUNS: '0.5' } }), 120_000);
  });

  it('names PROPERTY_SEED and PROPERTY_RUNS in a failure, beside the seed fast-check replays', () => {
    const runs = propertyRuns({ seed: 11, numRuns: 50 }, { env: { PROPERTY_SEED: '7', PROPERTY_RUNS: '2' } });
    const failing = fc.property(fc.integer({ min: 0, max: 100 }), (n) => n < 50);
    assert.throws(() => fc.assert(failing, runs), (error: Error) => {
      assert.match(error.message, new RegExp(`seed: ${runs.seed}, path: `));
      assert.match(error.message, /Run with PROPERTY_SEED=7 PROPERTY_RUNS=2 \(this property's own seed 11 and 50 runs became seed -?\d+ and 100 runs\)/);
      return true;
    });
    fc.assert(fc.property(fc.integer(), () => true), runs);
  });

  it('refuses a PROPERTY_SEED that is no integer and a PROPERTY_RUNS that is no number above 0, saying what each must be', () => {
    for (const text of ['seven', '1.5', '1e30']) {
      assert.throws(() => propertyRuns(FIXED, { env: { PROPERTY_SEED: text } }), /PROPERTY_SEED must be an integer .*unset it to run the fixed seeds/);
    }
    for (const text of ['0', '-2', 'ten', 'Infinity']) {
      assert.throws(() => propertyRuns(FIXED, { env: { PROPERTY_RUNS: text } }), /PROPERTY_RUNS must be a number above 0 .*unset it to run the fixed runs/);
    }
  });
});

function pick({ seed, numRuns }: { seed: number; numRuns: number }): { seed: number; numRuns: number } {
  return { seed, numRuns };
}
