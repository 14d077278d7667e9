/** Seeded pseudo-random numbers (sfc32), so that a scenario replays exactly from its seed. */

/** A stream of pseudo-random numbers. */
export interface Random {
  /** next returns a number in [0, 1). */
  next(): number;
  /** between returns a number in [min, max]. */
  between(range: readonly [number, number]): number;
  /** chance returns true with probability p. */
  chance(p: number): boolean;
  /** fork derives an independent stream by name, so adding draws to one stream never shifts another. */
  fork(name: string): Random;
}

/** createRandom returns the stream for a seed. */
export function createRandom(seed: number): Random {
  return streamOf(mix(seed >>> 0, 'root'));
}

function streamOf(state: [number, number, number, number]): Random {
  let [a, b, c, d] = state;
  function next(): number {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  for (let i = 0; i < 12; i += 1) next();
  const seedOfForks = (a ^ c) >>> 0;
  return {
    next,
    between(range) {
      return range[0] + (range[1] - range[0]) * next();
    },
    chance(p) {
      return p > 0 && next() < p;
    },
    fork(name) {
      return streamOf(mix(seedOfForks, name));
    },
  };
}

/** mix spreads a seed and a name over sfc32's four words (FNV-1a, then xorshift-multiply). */
function mix(seed: number, name: string): [number, number, number, number] {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i += 1) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  const words: number[] = [];
  for (let i = 0; i < 4; i += 1) {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    words.push(h >>> 0);
    h = (h + 0x9e3779b9) | 0;
  }
  return [words[0] ?? 1, words[1] ?? 2, words[2] ?? 3, words[3] ?? 4];
}
