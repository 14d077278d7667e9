/**
 * The fast-check seed and runs of each property of test/core and test/fuzz, which the environment can vary:
 * PROPERTY_SEED=<integer> mixes into every property's fixed seed (the same integer, the same seeds), and
 * PROPERTY_RUNS=<factor> multiplies every property's runs (and the timeouts written for them). With neither set each
 * property keeps its own seed and runs.
 */

import { defaultReportMessage } from 'fast-check';
import type { RunDetails } from 'fast-check';

import { seededDraws } from './seeded-draws.js';

/** A property's own seed and runs, as written in its test. */
export interface FixedRuns {
  seed: number;
  numRuns: number;
}

/** What fast-check is given: the seed and runs to use, and a reporter that names the variation on a failure. */
export interface PropertyRuns extends FixedRuns {
  reporter?: <Ts>(details: RunDetails<Ts>) => void;
}

/**
 * propertyRuns returns `fixed` as the environment varies it (PROPERTY_SEED, PROPERTY_RUNS; `options.env` stands for
 * process.env); when it does, a failure also says which PROPERTY_SEED and PROPERTY_RUNS reproduce it.
 */
export function propertyRuns(fixed: FixedRuns, options: { env?: NodeJS.ProcessEnv } = {}): PropertyRuns {
  const env = options.env ?? process.env;
  const variation = readSeed(env['PROPERTY_SEED']);
  const factor = readFactor(env['PROPERTY_RUNS']);
  if (variation === undefined && factor === undefined) return { ...fixed };
  const seed = variation === undefined ? fixed.seed : mixedSeed(fixed.seed, variation);
  const numRuns = Math.max(1, Math.round(fixed.numRuns * (factor ?? 1)));
  const rerun = [variation === undefined ? '' : `PROPERTY_SEED=${variation}`, factor === undefined ? '' : `PROPERTY_RUNS=${factor}`].filter(Boolean).join(' ');
  const reporter = <Ts>(details: RunDetails<Ts>): void => {
    if (!details.failed) return;
    const note = `Run with ${rerun} (this property's own seed ${fixed.seed} and ${fixed.numRuns} runs became seed ${seed} and ${numRuns} runs); set the same to reproduce it.`;
    throw new Error(`${defaultReportMessage(details) ?? 'Property failed'}\n\n${note}`, { cause: details.errorInstance });
  };
  return { seed, numRuns, reporter };
}

/** propertyTimeout is a mocha timeout of `ms` written for the fixed runs, multiplied by PROPERTY_RUNS (never below `ms`). */
export function propertyTimeout(ms: number, options: { env?: NodeJS.ProcessEnv } = {}): number {
  return Math.round(ms * Math.max(1, readFactor((options.env ?? process.env)['PROPERTY_RUNS']) ?? 1));
}

/** mixedSeed is the seed a property with `seed` uses under PROPERTY_SEED=`variation`: a 32-bit integer, unrelated for each pair. */
export function mixedSeed(seed: number, variation: number): number {
  return (seededDraws(seed ^ Math.imul(variation, 0x9e3779b1)).next() * 2 ** 32) | 0;
}

function readSeed(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`PROPERTY_SEED must be an integer (it is mixed into every property's seed), not ${JSON.stringify(text)}; unset it to run the fixed seeds`);
  return value;
}

function readFactor(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`PROPERTY_RUNS must be a number above 0 (it multiplies every property's runs), not ${JSON.stringify(text)}; unset it to run the fixed runs`);
  return value;
}
