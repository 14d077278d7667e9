/**
 * The random search against robfig (tools/robfig-reference/fuzz.ts) is only worth its seeds if a seed always draws the
 * same expressions and the draws reach the rare shapes it is meant to search. Go is not needed here.
 */
import assert from 'node:assert/strict';
import { fuzzExpressions } from '../../tools/robfig-reference/fuzz.js';
import { parseSchedule } from '../../src/core/schedule.js';
import { DEVIATION_RULES } from '../support/robfig-compare.js';

describe('robfig fuzz grammar', () => {
  const drawn = fuzzExpressions(1, 3000);

  it('draws the same distinct expressions for the same seed, others for another seed', () => {
    assert.deepEqual(fuzzExpressions(1, 3000), drawn);
    assert.equal(new Set(drawn).size, 3000);
    assert.notDeepEqual(fuzzExpressions(2, 50), drawn.slice(0, 50));
  });

  it('reaches the rare shapes it is meant to search, valid and invalid alike', () => {
    const shapes: ReadonlyArray<readonly [string, RegExp]> = [
      ['a step on a range', /(?:^|[\s,])\d+-\d+\/\d+/],
      ['a step on a single value', /(?:^|[\s,])\d+\/\d+(?:[\s,]|$)/],
      ['a name inside a range', /[a-z]{3}-[a-z]{3}/i],
      ['a name in upper case', /(?:MON|TUE|WED|THU|FRI|SAT|SUN|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)/],
      ['?', /\?/],
      ['a leading zero', /(?:^|[\s,\-/])0\d/],
      ['a tab', /\t/],
      ['a space Go splits on that JavaScript\'s trim does too', /\u3000/],
      ['a character Go does not split on', /\ufeff|\u200b|\u180e/],
      ['L, W or #', /(?:^|[\s,])(?:L|W|\d+#\d)/],
      ['an empty field', /(?:^|\s),+(?:\s|$)/],
      ['@every with a fraction', /^@every \d*\.\d+/],
      ['a known macro', /^@(?:yearly|annually|monthly|weekly|daily|midnight|hourly)$/],
      ['a time-zone prefix', /^(?:CRON_)?TZ=/],
    ];
    const missing = shapes.filter(([, pattern]) => !drawn.some((e) => pattern.test(e))).map(([name]) => name);
    assert.deepEqual(missing, []);
    const belowNanosecond = drawn.filter((e) => DEVIATION_RULES.nonPositiveEvery.covers(e) && /^@every \+?[^-]*[1-9]/.test(e));
    assert.ok(belowNanosecond.length > 0, 'no @every below a nanosecond (Go reads it as 0)');
    const accepted = drawn.filter((e) => parseSchedule(e).ok).length;
    assert.ok(accepted > 900 && accepted < 2100, `the hook accepts ${accepted} of 3000: the draws should mix valid and invalid`);
  });

  it('draws six fields and four fields too', () => {
    const counts = new Set(drawn.filter((e) => !e.startsWith('@')).map((e) => e.trim().split(/[\s\u0085]+/).length));
    assert.ok(counts.has(4) && counts.has(5) && counts.has(6), [...counts].join(','));
  });
});
