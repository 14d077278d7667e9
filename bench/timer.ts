/** In-process timing for the bench: batches sized to a target duration, repeated in rounds. */

import { median } from './stats.js';

/** Options of {@link timeRounds}. */
export interface RoundsOptions {
  /** Rounds to measure after warm-up. */
  rounds: number;
  /** Wall time each round should last, in ms; each round runs at least one iteration. */
  roundMs: number;
  /** Iterations (or ms, whichever comes first) of warm-up before measuring. */
  warmup?: { iterations: number; maxMs: number };
}

/** What {@link timeRounds} measured: the median and minimum time per iteration over the rounds, in ms. */
export interface RoundsResult {
  medianMs: number;
  minMs: number;
  rounds: number[];
  iterationsPerRound: number;
}

/**
 * timeRounds measures `work`, which times itself and returns the ms it spent (so that per-iteration
 * set-up such as parsing the request stays outside the figure); the result is per iteration.
 */
export function timeRounds(work: () => number, options: RoundsOptions): RoundsResult {
  const warmup = options.warmup ?? { iterations: 20, maxMs: 2000 };
  const warmStart = performance.now();
  let spent = 0;
  let warmed = 0;
  while (warmed < warmup.iterations && performance.now() - warmStart < warmup.maxMs) {
    spent += work();
    warmed += 1;
  }
  const estimate = spent / Math.max(1, warmed);
  const iterations = Math.max(1, Math.round(options.roundMs / Math.max(estimate, 1e-3)));
  const rounds: number[] = [];
  for (let r = 0; r < options.rounds; r++) {
    let total = 0;
    for (let i = 0; i < iterations; i++) total += work();
    rounds.push(total / iterations);
  }
  return { medianMs: median(rounds), minMs: Math.min(...rounds), rounds, iterationsPerRound: iterations };
}
