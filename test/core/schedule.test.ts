import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isAnchored, matchesWallTime, mostRecentTick, nextTick, parseSchedule } from '../../src/core/schedule.js';
import type { Schedule, WallTime } from '../../src/core/schedule.js';
import { BruteForceClock, bruteForceTicks } from '../support/brute-force-ticks.js';
import type { WallMatcher } from '../support/brute-force-ticks.js';
import { cronMatcher, cronModelArbitrary, renderCron } from '../support/cron-model.js';
import { propertyRuns } from '../support/property-runs.js';
import { checkConsecutiveTicks } from '../support/tick-checks.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const t = (iso: string): number => Date.parse(iso);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function parsed(expression: string, timeZone = 'UTC'): Schedule {
  const result = parseSchedule(expression, { timeZone });
  if (!result.ok) throw new Error(`${expression}: ${result.error}`);
  return result.schedule;
}

/** The first `count` ticks after an instant, by repeated nextTick. */
function ticksAfter(schedule: Schedule, after: number, count: number): (string | null)[] {
  const found: (string | null)[] = [];
  let at: number | null = after;
  for (let i = 0; i < count && at !== null; i++) {
    at = nextTick(schedule, { after: at, anchor: after });
    found.push(iso(at));
  }
  return found;
}

describe('parseSchedule', () => {
  describe('accepts robfig ParseStandard syntax, with its meaning', () => {
    // Each row: the first ticks after 2024-04-01T00:00Z (a Monday), in UTC.
    const cases: { expression: string; ticks: string[] }[] = [
      { expression: '0 2 * * *', ticks: ['2024-04-01T02:00:00.000Z', '2024-04-02T02:00:00.000Z'] },
      { expression: '*/20 * * * *', ticks: ['2024-04-01T00:20:00.000Z', '2024-04-01T00:40:00.000Z', '2024-04-01T01:00:00.000Z'] },
      { expression: '5/20 * * * *', ticks: ['2024-04-01T00:05:00.000Z', '2024-04-01T00:25:00.000Z', '2024-04-01T00:45:00.000Z'] },
      { expression: '10-20/5 3 * * *', ticks: ['2024-04-01T03:10:00.000Z', '2024-04-01T03:15:00.000Z', '2024-04-01T03:20:00.000Z', '2024-04-02T03:10:00.000Z'] },
      { expression: '0 0 1,,15 * *', ticks: ['2024-04-15T00:00:00.000Z', '2024-05-01T00:00:00.000Z'] },
      { expression: '  0\t2  * * *  ', ticks: ['2024-04-01T02:00:00.000Z'] },
      { expression: '0 0 * jan-MAR,Jul *', ticks: ['2024-07-01T00:00:00.000Z'] },
      { expression: '0 0 * * SUN', ticks: ['2024-04-07T00:00:00.000Z', '2024-04-14T00:00:00.000Z'] },
      // Go's strings.ToLower maps U+0130 (capital dotted I) to a plain "i", so robfig reads "FRİ" as Friday.
      { expression: '0 0 * * FR\u0130', ticks: ['2024-04-05T00:00:00.000Z'] },
      { expression: '0 0 * * 0', ticks: ['2024-04-07T00:00:00.000Z'] },
      { expression: '0 0 ? * 6', ticks: ['2024-04-06T00:00:00.000Z'] },
      { expression: '+5 0 * * *', ticks: ['2024-04-01T00:05:00.000Z'] },
      { expression: '07 01 * * *', ticks: ['2024-04-01T01:07:00.000Z'] },
      // day-of-month and day-of-week: a field starting with * or ? (no step above 1) lets the other decide…
      { expression: '0 0 * * 3', ticks: ['2024-04-03T00:00:00.000Z', '2024-04-10T00:00:00.000Z'] },
      { expression: '0 0 13 * ?', ticks: ['2024-04-13T00:00:00.000Z', '2024-05-13T00:00:00.000Z'] },
      { expression: '0 0 */1 * 3', ticks: ['2024-04-03T00:00:00.000Z', '2024-04-10T00:00:00.000Z'] },
      { expression: '0 0 *,13 * 3', ticks: ['2024-04-03T00:00:00.000Z', '2024-04-10T00:00:00.000Z'] },
      // …otherwise either one fires (13 April 2024 is a Saturday; Wednesdays are 3, 10, 17…).
      { expression: '0 0 13 * 3', ticks: ['2024-04-03T00:00:00.000Z', '2024-04-10T00:00:00.000Z', '2024-04-13T00:00:00.000Z', '2024-04-17T00:00:00.000Z'] },
      // "*/10" keeps the star bit (robfig v1.2.0, as TiDB Operator): days 1, 11, 21, 31 that are Wednesdays.
      { expression: '0 0 */10 * 3', ticks: ['2024-05-01T00:00:00.000Z', '2024-07-31T00:00:00.000Z', '2024-08-21T00:00:00.000Z', '2024-09-11T00:00:00.000Z'] },
      { expression: '0 0 1-31 * 3', ticks: ['2024-04-02T00:00:00.000Z', '2024-04-03T00:00:00.000Z'] },
      { expression: '@yearly', ticks: ['2025-01-01T00:00:00.000Z'] },
      { expression: '@annually', ticks: ['2025-01-01T00:00:00.000Z'] },
      { expression: '@monthly', ticks: ['2024-05-01T00:00:00.000Z'] },
      { expression: '@weekly', ticks: ['2024-04-07T00:00:00.000Z', '2024-04-14T00:00:00.000Z'] },
      { expression: '@daily', ticks: ['2024-04-02T00:00:00.000Z'] },
      { expression: '@midnight', ticks: ['2024-04-02T00:00:00.000Z'] },
      { expression: '@hourly', ticks: ['2024-04-01T01:00:00.000Z'] },
      { expression: '0 0 29 2 *', ticks: ['2028-02-29T00:00:00.000Z'] },
      { expression: '0 0 29,30 2 *', ticks: ['2028-02-29T00:00:00.000Z'] }, // one day that February has is enough
      { expression: '*/9223372036854775807 0 * * *', ticks: ['2024-04-02T00:00:00.000Z'] }, // Go's largest int: minute 0 only
      { expression: '0 0 30 2 *', ticks: [] }, // parses, never fires
      { expression: '0 0 31 4,6,9,11 *', ticks: [] },
    ];
    for (const { expression, ticks } of cases) {
      it(`${JSON.stringify(expression)} → ${ticks[0] ?? 'never'}`, () => {
        const schedule = parsed(expression);
        const count = Math.max(ticks.length, 1);
        assert.deepEqual(ticksAfter(schedule, t('2024-04-01T00:00:00Z'), count), ticks.length === 0 ? [null] : ticks);
      });
    }

    it('29 February is found however far away (2096 → 2104, past robfig\'s five-year limit)', () => {
      assert.equal(iso(nextTick(parsed('0 0 29 2 *'), { after: t('2096-03-01T00:00:00Z'), anchor: 0 })), '2104-02-29T00:00:00.000Z');
      assert.equal(iso(mostRecentTick(parsed('0 0 29 2 *'), { after: 0, atOrBefore: t('2104-02-28T00:00:00Z') })), '2096-02-29T00:00:00.000Z');
    });

    it('a day that must also be a weekday is found however far away (a Sunday 29 February: 2088 → 2128)', () => {
      // "*/7" keeps the star bit, so both day fields must match: 29 February that is a Sunday.
      const sundayLeapDay = parsed('0 0 29 2 */7');
      assert.equal(iso(nextTick(sundayLeapDay, { after: t('2060-03-01T00:00:00Z'), anchor: 0 })), '2088-02-29T00:00:00.000Z');
      assert.equal(iso(nextTick(sundayLeapDay, { after: t('2088-03-01T00:00:00Z'), anchor: 0 })), '2128-02-29T00:00:00.000Z');
      assert.equal(iso(mostRecentTick(sundayLeapDay, { after: 0, atOrBefore: t('2128-02-28T00:00:00Z') })), '2088-02-29T00:00:00.000Z');
      assert.equal(iso(mostRecentTick(sundayLeapDay, { after: 0, atOrBefore: t('2128-02-29T00:00:00Z') })), '2128-02-29T00:00:00.000Z');
      // 1 January that is a Sunday: 2023, then 2034.
      assert.equal(iso(nextTick(parsed('0 0 1 1 */7'), { after: t('2023-01-02T00:00:00Z'), anchor: 0 })), '2034-01-01T00:00:00.000Z');
    });
  });

  describe('rejects what robfig rejects, with a message that names the problem and what is accepted', () => {
    const cases: { expression: string; says: string[] }[] = [
      { expression: '', says: ['empty', '5 fields', '@daily', '@every'] },
      { expression: '   ', says: ['has 0 fields', 'minute hour day-of-month month day-of-week'] },
      { expression: '* * *', says: ['"* * *" has 3 fields; write a cron of 5 fields'] },
      { expression: '0 0 * * * *', says: ['has 6 fields', 'seconds or year field is not supported'] },
      { expression: '0 2 * * * TZ=UTC', says: ['has 6 fields'] }, // a zone written last is not a zone prefix
      { expression: '0 0 L * *', says: ['day-of-month field "L"', 'L, W and # are not supported', '1-31'] },
      { expression: '0 0 15W * *', says: ['day-of-month field "15W"', 'L, W and # are not supported'] },
      { expression: '0 0 * * 5L', says: ['day-of-week field "5L"', 'not supported'] },
      { expression: '0 0 * * MON#2', says: ['day-of-week field "MON#2"', 'not supported'] },
      { expression: 'H 0 * * *', says: ['minute field "H"', "H (hashed values) needs the schedule's namespace and name"] },
      { expression: '@daily-random', says: ['"@daily-random": minute field "H"', 'needs the schedule\'s namespace and name'] },
      { expression: '60 * * * *', says: ['minute field "60"', '60 is above 59', 'use 0-59'] },
      { expression: '0 24 * * *', says: ['hour field "24"', 'above 23', 'use 0-23'] },
      { expression: '0 0 0 * *', says: ['day-of-month field "0"', '0 is below 1', 'use 1-31'] },
      { expression: '0 0 32 * *', says: ['day-of-month field "32"', 'above 31'] },
      { expression: '0 0 * 13 *', says: ['month field "13"', 'use 1-12 or JAN-DEC'] },
      { expression: '0 0 * * 7', says: ['day-of-week field "7"', '7 is above 6', '0 = Sunday; 7 is not accepted'] },
      { expression: '0 0 * * 1-7', says: ['day-of-week field "1-7"', '7 is above 6'] },
      { expression: '0 0 * * SUNDAY', says: ['day-of-week field "SUNDAY"', 'is not a number', 'SUN-SAT'] },
      { expression: '0 0 * JANUARY *', says: ['month field "JANUARY"', 'JAN-DEC'] },
      { expression: '0 0 * * THURS', says: ['day-of-week field "THURS"', '"THURS" is not a number'] }, // not a hashed value
      { expression: '1-x * * * *', says: ['minute field "1-x"', '"x" is not a number'] },
      { expression: '1- * * * *', says: ['minute field "1-"', 'a value is missing'] },
      { expression: '0 0 * * sat-sun', says: ['range 6-0 runs backwards'] },
      { expression: '5-1 * * * *', says: ['minute field "5-1"', 'range 5-1 runs backwards'] },
      { expression: '*/0 * * * *', says: ['minute field "*/0"', 'step after "/" must be a whole number of at least 1'] },
      { expression: '*/-5 * * * *', says: ['step after "/"', '"-5"'] },
      { expression: '*/x * * * *', says: ['step after "/"'] },
      { expression: '*/x5 * * * *', says: ['step after "/" must be a whole number of at least 1, not "x5"'] },
      { expression: '*/5x * * * *', says: ['step after "/" must be a whole number of at least 1, not "5x"'] },
      // robfig reads numbers with Go's strconv.Atoi, which fails above 2^63 − 1 (a step beyond the range is fine below that).
      { expression: '*/9223372036854775808 * * * *', says: ['minute field "*/9223372036854775808"', 'the step after "/": "9223372036854775808" is too large'] },
      { expression: '0 0 * * 99999999999999999999', says: ['day-of-week field "99999999999999999999"', 'too large', 'use 0-6'] },
      { expression: '1/2/3 * * * *', says: ['more than one "/"'] },
      { expression: '1-2-3 * * * *', says: ['more than one "-"'] },
      { expression: '-5 * * * *', says: ['minute field "-5"', 'a value is missing'] },
      { expression: '1.5 * * * *', says: ['"1.5" is not a number'] },
      { expression: '*-5 * * * *', says: ['"*" cannot start a range'] },
      { expression: '0 0 , * *', says: ['day-of-month field ","', 'has no value'] },
      { expression: 'TZ=Europe/Berlin 0 2 * * *', says: ['starts with a time zone', 'timeZone field'] },
      { expression: 'CRON_TZ=UTC 0 2 * * *', says: ['starts with a time zone'] },
      { expression: '@reboot', says: ['"@reboot" is not a known macro', '@yearly', '@midnight', '@every <duration>'] },
      { expression: '@Daily', says: ['"@Daily" is not a known macro', 'lower case'] },
      { expression: '@daily ', says: ['"@daily " is not a known macro'] },
      { expression: '@every', says: ['"@every" is not a known macro'] },
      { expression: '@every ', says: ['"@every "', 'empty'] },
      { expression: '@every 1d', says: ['unknown unit "d"', 'ns, us, ms, s, m or h'] },
      { expression: '@every 90', says: ['"@every 90"', 'not a duration'] },
      { expression: '@every 0s', says: ['duration must be positive'] },
      { expression: '@every -1h', says: ['duration must be positive'] },
      // Go truncates each term to whole nanoseconds, so these are 0 (robfig runs them every second; found by tools/robfig-reference/fuzz.ts).
      { expression: '@every 00.001ns', says: ['duration must be positive (Go reads "00.001ns" as 0: below a nanosecond)'] },
      { expression: '@every 0.0000000001s', says: ['(Go reads "0.0000000001s" as 0: below a nanosecond)'] },
      { expression: `${'1,'.repeat(5000)}x * * * *`, says: ['1,1,1,', '...": minute field "x": "x" is not a number'] },
    ];
    for (const { expression, says } of cases) {
      it(`${JSON.stringify(expression.slice(0, 40))}`, () => {
        const result = parseSchedule(expression);
        assert.equal(result.ok, false);
        if (result.ok) return;
        for (const phrase of says) assert.ok(result.error.includes(phrase), `${JSON.stringify(result.error)} should say ${JSON.stringify(phrase)}`);
        assert.ok(result.error.length < 600, 'the message stays short');
      });
    }
  });

  it('shows a rejected expression of up to 64 characters in full, a longer one shortened', () => {
    const full = `${'1,'.repeat(27)}99 * * * *`; // 64 characters
    const long = `${'1,'.repeat(27)}199 * * * *`; // 65 characters
    const fullResult = parseSchedule(full);
    const longResult = parseSchedule(long);
    assert.ok(!fullResult.ok && fullResult.error.startsWith(`${JSON.stringify(full)}: minute field "99"`), JSON.stringify(fullResult));
    assert.ok(!longResult.ok && longResult.error.startsWith(`${JSON.stringify(`${long.slice(0, 61)}...`)}: minute field "199"`), JSON.stringify(longResult));
  });

  describe('time zones', () => {
    const cases: { timeZone: string; ok: boolean; says?: string }[] = [
      { timeZone: 'UTC', ok: true },
      { timeZone: 'Etc/UTC', ok: true },
      { timeZone: 'Europe/Berlin', ok: true },
      { timeZone: 'Asia/Kolkata', ok: true },
      { timeZone: 'america/new_york', ok: true },
      { timeZone: 'Mars/Olympus_Mons', ok: false, says: 'time zone "Mars/Olympus_Mons" is not a known IANA time zone name; use an IANA time zone name such as "UTC"' },
      { timeZone: '', ok: false, says: 'time zone "" is not a known IANA time zone name' },
      { timeZone: ' UTC', ok: false, says: 'time zone " UTC" is not a known' },
      { timeZone: '+01:00', ok: false, says: 'is an offset, not a zone name' },
      { timeZone: '-0500', ok: false, says: 'is an offset' },
      { timeZone: 'America/Port-au-Prince', ok: true },
      { timeZone: 'Etc/GMT-1', ok: true },
      { timeZone: 'Etc/GMT+10', ok: true },
    ];
    for (const { timeZone, ok, says } of cases) {
      it(`${JSON.stringify(timeZone)} is ${ok ? 'accepted' : 'rejected'}`, () => {
        const result = parseSchedule('0 2 * * *', { timeZone });
        assert.equal(result.ok, ok);
        if (!result.ok && says !== undefined) assert.ok(result.error.includes(says), result.error);
        if (result.ok) assert.equal(result.schedule.timeZone, timeZone);
      });
    }

    it('defaults to UTC', () => {
      const result = parseSchedule('0 2 * * *');
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.schedule.timeZone, 'UTC');
      assert.equal(iso(nextTick(result.schedule, { after: t('2024-07-01T00:00:00Z'), anchor: 0 })), '2024-07-01T02:00:00.000Z');
    });

    it('rejects an expression or a zone that is not a string, with a message, instead of throwing', () => {
      const cases: { expression: unknown; timeZone: unknown }[] = [
        { expression: 42, timeZone: 'UTC' },
        { expression: '0 2 * * *', timeZone: 1 },
        { expression: null, timeZone: null },
      ];
      for (const c of cases) {
        const result = parseSchedule(c.expression as string, { timeZone: c.timeZone as string });
        assert.deepEqual(result, { ok: false, error: 'the schedule and its time zone must be strings' }, JSON.stringify(c));
      }
    });

    it('names both problems when the expression and the zone are bad', () => {
      const result = parseSchedule('61 * * * *', { timeZone: 'Nowhere/Land' });
      assert.ok(!result.ok && result.error.includes('61 is above 59') && result.error.includes('"Nowhere/Land"'), JSON.stringify(result));
    });
  });

  it('never throws, whatever the string (fast-check)', () => {
    const token = fc.constantFrom('*', '?', '/', '-', ',', ' ', '\t', '0', '5', '59', '60', '7', 'L', 'W', '#', 'H', 'jan', 'MON', '@', '@every ', '@daily', 'TZ=', '1h', '.', '+', 'µs', '\u00a0', '\u0085', '\ud800');
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.array(token, { maxLength: 14 }).map((ts) => ts.join('')));
    fc.assert(
      fc.property(text, fc.constantFrom('UTC', 'Europe/London', 'No/Where', '+01:00', ''), (expression, timeZone) => {
        const result = parseSchedule(expression, { timeZone });
        if (!result.ok) return result.error.length > 0;
        nextTick(result.schedule, { after: t('2024-01-01T00:00:00Z'), anchor: 0 });
        mostRecentTick(result.schedule, { after: 0, atOrBefore: t('2024-01-01T00:00:00Z') });
        return true;
      }),
      propertyRuns({ seed: 42, numRuns: 2000 }),
    );
  });
});

