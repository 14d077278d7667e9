import assert from 'node:assert/strict';

import { parseGoDuration } from '../../src/core/duration.js';

describe('parseGoDuration (Go time.ParseDuration)', () => {
  const accepted: ReadonlyArray<readonly [string, number]> = [
    ['0', 0],
    ['1h', 3_600_000],
    ['72h', 259_200_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['90s', 90_000],
    ['300ms', 300],
    ['-1h', -3_600_000],
    ['+2m', 120_000],
    ['1m0.5s', 60_500],
    ['.5s', 500],
    ['1µs', 0.001],
  ];
  for (const [text, ms] of accepted) {
    it(`reads "${text}" as ${ms} ms`, () => {
      assert.deepEqual(parseGoDuration(text), { ok: true, ms });
    });
  }
  const rejected = ['', '1x', '1', 'h', '1d', ' 1h', '1h ', '--1h', '.h', '1hh'];
  for (const text of rejected) {
    it(`rejects "${text}" with a message that shows the syntax`, () => {
      const result = parseGoDuration(text);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error, /e\.g\. "90m", "72h" or "1h30m"/);
    });
  }
});

describe('parseGoDuration matches Go exactly (integer nanoseconds)', () => {
  const exact: ReadonlyArray<readonly [string, number]> = [
    ['2.05m', 123_000],
    ['4.1m', 246_000],
    ['0.145h', 522_000],
    ['0.29h', 1_044_000],
  ];
  for (const [text, ms] of exact) {
    it(`"${text}" is exactly ${ms} ms, not a float rounding below it`, () => {
      assert.deepEqual(parseGoDuration(text), { ok: true, ms });
    });
  }
  it('accepts the largest Go duration and rejects one nanosecond more', () => {
    assert.equal(parseGoDuration('2562047h47m16.854775807s').ok, true);
    assert.equal(parseGoDuration('9223372036854775807ns').ok, true);
    assert.equal(parseGoDuration('2562047h47m16.854775808s').ok, false);
  });
});
