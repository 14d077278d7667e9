/** TiDB timestamps: decimal TSOs (physical ms << 18) and upstream's compact `2006-01-02 15:04:05` times. */

import assert from 'node:assert/strict';

import { formatTsTime, millisToTso, parseTso, parseTsString, physicalMillis, tsoToMillis } from '../../src/core/tso.js';

const MAY_1 = Date.UTC(2024, 4, 1, 2, 0, 7, 123);
/** The TSO of MAY_1 with logical part zero: 1714528807123 << 18. */
const MAY_1_TSO = '449453439614451712';

describe('TSOs and TS strings (core/tso)', () => {
  const tsos: ReadonlyArray<readonly [string, bigint | null, string]> = [
    ['0', 0n, 'zero'],
    [MAY_1_TSO, 449453439614451712n, 'a TSO of today'],
    ['18446744073709551615', (1n << 64n) - 1n, 'the largest unsigned 64-bit integer'],
    ['18446744073709551616', null, 'one past it'],
    ['99999999999999999999', null, 'twenty nines'],
    ['123abc', null, 'digits followed by letters'],
    ['12 ', null, 'a trailing space'],
    [' 12', null, 'a leading space'],
    ['-5', null, 'a sign'],
    ['', null, 'empty'],
  ];
  for (const [text, value, why] of tsos) {
    it(`parseTso(${JSON.stringify(text)}) is ${value} (${why})`, () => {
      assert.equal(parseTso(text), value);
    });
  }

  it('reads the physical milliseconds of a TSO and writes an instant back as one', () => {
    assert.equal(tsoToMillis(MAY_1_TSO), MAY_1);
    assert.equal(physicalMillis(449453439614451712n + 262_143n), MAY_1, 'the logical part is not milliseconds');
    assert.equal(millisToTso(MAY_1), MAY_1_TSO);
    assert.equal(millisToTso(MAY_1 + 0.9), MAY_1_TSO, 'a fraction of a millisecond is dropped');
    assert.equal(millisToTso(0), '0');
    assert.equal(tsoToMillis('12 '), null);
  });

  const tsStrings: ReadonlyArray<readonly [string, number | null, string]> = [
    ['2024-05-01 02:00:07', Date.UTC(2024, 4, 1, 2, 0, 7), 'a UTC time'],
    [MAY_1_TSO, MAY_1, 'a TSO'],
    ['1969-12-31 23:59:59', -1000, 'before the epoch'],
    ['2024-02-29 00:00:00', Date.UTC(2024, 1, 29), 'a leap day'],
    ['2024-02-30 00:00:00', null, 'a day February does not have'],
    ['2023-02-29 00:00:00', null, 'a leap day of a common year'],
    ['2024-04-31 12:00:00', null, 'the 31st of a 30-day month'],
    ['2024-05-01 24:00:00', null, 'hour 24'],
    ['2024-13-01 00:00:00', null, 'month 13'],
    ['2024-05-01 02:60:00', null, 'minute 60'],
    ['2024-05-01T02:00:07', null, 'RFC 3339 layout'],
    ['2024-05-01 02:00:07x', null, 'trailing text'],
    ['x2024-05-01 02:00:07', null, 'leading text'],
    ['2024-5-1 2:0:7', null, 'unpadded fields'],
    ['', null, 'empty'],
  ];
  for (const [text, ms, why] of tsStrings) {
    it(`parseTsString(${JSON.stringify(text)}) is ${ms} (${why})`, () => {
      assert.equal(parseTsString(text), ms);
    });
  }

  it('writes an instant as a TS string in UTC, dropping the fraction of a second (flooring before 1970)', () => {
    assert.equal(formatTsTime(MAY_1), '2024-05-01 02:00:07');
    assert.equal(formatTsTime(Date.UTC(2024, 4, 1, 2, 0, 7, 999)), '2024-05-01 02:00:07');
    assert.equal(formatTsTime(-1500), '1969-12-31 23:59:58');
    assert.equal(parseTsString(formatTsTime(MAY_1)), Date.UTC(2024, 4, 1, 2, 0, 7));
  });
});