describe('mostRecentTick and nextTick', () => {
  const every10 = parsed('*/10 * * * *');
  const cases: { name: string; schedule: Schedule; after: number; atOrBefore: number; want: string | null }[] = [
    { name: 'newest tick of many in the window (no backfill)', schedule: every10, after: t('2024-05-01T10:00:00Z'), atOrBefore: t('2024-05-01T10:37:00Z'), want: '2024-05-01T10:30:00.000Z' },
    { name: 'a tick equal to atOrBefore is included', schedule: every10, after: t('2024-05-01T10:00:00Z'), atOrBefore: t('2024-05-01T10:10:00Z'), want: '2024-05-01T10:10:00.000Z' },
    { name: 'a tick equal to after is excluded', schedule: every10, after: t('2024-05-01T10:10:00Z'), atOrBefore: t('2024-05-01T10:19:59.999Z'), want: null },
    { name: 'a new schedule waits for its first tick', schedule: every10, after: t('2024-05-01T10:05:00Z'), atOrBefore: t('2024-05-01T10:09:59Z'), want: null },
    { name: 'a new schedule runs at its first tick', schedule: every10, after: t('2024-05-01T10:05:00Z'), atOrBefore: t('2024-05-01T10:10:00Z'), want: '2024-05-01T10:10:00.000Z' },
    { name: 'a watermark in the future means nothing runs', schedule: every10, after: t('2024-05-01T11:00:00Z'), atOrBefore: t('2024-05-01T10:37:00Z'), want: null },
    { name: 'an empty window has no tick', schedule: every10, after: t('2024-05-01T10:10:00Z'), atOrBefore: t('2024-05-01T10:10:00Z'), want: null },
    { name: 'a two-year gap gives the newest tick', schedule: parsed('* * * * *'), after: t('2022-05-01T10:00:00Z'), atOrBefore: t('2024-05-01T10:37:30Z'), want: '2024-05-01T10:37:00.000Z' },
    { name: 'weekdays at 10:30, 11:30, 12:30, asked on a Sunday', schedule: parsed('30 10,11,12 * * 1-5'), after: t('2024-04-01T00:00:00Z'), atOrBefore: t('2024-05-05T15:00:00Z'), want: '2024-05-03T12:30:00.000Z' },
    { name: '29 February, four years back', schedule: parsed('0 0 29 2 *'), after: t('2022-01-01T00:00:00Z'), atOrBefore: t('2027-01-01T00:00:00Z'), want: '2024-02-29T00:00:00.000Z' },
    { name: 'a schedule that never fires has no tick', schedule: parsed('0 0 30 2 *'), after: t('2000-01-01T00:00:00Z'), atOrBefore: t('2030-01-01T00:00:00Z'), want: null },
    { name: 'milliseconds in the bounds are honoured', schedule: every10, after: t('2024-05-01T10:09:59.999Z'), atOrBefore: t('2024-05-01T10:10:00.001Z'), want: '2024-05-01T10:10:00.000Z' },
    { name: 'NaN bounds give no tick', schedule: every10, after: Number.NaN, atOrBefore: t('2024-05-01T10:10:00Z'), want: null },
    { name: 'instants beyond the calendar (year 9999) give no tick', schedule: every10, after: 8.6e15, atOrBefore: 8.64e15, want: null },
    { name: 'an open lower bound finds the newest tick', schedule: every10, after: Number.NEGATIVE_INFINITY, atOrBefore: t('2024-05-01T10:15:00Z'), want: '2024-05-01T10:10:00.000Z' },
  ];
  for (const { name, schedule, after, atOrBefore, want } of cases) {
    it(`mostRecentTick: ${name}`, () => {
      assert.equal(iso(mostRecentTick(schedule, { after, atOrBefore })), want);
    });
  }

  const nextCases: { name: string; schedule: Schedule; after: number; want: string | null }[] = [
    { name: 'strictly after: a tick equal to after is skipped', schedule: every10, after: t('2024-05-01T10:10:00Z'), want: '2024-05-01T10:20:00.000Z' },
    { name: 'the next whole tick after a fraction of a minute', schedule: every10, after: t('2024-05-01T10:09:59.999Z'), want: '2024-05-01T10:10:00.000Z' },
    { name: 'across a year end', schedule: parsed('0 0 1 1 *'), after: t('2024-05-01T10:00:00Z'), want: '2025-01-01T00:00:00.000Z' },
    { name: 'never-firing schedule', schedule: parsed('0 0 31 2 *'), after: t('2024-05-01T10:00:00Z'), want: null },
    { name: 'no tick after the calendar ends', schedule: every10, after: 8.64e15, want: null },
  ];
  for (const { name, schedule, after, want } of nextCases) {
    it(`nextTick: ${name}`, () => {
      assert.equal(iso(nextTick(schedule, { after, anchor: 0 })), want);
    });
  }

  it('ticks in the years 1–99 are in those years (not 1901–1999), with their weekdays and zone offsets', () => {
    // 1 June 50 was a Wednesday (proleptic Gregorian, as Go's time); Berlin then kept local mean time, +00:53:28.
    assert.equal(iso(nextTick(parsed('0 0 * * 1'), { after: t('0050-06-01T00:00:00Z'), anchor: 0 })), '0050-06-06T00:00:00.000Z');
    assert.equal(iso(mostRecentTick(parsed('0 12 1 1 *'), { after: Number.NEGATIVE_INFINITY, atOrBefore: t('0050-06-01T00:00:00Z') })), '0050-01-01T12:00:00.000Z');
    assert.equal(iso(nextTick(parsed('0 2 * * *', 'Europe/Berlin'), { after: t('0050-06-01T00:00:00Z'), anchor: 0 })), '0050-06-01T01:06:32.000Z');
    assert.equal(iso(nextTick(parsed('0 0 1 1 *'), { after: t('0099-06-01T00:00:00Z'), anchor: 0 })), '0100-01-01T00:00:00.000Z');
  });

  it('accepts a look-alike schedule object and gives no tick for an invalid one', () => {
    const lookAlike: Schedule = { expression: '0 2 * * *', timeZone: 'Europe/London' };
    assert.equal(iso(nextTick(lookAlike, { after: t('2024-07-01T00:00:00Z'), anchor: 0 })), '2024-07-01T01:00:00.000Z');
    const invalid: Schedule = { expression: '0 2 * *', timeZone: 'UTC' };
    assert.equal(nextTick(invalid, { after: 0, anchor: 0 }), null);
    assert.equal(mostRecentTick(invalid, { after: 0, atOrBefore: t('2024-07-01T00:00:00Z') }), null);
    assert.equal(isAnchored(invalid), false);
    assert.equal(matchesWallTime(invalid, { year: 2024, month: 7, day: 1, hour: 2, minute: 0, weekday: 1 }), false);
  });
});

