/**
 * Questions about a run of reference ticks, asked of any tick finder (the module, or a library the
 * bench compares it with). For every pair of consecutive ticks a < b:
 * - the newest tick in (a, b] is b (inclusive upper bound);
 * - the newest tick in (a − 1, b − 1] is a (exclusive upper bound, a just inside the window);
 * - there is no tick in (a, b − 1] (exclusive lower bound: a is not counted again);
 * - the next tick after a is b, and so is the next tick after b − 1;
 * - from the middle m of (a, b): the newest tick in (a − 1, m] is a and the next tick after m is b
 *   (in a fall-back gap, m's wall time was already shown before a).
 */

/** The two questions a tick finder answers. */
export interface TickFinder {
  mostRecent(after: number, atOrBefore: number): number | null;
  next(after: number): number | null;
}

/** One wrong answer. */
export interface Mismatch {
  question: string;
  want: number | null;
  got: number | null | 'threw';
}

/** The outcome of asking about a run of ticks. */
export interface TickCheckResult {
  /** Questions asked. */
  checks: number;
  mismatches: Mismatch[];
}

/** checkConsecutiveTicks asks a finder about every pair of consecutive reference ticks. */
export function checkConsecutiveTicks(ticks: readonly number[], finder: TickFinder): TickCheckResult {
  const result: TickCheckResult = { checks: 0, mismatches: [] };
  const at = (t: number): string => new Date(t).toISOString();
  for (let i = 1; i < ticks.length; i++) {
    const a = ticks[i - 1] as number;
    const b = ticks[i] as number;
    const m = Math.floor((a + b) / 2);
    const questions: [string, () => number | null, number | null][] = [
      [`mostRecent(${at(a)}, ${at(b)}]`, () => finder.mostRecent(a, b), b],
      [`mostRecent(${at(a - 1)}, ${at(b - 1)}]`, () => finder.mostRecent(a - 1, b - 1), a],
      [`mostRecent(${at(a)}, ${at(b - 1)}]`, () => finder.mostRecent(a, b - 1), null],
      [`next(${at(a)})`, () => finder.next(a), b],
      [`next(${at(b - 1)})`, () => finder.next(b - 1), b],
      [`mostRecent(${at(a - 1)}, ${at(m)}]`, () => finder.mostRecent(a - 1, m), a],
      [`next(${at(m)})`, () => finder.next(m), b],
    ];
    for (const [question, ask, want] of questions) {
      result.checks += 1;
      let got: number | null | 'threw';
      try {
        got = ask();
      } catch {
        got = 'threw';
      }
      if (got !== want) result.mismatches.push({ question, want, got });
    }
  }
  return result;
}
