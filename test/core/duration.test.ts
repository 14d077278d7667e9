import assert from 'node:assert/strict';

import { parseGoDuration, parseGoDurationNs, readPositiveDuration } from '../../src/core/duration.js';

describe('parseGoDuration (Go time.ParseDuration)', () => {
  const accepted: ReadonlyArray<readonly [string, number]> = [
    ['0', 0],
    ['-0s', 0], // not -0
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

describe('parseGoDuration matches Go exactly (whole units in integer nanoseconds, fractions as Go computes them)', () => {
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
  // Go computes a fraction as float64(digits) * (unit / 10^digits), truncated, and keeps at most the digits within 2^63
  // (Go 1.19's time.ParseDuration; values checked with it). Found by the random search against robfig (@every).
  const asGo: ReadonlyArray<readonly [string, number]> = [
    ['0.50000000000000m', 29_999 + 0.999999],
    ['1.50000000000000m', 89_999 + 0.999999],
    ['1.99999999999999999999s', 2_000],
    ['0.99999999999999999999h', 3_600_000],
    ['0.1234567890123456789012h', 444_444 + 0.440444],
    ['1.0000000000000000000000001s', 1_000],
    ['0.9223372036854775809h', 3_320_413 + 0.933267], // Go keeps 18 of its digits
    ['0.5ns', 0],
    ['0.0000000001s', 0],
  ];
  for (const [text, ms] of asGo) {
    it(`"${text}" is ${ms} ms, as Go reads it`, () => {
      assert.deepEqual(parseGoDuration(text), { ok: true, ms });
    });
  }
  it('accepts the largest Go duration and rejects one nanosecond more', () => {
    assert.equal(parseGoDuration('2562047h47m16.854775807s').ok, true);
    assert.equal(parseGoDuration('9223372036854775807ns').ok, true);
    assert.equal(parseGoDuration('2562047h47m16.854775808s').ok, false);
  });
  it('accepts the most negative Go duration (one nanosecond further than the largest) and rejects one more', () => {
    assert.deepEqual(parseGoDuration('-9223372036854775808ns'), { ok: true, ms: -(9_223_372_036_854 + 0.775808) });
    assert.deepEqual(parseGoDuration('-2562047h47m16.854775808s'), { ok: true, ms: -(9_223_372_036_854 + 0.775808) });
    assert.equal(parseGoDuration('-9223372036854775809ns').ok, false);
  });
});

describe('parseGoDurationNs (Go\'s int64 nanoseconds, exactly)', () => {
  const exact: ReadonlyArray<readonly [string, bigint]> = [
    // 60000019.999999999 s: as milliseconds with a fraction it would round up to 60000020 s (found by the robfig fuzz).
    ['1000000.333333333333m', 60_000_019_999_999_999n],
    ['1000000m999999999ns', 60_000_000_999_999_999n],
    ['9223372036854775807ns', 9_223_372_036_854_775_807n],
    ['-9223372036854775808ns', -9_223_372_036_854_775_808n],
    ['-0s', 0n],
    ['0.5ns', 0n],
  ];
  for (const [text, ns] of exact) {
    it(`reads "${text}" as ${ns} ns`, () => {
      assert.deepEqual(parseGoDurationNs(text), { ok: true, ns });
    });
  }
  it('rejects what parseGoDuration rejects, with the same message', () => {
    assert.deepEqual(parseGoDurationNs('1d'), parseGoDuration('1d'));
  });
});

describe('parseGoDuration says what is wrong', () => {
  const syntax = 'write it as Go does, e.g. "90m", "72h" or "1h30m"';
  const errors: ReadonlyArray<readonly [string, string]> = [
    ['', `"" is not a duration (it is empty); ${syntax}`],
    ['-', `"-" is not a duration (it is empty); ${syntax}`],
    ['1h x', `"1h x" is not a duration (unexpected " x"); ${syntax}`],
    ['1h30', `"1h30" is not a duration (unexpected "30"); ${syntax}`],
    ['h', `"h" is not a duration (a number is missing before "h"); ${syntax}`],
    ['1h.m', `"1h.m" is not a duration (a number is missing before "m"); ${syntax}`],
    ['1d', `"1d" is not a duration (unknown unit "d"; use ns, us, ms, s, m or h); ${syntax}`],
    ['9223372036854775808ns', `"9223372036854775808ns" is not a duration (it is out of range); ${syntax}`],
  ];
  for (const [text, error] of errors) {
    it(`"${text}": ${error.slice(error.indexOf('('), error.indexOf(';'))}`, () => {
      assert.deepEqual(parseGoDuration(text), { ok: false, error });
    });
  }
});

describe('readPositiveDuration (optional positive duration fields)', () => {
  const field = { path: 'spec.maxReservedTime', example: '72h', whenUnset: 'keep Backups by age forever' };
  const cases: ReadonlyArray<{ value: unknown; ms: number | null; problem?: string }> = [
    { value: undefined, ms: null },
    { value: null, ms: null },
    { value: '', ms: null },
    { value: '90m', ms: 5_400_000 },
    { value: '1ns', ms: 0.000001 },
    { value: 72, ms: null, problem: 'spec.maxReservedTime must be a Go duration string such as "72h"' },
    { value: ['72h'], ms: null, problem: 'spec.maxReservedTime must be a Go duration string such as "72h"' },
    { value: '3d', ms: null, problem: 'spec.maxReservedTime: "3d" is not a duration (unknown unit "d"; use ns, us, ms, s, m or h); write it as Go does, e.g. "90m", "72h" or "1h30m"' },
    { value: '0', ms: null, problem: 'spec.maxReservedTime "0" must be positive, such as "72h"; remove it to keep Backups by age forever' },
    { value: '0s', ms: null, problem: 'spec.maxReservedTime "0s" must be positive, such as "72h"; remove it to keep Backups by age forever' },
    { value: '-1h', ms: null, problem: 'spec.maxReservedTime "-1h" must be positive, such as "72h"; remove it to keep Backups by age forever' },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.value) ?? 'undefined'} reads as ${c.ms}${c.problem === undefined ? ' with no problem' : ', with a problem'}`, () => {
      const problems = ['an earlier problem'];
      assert.equal(readPositiveDuration(c.value, field, problems), c.ms);
      assert.deepEqual(problems, c.problem === undefined ? ['an earlier problem'] : ['an earlier problem', c.problem]);
    });
  }
});