describe('isAnchored', () => {
  const cases: { expression: string; anchored: boolean }[] = [
    { expression: '@every 90m', anchored: true },
    { expression: '*/10 * * * *', anchored: false },
    { expression: '@daily', anchored: false },
  ];
  for (const { expression, anchored } of cases) {
    it(`${expression} ${anchored ? 'counts from an anchor' : 'follows the calendar'}`, () => {
      assert.equal(isAnchored(parsed(expression)), anchored);
    });
  }
});

describe('@every', () => {
  const cases: {
    name: string;
    expression: string;
    window?: { after: string; atOrBefore: string; want: string | null };
    next?: { anchor: string; after: string; want: string };
  }[] = [
    { name: 'ticks at after + k·d; the newest one', expression: '@every 90m', window: { after: '2024-05-01T10:00:00Z', atOrBefore: '2024-05-01T14:00:00Z', want: '2024-05-01T13:00:00.000Z' } },
    { name: 'the first tick is after + d, inclusive', expression: '@every 1h', window: { after: '2024-05-01T10:00:00Z', atOrBefore: '2024-05-01T11:00:00Z', want: '2024-05-01T11:00:00.000Z' } },
    { name: 'no tick before after + d', expression: '@every 1h', window: { after: '2024-05-01T10:00:00Z', atOrBefore: '2024-05-01T10:59:59.999Z', want: null } },
    { name: 'the anchor is truncated to whole seconds', expression: '@every 1m', window: { after: '2024-05-01T10:00:00.750Z', atOrBefore: '2024-05-01T10:02:30Z', want: '2024-05-01T10:02:00.000Z' } },
    { name: 'a duration is rounded down to whole seconds', expression: '@every 1.9s', window: { after: '2024-05-01T10:00:00Z', atOrBefore: '2024-05-01T10:00:02.5Z', want: '2024-05-01T10:00:02.000Z' } },
    { name: 'a duration under a second is one second', expression: '@every 10ms', window: { after: '2024-05-01T10:00:00Z', atOrBefore: '2024-05-01T10:00:00.999Z', want: null } },
    { name: 'compound durations', expression: '@every 1h30m', window: { after: '2024-05-01T10:00:00Z', atOrBefore: '2024-05-02T09:59:59Z', want: '2024-05-02T08:30:00.000Z' } },
    { name: 'next: the first tick after the anchor', expression: '@every 6h', next: { anchor: '2024-05-01T10:00:00Z', after: '2024-05-01T09:00:00Z', want: '2024-05-01T16:00:00.000Z' } },
    { name: 'next: strictly after', expression: '@every 6h', next: { anchor: '2024-05-01T10:00:00Z', after: '2024-05-01T16:00:00Z', want: '2024-05-01T22:00:00.000Z' } },
    { name: 'next: a week after the anchor, on the anchor\'s grid', expression: '@every 7m', next: { anchor: '2024-05-01T10:00:00.400Z', after: '2024-05-08T10:00:00Z', want: '2024-05-08T10:07:00.000Z' } },
  ];
  for (const { name, expression, window, next } of cases) {
    it(`${expression}: ${name}`, () => {
      const schedule = parsed(expression);
      if (window !== undefined) {
        assert.equal(iso(mostRecentTick(schedule, { after: t(window.after), atOrBefore: t(window.atOrBefore) })), window.want);
      }
      if (next !== undefined) assert.equal(iso(nextTick(schedule, { after: t(next.after), anchor: t(next.anchor) })), next.want);
    });
  }

  it('has no newest tick before an infinite upper bound, and none after an infinite anchor', () => {
    const schedule = parsed('@every 6h');
    assert.equal(mostRecentTick(schedule, { after: t('2024-05-01T10:00:00Z'), atOrBefore: Number.POSITIVE_INFINITY }), null);
    assert.equal(nextTick(schedule, { after: t('2024-05-01T10:00:00Z'), anchor: Number.NEGATIVE_INFINITY }), null);
  });

  it('ignores time zones', () => {
    const inUtc = parsed('@every 1h');
    const inNewYork = parsed('@every 1h', 'America/New_York');
    for (const after of [t('2024-03-10T06:30:00Z'), t('2024-11-03T05:30:00Z')]) {
      assert.equal(mostRecentTick(inNewYork, { after, atOrBefore: after + 3 * HOUR }), after + 3 * HOUR);
      assert.equal(mostRecentTick(inNewYork, { after, atOrBefore: after + 3 * HOUR }), mostRecentTick(inUtc, { after, atOrBefore: after + 3 * HOUR }));
    }
  });

  it('matches no wall time', () => {
    const wall: WallTime = { year: 2024, month: 5, day: 1, hour: 0, minute: 0, weekday: 3 };
    assert.equal(matchesWallTime(parsed('@every 1m'), wall), false);
    assert.equal(matchesWallTime(parsed('@daily'), wall), true);
  });
});

