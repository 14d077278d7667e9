import assert from 'node:assert/strict';

import { calendarFields, isoWeekOf } from '../../src/core/calendar.js';

describe('calendar fields for retention buckets', () => {
  // ISO 8601 weeks as Go's time.ISOWeek reports them (week 1 holds the year's first Thursday).
  const weeks: ReadonlyArray<readonly [string, number, number]> = [
    ['2024-01-01', 2024, 1],
    ['2024-12-29', 2024, 52],
    ['2024-12-30', 2025, 1],
    ['2021-01-03', 2020, 53],
    ['2021-01-04', 2021, 1],
    ['2026-12-31', 2026, 53],
    ['2027-01-03', 2026, 53],
    ['2027-01-04', 2027, 1],
    ['2000-02-29', 2000, 9],
    // Years 0–99 are years of the proleptic Gregorian calendar, not 1900–1999 (values from Python's date.isocalendar).
    ['0001-01-01', 1, 1],
    ['0005-01-02', 4, 53],
    ['0050-01-01', 49, 52],
    ['0050-06-01', 50, 22],
    ['0099-12-31', 99, 53],
    ['0100-01-01', 99, 53],
  ];
  for (const [date, isoYear, isoWeek] of weeks) {
    it(`${date} is ISO week ${isoYear}-W${isoWeek}`, () => {
      const [y, m, d] = date.split('-').map(Number) as [number, number, number];
      assert.deepEqual(isoWeekOf(y, m, d), { isoYear, isoWeek });
    });
  }

  it('ISO weeks agree with a day-by-day count over 2000-2040 (Mondays start weeks; weeks number 1..52 or 53)', () => {
    let previous = isoWeekOf(1999, 12, 31);
    for (let t = Date.UTC(2000, 0, 1); t <= Date.UTC(2040, 11, 31); t += 86_400_000) {
      const date = new Date(t);
      const week = isoWeekOf(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
      if (date.getUTCDay() === 1) {
        const expected = previous.isoWeek >= 52 && (week.isoWeek === 1) ? { isoYear: previous.isoYear + 1, isoWeek: 1 } : { isoYear: previous.isoYear, isoWeek: previous.isoWeek + 1 };
        assert.deepEqual(week, expected, date.toISOString());
      } else {
        assert.deepEqual(week, previous, date.toISOString());
      }
      previous = week;
    }
  });

  const zoned: ReadonlyArray<readonly [string, string, string]> = [
    ['2024-05-01T20:00:00Z', 'UTC', '2024-05-01 20h'],
    ['2024-05-01T20:00:00Z', 'Asia/Kolkata', '2024-05-02 01h'],
    ['2024-11-03T05:30:00Z', 'America/New_York', '2024-11-03 01h'],
    ['2024-11-03T06:30:00Z', 'America/New_York', '2024-11-03 01h'],
    ['2024-04-06T14:45:00Z', 'Australia/Lord_Howe', '2024-04-07 01h'],
    ['2024-12-31T11:00:00Z', 'Pacific/Chatham', '2025-01-01 00h'],
  ];
  for (const [instant, zone, local] of zoned) {
    it(`${instant} is ${local} in ${zone}`, () => {
      const c = calendarFields(Date.parse(instant), zone);
      assert.equal(`${c.year}-${String(c.month).padStart(2, '0')}-${String(c.day).padStart(2, '0')} ${String(c.hour).padStart(2, '0')}h`, local);
    });
  }

  it('reads a zone it does not know as UTC', () => {
    const at = Date.parse('2024-05-01T20:00:00Z');
    assert.deepEqual(calendarFields(at, 'Not/A_Zone'), { year: 2024, month: 5, day: 1, hour: 20, isoYear: 2024, isoWeek: 18 });
  });

  it('reads year 0 (1 BC) as year 0 in every zone, not as era year 1, so years 0 and 1 are separate buckets', () => {
    const at = Date.parse('0000-06-01T12:00:00Z');
    for (const zone of ['UTC', 'Etc/UTC', 'Asia/Tokyo', 'America/New_York']) {
      assert.equal(calendarFields(at, zone).year, 0, zone);
    }
    assert.deepEqual(calendarFields(Date.parse('0001-01-01T12:00:00Z'), 'America/New_York'), { year: 1, month: 1, day: 1, hour: 7, isoYear: 1, isoWeek: 1 });
    const newYearsEve = calendarFields(Date.parse('0001-01-01T02:00:00Z'), 'America/New_York');
    assert.deepEqual([newYearsEve.year, newYearsEve.month, newYearsEve.day], [0, 12, 31]);
  });

  it('reads the turn of year 0 to 1 in each zone\'s own time', () => {
    const tokyo = calendarFields(Date.parse('0000-12-31T23:00:00Z'), 'Asia/Tokyo');
    assert.deepEqual([tokyo.year, tokyo.month, tokyo.day], [1, 1, 1]);
    const newYork = calendarFields(Date.parse('0001-01-02T02:00:00Z'), 'America/New_York');
    assert.deepEqual([newYork.year, newYork.month, newYork.day], [1, 1, 1]);
  });
});
