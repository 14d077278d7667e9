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