// Transitions of 2024 (from the zones' rules): New York 10 Mar 07:00Z, 3 Nov 06:00Z; London 31 Mar 01:00Z,
// 27 Oct 01:00Z; Lord Howe (30 minutes) 6 Apr 15:00Z back, 5 Oct 15:30Z forward; Chatham 6 Apr 14:00Z
// back, 28 Sep 14:00Z forward.
describe('DST policy, spelled out (module and brute-force reference agree)', () => {
  const cases: { name: string; zone: string; expression: string; after: string; ticks: string[] }[] = [
    { name: 'spring forward: 02:30 runs when the gap ends, 03:00 EDT', zone: 'America/New_York', expression: '30 2 * * *', after: '2024-03-09T12:00:00Z', ticks: ['2024-03-10T07:00:00.000Z', '2024-03-11T06:30:00.000Z'] },
    { name: 'spring forward: 02:00…02:50 and 03:00 are one run', zone: 'America/New_York', expression: '*/10 * * * *', after: '2024-03-10T06:40:00Z', ticks: ['2024-03-10T06:50:00.000Z', '2024-03-10T07:00:00.000Z', '2024-03-10T07:10:00.000Z'] },
    { name: 'fall back: 01:30 runs once, at 01:30 EDT', zone: 'America/New_York', expression: '30 1 * * *', after: '2024-11-02T12:00:00Z', ticks: ['2024-11-03T05:30:00.000Z', '2024-11-04T06:30:00.000Z'] },
    { name: 'fall back: the repeated hour does not run again', zone: 'America/New_York', expression: '0 * * * *', after: '2024-11-03T04:30:00Z', ticks: ['2024-11-03T05:00:00.000Z', '2024-11-03T07:00:00.000Z'] },
    { name: 'fall back: every 10 minutes, no double run', zone: 'America/New_York', expression: '*/10 * * * *', after: '2024-11-03T05:45:00Z', ticks: ['2024-11-03T05:50:00.000Z', '2024-11-03T07:00:00.000Z', '2024-11-03T07:10:00.000Z'] },
    { name: 'London spring: 01:30 runs at 02:00 BST', zone: 'Europe/London', expression: '30 1 * * *', after: '2024-03-30T12:00:00Z', ticks: ['2024-03-31T01:00:00.000Z', '2024-04-01T00:30:00.000Z'] },
    { name: 'London fall: 01:30 runs at 01:30 BST only', zone: 'Europe/London', expression: '30 1 * * *', after: '2024-10-26T12:00:00Z', ticks: ['2024-10-27T00:30:00.000Z', '2024-10-28T01:30:00.000Z'] },
    { name: 'Lord Howe spring (30 minutes): 02:00…02:20 join 02:30', zone: 'Australia/Lord_Howe', expression: '*/10 * * * *', after: '2024-10-05T15:15:00Z', ticks: ['2024-10-05T15:20:00.000Z', '2024-10-05T15:30:00.000Z', '2024-10-05T15:40:00.000Z'] },
    { name: 'Lord Howe fall: 01:30 runs at its first occurrence', zone: 'Australia/Lord_Howe', expression: '30 1 * * *', after: '2024-04-06T12:00:00Z', ticks: ['2024-04-06T14:30:00.000Z', '2024-04-07T15:00:00.000Z'] },
    { name: 'Chatham spring (+12:45 → +13:45): 03:00 runs at 03:45', zone: 'Pacific/Chatham', expression: '0 * * * *', after: '2024-09-28T13:00:00Z', ticks: ['2024-09-28T13:15:00.000Z', '2024-09-28T14:00:00.000Z', '2024-09-28T14:15:00.000Z'] },
    { name: 'Chatham fall: 03:00 runs once', zone: 'Pacific/Chatham', expression: '0 3 * * *', after: '2024-04-06T00:00:00Z', ticks: ['2024-04-06T13:15:00.000Z', '2024-04-07T14:15:00.000Z'] },
    { name: 'Kolkata (+05:30, no DST)', zone: 'Asia/Kolkata', expression: '0 0 * * 0', after: '2024-04-01T00:00:00Z', ticks: ['2024-04-06T18:30:00.000Z', '2024-04-13T18:30:00.000Z'] },
  ];
  for (const { name, zone, expression, after, ticks } of cases) {
    it(`${zone} ${expression}: ${name}`, () => {
      const schedule = parsed(expression, zone);
      assert.deepEqual(ticksAfter(schedule, t(after), ticks.length), ticks);
      const last = t(ticks[ticks.length - 1] as string);
      const reference = bruteForceTicks((wall) => matchesWallTime(schedule, wall), { timeZone: zone, after: t(after), atOrBefore: last });
      assert.deepEqual(reference.map(iso), ticks);
      assert.equal(iso(mostRecentTick(schedule, { after: t(after), atOrBefore: last })), ticks[ticks.length - 1]);
    });
  }
});

