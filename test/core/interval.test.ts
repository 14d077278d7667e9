/** The schedule's expected interval around now, for "no successful Backup within N× the interval" alerts. */

import assert from 'node:assert/strict';

import { expectedIntervalMs } from '../../src/core/interval.js';
import { parseSchedule } from '../../src/core/schedule.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const cases: Array<{ expression: string; now: string; anchor: string; hours: number | null; why: string }> = [
  { expression: '*/10 * * * *', now: '2024-05-01T04:05:00Z', anchor: '2024-05-01T04:00:00Z', hours: 1 / 6, why: 'a regular cron: its period' },
  { expression: '0 2 * * *', now: '2024-05-01T02:00:00Z', anchor: '2024-05-01T02:00:00Z', hours: 24, why: 'now exactly on a tick' },
  { expression: '0 2 * * 1-5', now: '2024-05-05T12:00:00Z', anchor: '2024-05-03T02:00:00Z', hours: 72, why: 'weekdays, on Sunday: the weekend gap contains now' },
  { expression: '0 2 * * 1-5', now: '2024-05-06T03:00:00Z', anchor: '2024-05-06T02:00:00Z', hours: 72, why: 'weekdays, Monday after the tick: the weekend gap was the one before' },
  { expression: '0 2 * * 1-5', now: '2024-05-07T03:00:00Z', anchor: '2024-05-07T02:00:00Z', hours: 24, why: 'weekdays, Tuesday: back to a day' },
  { expression: '@yearly', now: '2024-05-01T13:00:00Z', anchor: '2024-01-01T00:00:00Z', hours: 366 * 24, why: 'a leap year is the longer gap' },
  { expression: '@every 6h', now: '2024-05-01T13:00:00Z', anchor: '2024-05-01T00:00:30Z', hours: 6, why: '@every: its duration, whatever the anchor' },
  { expression: '@every 90m', now: '2024-05-01T13:00:00Z', anchor: '2024-05-01T13:00:00Z', hours: 1.5, why: '@every anchored at now (no tick yet)' },
  { expression: '0 0 30 2 *', now: '2024-05-01T13:00:00Z', anchor: '2024-01-01T00:00:00Z', hours: null, why: 'a schedule that never fires has none' },
  // A long gap is found however many short steps the schedule takes elsewhere.
  { expression: '0 * * * 1-5', now: '2024-05-05T12:00:00Z', anchor: '2024-05-03T23:00:00Z', hours: 49, why: 'hourly on weekdays, on Sunday: the weekend gap contains now' },
  { expression: '0 * * * 1-5', now: '2024-05-04T12:00:00Z', anchor: '2024-05-04T12:00:00Z', hours: 49, why: 'hourly on weekdays, created on Saturday (anchored at now): the weekend gap, not an hour' },
  { expression: '0 * * * 1-5', now: '2024-05-06T00:30:00Z', anchor: '2024-05-06T00:00:00Z', hours: 49, why: "hourly on weekdays, after Monday's first tick: the weekend gap was the one before" },
  { expression: '0 * * * 1-5', now: '2024-05-06T01:30:00Z', anchor: '2024-05-06T01:00:00Z', hours: 1, why: "hourly on weekdays, after Monday's second tick: back to an hour" },
  { expression: '*/5 * 1 * *', now: '2024-05-15T12:00:00Z', anchor: '2024-05-01T23:55:00Z', hours: 30 * 24 + 1 / 12, why: 'every 5 minutes on the 1st, mid-month: the month gap contains now' },
  { expression: '*/5 * 1 * *', now: '2024-05-01T00:02:00Z', anchor: '2024-05-01T00:00:00Z', hours: 29 * 24 + 1 / 12, why: "every 5 minutes on the 1st, after the 1st's first tick: April's gap was the one before" },
  { expression: '*/5 * 1 * *', now: '2024-05-01T00:12:00Z', anchor: '2024-05-01T00:10:00Z', hours: 1 / 12, why: "every 5 minutes on the 1st, after the 1st's third tick: five minutes" },
  // At the ends of the calendar (ticks run from 0001-01-03 to 9999-12-29).
  { expression: '0 2 * * *', now: '0001-01-02T12:00:00Z', anchor: '0001-01-02T12:00:00Z', hours: 24, why: 'no tick yet: the step after the first' },
  { expression: '0 2 * * *', now: '0001-01-03T12:00:00Z', anchor: '0001-01-03T02:00:00Z', hours: 24, why: 'one tick so far: the gap that contains now' },
  { expression: '0 2 * * 1', now: '0001-01-09T12:00:00Z', anchor: '0001-01-08T02:00:00Z', hours: 7 * 24, why: 'one tick so far, weekly: the gap that contains now' },
  { expression: '0 2 * * *', now: '9999-12-27T12:00:00Z', anchor: '9999-12-27T02:00:00Z', hours: 24, why: 'one tick left: the gap that contains now' },
  { expression: '0 2 * * *', now: '9999-12-28T12:00:00Z', anchor: '9999-12-28T02:00:00Z', hours: null, why: 'no tick left: none' },
];

describe('expectedIntervalMs (core/interval)', () => {
  for (const c of cases) {
    it(`${c.expression} at ${c.now}: ${c.why}`, () => {
      const parsed = parseSchedule(c.expression);
      assert.ok(parsed.ok);
      const ms = expectedIntervalMs(parsed.schedule, { now: Date.parse(c.now), anchor: Date.parse(c.anchor) });
      assert.equal(ms, c.hours === null ? null : Math.round(c.hours * HOUR));
    });
  }

  it('is at least the period for a daily schedule at every hour of a week', () => {
    const parsed = parseSchedule('30 1 * * *');
    assert.ok(parsed.ok);
    for (let t = Date.parse('2024-05-01T00:00:00Z'); t < Date.parse('2024-05-08T00:00:00Z'); t += HOUR) {
      assert.equal(expectedIntervalMs(parsed.schedule, { now: t, anchor: t - DAY }), DAY, new Date(t).toISOString());
    }
  });
});
