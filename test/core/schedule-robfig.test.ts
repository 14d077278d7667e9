/**
 * Differential check of cron parsing against the real robfig/cron (issue 8).
 *
 * test/fixtures/robfig/ticks.json was written by tools/robfig-reference (Go, run once with
 * `npm run robfig:tables`): for each expression, what robfig's `ParseStandard` answered and the
 * first ticks of iterating `Next()` from fixed UTC instants. The reference is v1.2.0, the version
 * TiDB Operator uses; the table also holds v3's answer, which a deviation may name instead.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { nextTick, parseSchedule, type Schedule } from '../../src/core/schedule.js';

/** One robfig version's answer for one expression (see tools/robfig-reference/main.go). */
interface RobfigAnswer {
  ok: boolean;
  error?: string;
  panic?: boolean;
  /** Per start instant, successive `Next()` results in epoch ms; a short list means Next gave up. */
  ticks?: number[][];
  sameTicksAsV3?: boolean;
}

interface RobfigEntry {
  expression: string;
  about: string;
  v1: RobfigAnswer;
  v3: RobfigAnswer;
}

interface RobfigTable {
  starts: string[];
  ticksPerStart: number;
  entries: RobfigEntry[];
}

/**
 * How the hook deliberately departs from robfig v1.2.0 for one expression:
 * - `rejects`: robfig accepts it, the hook rejects it with a message;
 * - `v3`: the hook gives robfig v3's answer (acceptance and ticks) instead of v1.2.0's;
 * - `outlivesRobfig`: same ticks while robfig has them, and the hook still has a tick where
 *   robfig's `Next()` gave up (it searches only five years ahead).
 */
interface Deviation {
  expression: string;
  hook: 'rejects' | 'v3' | 'outlivesRobfig';
  reason: string;
}

/** Deliberate differences; keep in step with tools/robfig-reference/README.md. */
const DEVIATIONS: readonly Deviation[] = [
  ...['0 0 , * *', ', * * * *'].map((expression) => ({
    expression,
    hook: 'rejects' as const,
    reason: 'a field with no values is a typo; robfig accepts it and never fires',
  })),
  ...['*-5 * * * *', '*-abc * * * *', '?-1 * * * *'].map((expression) => ({
    expression,
    hook: 'rejects' as const,
    reason: 'robfig ignores what follows "*-" or "?-", so the range the user meant is lost',
  })),
  ...['@every 0s', '@every 0', '@every -1s', '@every -0s'].map((expression) => ({
    expression,
    hook: 'rejects' as const,
    reason: 'robfig silently turns a zero or negative period into 1s, a backup every second',
  })),
  {
    expression: '0 0 29 2 *',
    hook: 'outlivesRobfig',
    reason: 'robfig searches five years ahead only; 2096-02-29 is followed by 2104-02-29',
  },
];

const table = JSON.parse(
  readFileSync(new URL('../fixtures/robfig/ticks.json', import.meta.url), 'utf8'),
) as RobfigTable;
const starts = table.starts.map((s) => Date.parse(s));

function iso(ms: number | null): string {
  return ms === null ? 'null' : new Date(ms).toISOString();
}

/** The robfig answer of `version` for an entry, with v1's shared ticks filled in from v3. */
function answerOf(entry: RobfigEntry, version: 'v1' | 'v3'): RobfigAnswer {
  const answer = entry[version];
  return answer.sameTicksAsV3 === true ? { ...answer, ticks: entry.v3.ticks ?? [] } : answer;
}

/** Up to `count` ticks of the hook from `start`, iterating nextTick like robfig iterates Next. */
function hookTicks(schedule: Schedule, start: number, count: number): (number | null)[] {
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

/** Asserts the hook rejects the expression with a message; `why` says why it should. */
function assertRejected(expression: string, why: string): void {
  const result = parse(expression);
  assert.equal(result.ok, false, `${why}, yet the hook accepts it`);
  if (!result.ok) assert.ok(result.error.trim().length > 0, 'the rejection has an empty message');
}

/** Asserts the hook's ticks from every start; `outlive` asks for one more tick where robfig ends. */
function assertTicks(expression: string, robfig: RobfigAnswer, options: { outlive: boolean }): void {
  const result = parse(expression);
  assert.ok(result.ok, `robfig accepts it, the hook rejects it: ${result.ok ? '' : result.error}`);
  starts.forEach((start, i) => {
    const expected = robfig.ticks?.[i] ?? [];
    const ended = expected.length < table.ticksPerStart;
    // One more than robfig has when it gave up, to see the hook give up too (null).
    const actual = hookTicks(result.schedule, start, ended ? expected.length + 1 : expected.length);
    const context = `ticks after ${table.starts[i] ?? '?'}`;
    if (!ended) {
      assert.deepEqual(actual.map(iso), expected.map(iso), context);
    } else if (options.outlive) {
      assert.deepEqual(actual.slice(0, -1).map(iso), expected.map(iso), context);
      assert.notEqual(actual.at(-1), null, `${context}: the hook should go on where robfig gives up`);
    } else {
      assert.deepEqual(actual.map(iso), [...expected.map(iso), 'null'], `${context} (then robfig gives up)`);
    }
  });
}

describe('schedule: differential check against robfig/cron ParseStandard', () => {
  for (const entry of table.entries) {
    const deviation = DEVIATIONS.find((d) => d.expression === entry.expression);
    const name = `${JSON.stringify(entry.expression)} [${entry.about}]`;
    if (deviation === undefined) {
      const robfig = answerOf(entry, 'v1');
      it(`${name}: ${robfig.ok ? 'same ticks as' : 'rejected like'} robfig v1.2.0`, () => {
        if (robfig.ok) assertTicks(entry.expression, robfig, { outlive: false });
        else assertRejected(entry.expression, `robfig v1.2.0 rejects it (${robfig.error ?? ''})`);
      });
      continue;
    }
    it(`${name}: deliberately ${deviation.hook} (${deviation.reason})`, () => {
      if (deviation.hook === 'rejects') {
        assert.ok(entry.v1.ok, 'stale deviation: robfig v1.2.0 rejects it too');
        assertRejected(entry.expression, 'it is listed as deliberately rejected');
      } else if (deviation.hook === 'v3') {
        const v3 = answerOf(entry, 'v3');
        if (v3.ok) assertTicks(entry.expression, v3, { outlive: false });
        else assertRejected(entry.expression, `robfig v3 rejects it (${v3.error ?? ''})`);
      } else {
        assertTicks(entry.expression, answerOf(entry, 'v1'), { outlive: true });
      }
    });
  }

  it('lists only deviations that name an expression of the table, once each', () => {
    const expressions = new Set(table.entries.map((e) => e.expression));
    const named = DEVIATIONS.map((d) => d.expression);
    assert.deepEqual(named.filter((e) => !expressions.has(e)), []);
    assert.equal(new Set(named).size, named.length);
  });

  it('reads a table covering every syntax feature (150+ expressions, both verdicts)', () => {
    assert.ok(table.entries.length >= 150, `only ${table.entries.length} expressions`);
    assert.ok(table.entries.filter((e) => e.v1.ok).length >= 50);
    assert.ok(table.entries.filter((e) => !e.v1.ok).length >= 50);
    assert.ok(starts.every((s) => Number.isFinite(s)) && starts.length >= 3);
  });
});