describe('DST policy, asked in the middle of a transition', () => {
  const cases: { name: string; zone: string; expression: string; after: string; atOrBefore: string; want: string | null; next: string }[] = [
    { name: 'during the repeated hour (01:25 EST), the newest tick is 01:50 EDT', zone: 'America/New_York', expression: '*/10 * * * *', after: '2024-11-03T04:00:00Z', atOrBefore: '2024-11-03T06:25:00Z', want: '2024-11-03T05:50:00.000Z', next: '2024-11-03T07:00:00.000Z' },
    { name: 'a watermark at 01:50 EDT sees nothing new during the repeated hour', zone: 'America/New_York', expression: '*/10 * * * *', after: '2024-11-03T05:50:00Z', atOrBefore: '2024-11-03T06:55:00Z', want: null, next: '2024-11-03T07:00:00.000Z' },
    { name: 'a daily 01:30 already ran at 01:30 EDT', zone: 'America/New_York', expression: '30 1 * * *', after: '2024-11-03T05:30:00Z', atOrBefore: '2024-11-03T06:45:00Z', want: null, next: '2024-11-04T06:30:00.000Z' },
    { name: 'Lord Howe: during the repeated half hour (01:45 +10:30)', zone: 'Australia/Lord_Howe', expression: '*/10 * * * *', after: '2024-04-06T14:00:00Z', atOrBefore: '2024-04-06T15:15:00Z', want: '2024-04-06T14:50:00.000Z', next: '2024-04-06T15:30:00.000Z' },
  ];
  for (const { name, zone, expression, after, atOrBefore, want, next } of cases) {
    it(`${zone} ${expression}: ${name}`, () => {
      const schedule = parsed(expression, zone);
      assert.equal(iso(mostRecentTick(schedule, { after: t(after), atOrBefore: t(atOrBefore) })), want);
      assert.equal(iso(nextTick(schedule, { after: t(atOrBefore), anchor: 0 })), next);
    });
  }
});

