import assert from 'node:assert/strict';

import { LAST_WRITABLE_MS, formatSlotStamp, formatTime, parseSlotStamp, parseTime } from '../../src/core/time.js';
import { tsoToMillis } from '../../src/core/tso.js';

describe('time formats', () => {
  const parsed: ReadonlyArray<readonly [unknown, number | null]> = [
    ['2024-05-01T02:00:07Z', Date.UTC(2024, 4, 1, 2, 0, 7)],
    ['2024-05-01T04:00:07+02:00', Date.UTC(2024, 4, 1, 2, 0, 7)],
    ['2024-05-01t02:00:07.250z', Date.UTC(2024, 4, 1, 2, 0, 7, 250)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2024-05-01T02:00:07.9999Z', Date.UTC(2024, 4, 1, 2, 0, 7, 999)],
    ['2024-05-01T02:00:07-23:59', Date.UTC(2024, 4, 2, 1, 59, 7)],
    ['2024-05-01T02:00:07+24:00', null],
    ['2024-05-01T02:00:07+01:60', null],
    ['0001-01-01T00:00:00Z', -62135596800000],
    ['0000-02-29T00:00:00Z', -62162121600000],
    ['1900-02-29T00:00:00Z', null],
    ['2023-02-29T00:00:00Z', null],
    ['2024-02-31T00:00:00Z', null],
    ['2016-12-31T23:59:60Z', null],
    ['2024-05-01 02:00:07', null],
    ['2024-05-01', null],
    ['', null],
    [12345, null],
    [null, null],
    ['1969-12-31T23:59:59Z', -1000],
    ['1900-02-28T00:00:00Z', Date.UTC(1900, 1, 28)],
    ['1900-02-29T00:00:00Z', null],
    ['0000-02-29T00:00:00Z', Date.parse('0000-02-29T00:00:00Z')],
    ['0100-02-29T00:00:00Z', null],
    ['0004-02-29T00:00:00Z', Date.parse('0004-02-29T00:00:00Z')],
    ['9999-12-31T23:59:59Z', LAST_WRITABLE_MS],
    ['10000-01-01T00:00:00Z', null],
    ['+010000-01-01T00:00:00Z', null],
    ['2024-05-01T24:00:00Z', null],
    // Every field is range-checked: month 00, day 00, minute 60 and the 31st of a 30-day month are no dates.
    ['2024-00-10T00:00:00Z', null],
    ['2024-05-00T00:00:00Z', null],
    ['2024-05-01T02:60:00Z', null],
    ['2024-04-31T00:00:00Z', null],
    ['2024-06-31T00:00:00Z', null],
    ['2024-09-31T00:00:00Z', null],
    ['2024-11-31T00:00:00Z', null],
    ['2024-04-30T00:00:00Z', Date.UTC(2024, 3, 30)],
    ['2024-05-31T00:00:00Z', Date.UTC(2024, 4, 31)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    // One or two fraction digits are tenths and hundredths of a second, with either sign of offset.
    ['2024-05-01T02:00:07.5Z', Date.UTC(2024, 4, 1, 2, 0, 7, 500)],
    ['2024-05-01T02:00:07.25Z', Date.UTC(2024, 4, 1, 2, 0, 7, 250)],
    ['2024-05-01T04:00:07.250+02:00', Date.UTC(2024, 4, 1, 2, 0, 7, 250)],
    ['2024-05-01T01:00:07.250-01:00', Date.UTC(2024, 4, 1, 2, 0, 7, 250)],
    // Years 0–99 keep their time of day.
    ['0050-06-15T12:34:56Z', Date.parse('0050-06-15T12:34:56Z')],
    ['0099-12-31T23:59:59.5Z', Date.parse('0099-12-31T23:59:59.500Z')],
    // The whole text must be one timestamp: nothing before it, nothing after it.
    ['2024-05-01T02:00:07Z2024-05-01T02:00:08Z', null],
    ['2024-05-01T02:00:07Z+02:00', null],
    [' 2024-05-01T02:00:07Z', null],
    // A JSON array whose single element is a timestamp is not a timestamp (and must not throw).
    [['2024-05-01T02:00:07Z'], null],
  ];
  for (const [text, ms] of parsed) {
    it(`parseTime(${JSON.stringify(text)}) is ${ms}`, () => {
      assert.equal(parseTime(text), ms);
    });
  }

  it('reads back every whole-second instant it writes, from year 0000 to 9999', () => {
    for (const ms of [Date.parse('0000-01-01T00:00:00Z'), Date.parse('0000-02-29T12:00:00Z'), -1000, 0, Date.UTC(2024, 1, 29), LAST_WRITABLE_MS]) {
      assert.equal(parseTime(formatTime(ms)), ms, formatTime(ms));
    }
  });

  it('formats RFC 3339 in UTC with whole seconds, as Kubernetes does', () => {
    assert.equal(formatTime(Date.UTC(2024, 4, 1, 2, 0, 7, 999)), '2024-05-01T02:00:07Z');
  });

  it('writes and reads upstream name stamps (2006-01-02t15-04-05)', () => {
    const at = Date.UTC(2024, 4, 1, 2, 0, 7);
    assert.equal(formatSlotStamp(at), '2024-05-01t02-00-07');
    assert.equal(parseSlotStamp('2024-05-01t02-00-07'), at);
    assert.equal(parseSlotStamp('2024-05-01T02-00-07'), null);
    assert.equal(parseSlotStamp('2024-13-01t02-00-07'), null);
    assert.equal(parseSlotStamp('x2024-05-01t02-00-07'), null);
    assert.equal(parseSlotStamp('2024-05-01t02-00-07x'), null);
    assert.equal(parseSlotStamp('backup-2024-05-01t02-00-07'), null);
  });

  it('reads the physical milliseconds of a TSO, exactly, beyond 2^53', () => {
    const ms = Date.UTC(2024, 4, 1, 2, 0, 7, 123);
    assert.equal(tsoToMillis(((BigInt(ms) << 18n) + 262_143n).toString()), ms);
    assert.equal(tsoToMillis('0'), 0);
    assert.equal(tsoToMillis('abc'), null);
    assert.equal(tsoToMillis('-5'), null);
    assert.equal(tsoToMillis('99999999999999999999999'), null);
  });
});
