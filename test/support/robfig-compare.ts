/**
 * Comparing the hook's cron parser with answers of the real robfig/cron (tools/robfig-reference), shared by the
 * committed table test (test/core/schedule-robfig.test.ts) and the random differential search
 * (tools/robfig-reference/fuzz.ts): the same comparison, the same deliberate deviations.
 */
import assert from 'node:assert/strict';
import { GO_SPACE } from '../../src/core/_cron_parse.js';
import { nextTick, parseSchedule, type Schedule } from '../../src/core/schedule.js';

/** One robfig version's answer for one expression (see tools/robfig-reference/main.go). */
export interface RobfigAnswer {
  ok: boolean;
  error?: string;
  panic?: boolean;
  /** Per start instant, successive `Next()` results in epoch ms; a short list means Next gave up. */
  ticks?: number[][];
  sameTicksAsV3?: boolean;
}

/** One line of a table written by tools/robfig-reference/main.go. */
export interface RobfigEntry {
  expression: string;
  about: string;
  v1: RobfigAnswer;
  v3: RobfigAnswer;
}

/** A table written by tools/robfig-reference/main.go. */
export interface RobfigTable {
  starts: string[];
  ticksPerStart: number;
  entries: RobfigEntry[];
  /** Per zone asked for, its offsets from Go's zone data: [epoch ms, seconds east of UTC], the first at the start of the range, then each change. */
  zoneOffsets?: Record<string, [number, number][]>;
}

/**
 * A kind of deliberate departure from robfig v1.2.0, with the rule telling which expressions it covers:
 * - `rejects`: robfig accepts, the hook rejects with a message; `covers` names the expressions;
 * - `outlivesRobfig`: same ticks while robfig has them, and the hook still has a tick where robfig's `Next()` gave
 *   up, beyond the five years it searches (a property of the ticks, so no `covers`).
 */
export type DeviationRule =
  | { hook: 'rejects'; reason: string; covers: (expression: string) => boolean }
  | { hook: 'outlivesRobfig'; reason: string };