const DST_ZONES = ['UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham'];
/** Issue 9's schedules, their meaning written by hand, and how far around a transition to look. */
const DST_SCHEDULES: { expression: string; matches: WallMatcher; days: number }[] = [
  { expression: '30 1 * * *', matches: (w) => w.minute === 30 && w.hour === 1, days: 2 },
  { expression: '30 2 * * *', matches: (w) => w.minute === 30 && w.hour === 2, days: 2 },
  { expression: '0 * * * *', matches: (w) => w.minute === 0, days: 2 },
  { expression: '*/10 * * * *', matches: (w) => w.minute % 10 === 0, days: 2 },
  { expression: '0 0 * * 0', matches: (w) => w.minute === 0 && w.hour === 0 && w.weekday === 0, days: 8 },
  { expression: '0 3 1 * *', matches: (w) => w.minute === 0 && w.hour === 3 && w.day === 1, days: 32 },
];

const clocks = new Map<string, BruteForceClock>();
/** A zone's reference clock for 2024–2026, built once. */
function clockOf(zone: string): BruteForceClock {
  let clock = clocks.get(zone);
  if (clock === undefined) {
    clock = new BruteForceClock(zone, { from: Date.UTC(2023, 11, 1), to: Date.UTC(2027, 1, 1) });
    clocks.set(zone, clock);
  }
  return clock;
}

