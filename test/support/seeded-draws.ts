/** Draws from one integer seed (mulberry32): a request a property builds from a seed can be rebuilt from that seed alone. */

/** A generator of draws: `next` in [0, 1), `pick` one of the choices. */
export interface SeededDraws {
  next(): number;
  pick<T>(choices: readonly T[]): T;
}

/** seededDraws returns the draws of `seed` (mulberry32): the same seed, the same draws. */
export function seededDraws(seed: number): SeededDraws {
  let state = seed | 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, pick: (choices) => choices[Math.floor(next() * choices.length)] as (typeof choices)[number] };
}