const SPACE = GO_SPACE.source.slice(0, -1); // one Go space character, as a regex class
const EMPTY_FIELD = new RegExp(`(?:^|${SPACE}),+(?:${SPACE}|$)`);
const STAR_RANGE = new RegExp(`(?:^|${SPACE}|,)[*?]-`);
/** Nanoseconds per unit of a Go duration. */
const UNIT_NS: Readonly<Record<string, bigint>> = { ns: 1n, us: 1_000n, '\u00b5s': 1_000n, '\u03bcs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
const ZERO_TERM = /0*(?:\.([0-9]*))?([^0-9.]+)/y;

/**
 * goReadsAsNonPositive tells whether a valid Go duration is zero or negative as Go reads it: a sign, no digit above
 * zero, or terms that are each below a nanosecond (Go truncates every term to whole nanoseconds: "0.5ns" is 0).
 */
function goReadsAsNonPositive(duration: string): boolean {
  if (duration.startsWith('-') || !/[1-9]/.test(duration)) return true;
  const text = duration.replace(/^\+/, '');
  ZERO_TERM.lastIndex = 0;
  while (ZERO_TERM.lastIndex < text.length) {
    const term = ZERO_TERM.exec(text);
    const unitNs = UNIT_NS[term?.[2] ?? ''];
    if (term === null || unitNs === undefined) return false;
    const fraction = term[1] ?? '';
    if (fraction !== '' && BigInt(fraction) * unitNs >= 10n ** BigInt(fraction.length)) return false; // a nanosecond or more
  }
  return true;
}

/** The deliberate deviations, by name; keep in step with tools/robfig-reference/README.md. */
export const DEVIATION_RULES = {
  emptyField: {
    hook: 'rejects',
    reason: 'a field with no values is a typo; robfig accepts it and never fires',
    covers: (expression) => !expression.startsWith('@') && EMPTY_FIELD.test(expression),
  },
  starRange: {
    hook: 'rejects',
    reason: 'robfig ignores what follows "*-" or "?-", so the range the user meant is lost',
    covers: (expression) => !expression.startsWith('@') && STAR_RANGE.test(expression),
  },
  nonPositiveEvery: {
    hook: 'rejects',
    reason: 'robfig silently turns a zero or negative period (also one below a nanosecond, which Go reads as 0) into 1s, a backup every second',
    covers: (expression) => expression.startsWith('@every ') && goReadsAsNonPositive(expression.slice('@every '.length)),
  },
  fiveYearSearch: {
    hook: 'outlivesRobfig',
    reason: 'robfig searches five years ahead only (2096-02-29 is followed by 2104-02-29); the hook finds the next tick however far',
  },
} as const satisfies Record<string, DeviationRule>;

/** The name of a deviation rule. */
export type DeviationName = keyof typeof DEVIATION_RULES;

function iso(ms: number | null): string {
  return ms === null ? 'null' : new Date(ms).toISOString();
}

/** answerOf returns the robfig answer of `version` for an entry, with v1's shared ticks filled in from v3. */
export function answerOf(entry: RobfigEntry, version: 'v1' | 'v3'): RobfigAnswer {
  const answer = entry[version];
  return answer.sameTicksAsV3 === true ? { ...answer, ticks: entry.v3.ticks ?? [] } : answer;
}

/** Up to `count` ticks of the hook from `start`, iterating nextTick like robfig iterates Next. */
export function hookTicks(schedule: Schedule, start: number, count: number): (number | null)[] {
  const ticks: (number | null)[] = [];
  let after = start;
  while (ticks.length < count) {
    const tick = nextTick(schedule, { after, anchor: start });
    ticks.push(tick);
    if (tick === null) break;
    after = tick;
  }
  return ticks;
}

function parse(expression: string): ReturnType<typeof parseSchedule> {
  return parseSchedule(expression, { timeZone: 'UTC' });
}

/** assertRejected asserts the hook rejects the expression with a message; `why` says why it should. */
export function assertRejected(expression: string, why: string): void {
  const result = parse(expression);
  assert.equal(result.ok, false, `${why}, yet the hook accepts it`);
  if (!result.ok) assert.ok(result.error.trim().length > 0, 'the rejection has an empty message');
}

/** The last year robfig's `Next(after)` searches: the year of the next whole second, plus five. */
function robfigLastYear(after: number): number {
  return new Date(Math.floor(after / 1000) * 1000 + 1000).getUTCFullYear() + 5;
}

/** assertTicks asserts the hook's ticks from every start of the table; `outlive` asks for one more tick where robfig ends. */
export function assertTicks(expression: string, robfig: RobfigAnswer, options: { table: RobfigTable; outlive: boolean }): void {
  const { table, outlive } = options;
  const result = parse(expression);
  assert.ok(result.ok, `robfig accepts it, the hook rejects it: ${result.ok ? '' : result.error}`);
  table.starts.forEach((startText, i) => {
    const start = Date.parse(startText);
    const expected = robfig.ticks?.[i] ?? [];
    const ended = expected.length < table.ticksPerStart;
    // One more than robfig has when it gave up, to see the hook give up too (null).
    const actual = hookTicks(result.schedule, start, ended ? expected.length + 1 : expected.length);
    const context = `ticks after ${startText}`;
    if (!ended) {
      assert.deepEqual(actual.map(iso), expected.map(iso), context);
    } else if (outlive) {
      assert.deepEqual(actual.slice(0, -1).map(iso), expected.map(iso), context);
      const beyond = actual.at(-1);
      assert.ok(typeof beyond === 'number', `${context}: the hook should go on where robfig gives up`);
      const lastYear = robfigLastYear(expected.at(-1) ?? start);
      assert.ok(new Date(beyond).getUTCFullYear() > lastYear, `${context}: the hook's ${iso(beyond)} is within robfig's search (to ${lastYear})`);
    } else {
      assert.deepEqual(actual.map(iso), [...expected.map(iso), 'null'], `${context} (then robfig gives up)`);
    }
  });
}

/** assertAgrees asserts the hook answers an entry as robfig v1.2.0 does (acceptance and ticks), with no deviation. */
export function assertAgrees(entry: RobfigEntry, table: RobfigTable): void {
  const robfig = answerOf(entry, 'v1');
  if (robfig.ok) assertTicks(entry.expression, robfig, { table, outlive: false });
  else assertRejected(entry.expression, `robfig v1.2.0 rejects it (${robfig.error ?? ''})`);
}

/** assertDeviates asserts the hook departs from robfig v1.2.0 on an entry as the rule says. */
export function assertDeviates(entry: RobfigEntry, options: { table: RobfigTable; rule: DeviationRule }): void {
  const { table, rule } = options;
  if (rule.hook === 'rejects') {
    assert.ok(rule.covers(entry.expression), "the expression is not one the rule covers");
    assert.ok(entry.v1.ok, 'stale deviation: robfig v1.2.0 rejects it too');
    assertRejected(entry.expression, 'it is listed as deliberately rejected');
  } else {
    assertTicks(entry.expression, answerOf(entry, 'v1'), { table, outlive: true });
  }
}

/** The outcome of comparing one entry: agreement, a deliberate deviation (by name), or a disagreement. */
export type Verdict = { kind: 'agrees' } | { kind: 'deviation'; name: DeviationName } | { kind: 'disagrees'; message: string };

/** verdictOf compares the hook with robfig v1.2.0 on an entry, explaining a difference by the deviation rules if one does. */
export function verdictOf(entry: RobfigEntry, table: RobfigTable): Verdict {
  let message: string;
  try {
    assertAgrees(entry, table);
    return { kind: 'agrees' };
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
  }
  for (const name of Object.keys(DEVIATION_RULES) as DeviationName[]) {
    const rule: DeviationRule = DEVIATION_RULES[name];
    if (rule.hook === 'rejects' && !rule.covers(entry.expression)) continue;
    try {
      assertDeviates(entry, { table, rule });
      return { kind: 'deviation', name };
    } catch {
      // not this rule
    }
  }
  return { kind: 'disagrees', message };
}