describe('DST table: zones × schedules around every transition of 2024–2026, against the brute-force reference', () => {
  for (const zone of DST_ZONES) {
    for (const { expression, matches, days } of DST_SCHEDULES) {
      it(`${zone} ${expression}`, () => {
        const clock = clockOf(zone);
        const schedule = parsed(expression, zone);
        const transitions = clock.transitions(Date.UTC(2024, 0, 3), Date.UTC(2026, 11, 29));
        const windows = transitions.length > 0 ? transitions : [Date.UTC(2024, 2, 10), Date.UTC(2025, 9, 26)];
        let checks = 0;
        for (const around of windows) {
          const ticks = clock.ticks(matches, { after: around - days * DAY, atOrBefore: around + days * DAY });
          const result = checkConsecutiveTicks(ticks, {
            mostRecent: (after, atOrBefore) => mostRecentTick(schedule, { after, atOrBefore }),
            next: (after) => nextTick(schedule, { after, anchor: after }),
          });
          assert.deepEqual(result.mismatches, [], `around ${iso(around)}`);
          checks += result.checks;
        }
        assert.ok(checks > 0, 'the windows hold consecutive ticks');
      });
    }
  }
});

describe('random schedules and instants against the brute-force reference (fast-check)', () => {
  const zones = fc.constantFrom(...DST_ZONES);
  // Half the instants sit within 36 hours of a DST transition of 2024–2026, the other half anywhere in 1990–2040.
  const instant = (zone: string): fc.Arbitrary<number> => {
    const transitions = clockOf(zone).transitions(Date.UTC(2024, 0, 3), Date.UTC(2026, 11, 29));
    const anywhere = fc.integer({ min: Date.UTC(1990, 0, 1) / MINUTE, max: Date.UTC(2040, 0, 1) / MINUTE }).map((m) => m * MINUTE);
    if (transitions.length === 0) return anywhere;
    const near = fc.tuple(fc.constantFrom(...transitions), fc.integer({ min: -36 * 60, max: 36 * 60 })).map(([tr, m]) => tr + m * MINUTE);
    return fc.oneof(anywhere, near);
  };
  const HORIZON = 4 * DAY;
  const sample = zones.chain((zone) =>
    fc.record({
      zone: fc.constant(zone),
      model: cronModelArbitrary(),
      now: fc.tuple(instant(zone), fc.integer({ min: 0, max: 59_999 })).map(([m, ms]) => m + ms),
      gap: fc.integer({ min: 1, max: 6 * DAY }),
    }),
  );

  const referenceRuns = propertyRuns({ seed: 42, numRuns: 300 });
  it(`mostRecentTick and nextTick equal the reference (seed ${referenceRuns.seed}, ${referenceRuns.numRuns} runs)`, () => {
    fc.assert(
      fc.property(sample, ({ zone, model, now, gap }) => {
        const expression = renderCron(model);
        const schedule = parsed(expression, zone);
        const matches = cronMatcher(model);
        const ticks = bruteForceTicks(matches, { timeZone: zone, after: now - gap, atOrBefore: now + HORIZON });
        const recent = ticks.filter((tick) => tick <= now).pop() ?? null;
        assert.equal(iso(mostRecentTick(schedule, { after: now - gap, atOrBefore: now })), iso(recent), `${expression} in ${zone}`);
        const next = ticks.find((tick) => tick > now);
        const got = nextTick(schedule, { after: now, anchor: 0 });
        if (next !== undefined) assert.equal(iso(got), iso(next), `${expression} in ${zone}`);
        else assert.ok(got === null || got > now + HORIZON, `${expression} in ${zone}: ${iso(got)} is not in the reference`);
      }),
      referenceRuns,
    );
  });
});
