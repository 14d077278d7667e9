/**
 * Differential check of cron parsing against the real robfig/cron (issue 8).
 *
 * test/fixtures/robfig/ticks.json was written by tools/robfig-reference (Go, run once with
 * `npm run robfig:tables`): for each expression, what robfig's `ParseStandard` answered and the
 * first ticks of iterating `Next()` from fixed UTC instants. The reference is v1.2.0, the version
 * TiDB Operator uses. The comparison and the deviation rules are shared with the random search
 * (tools/robfig-reference/fuzz.ts) in test/support/robfig-compare.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  DEVIATION_RULES,
  assertAgrees,
  assertDeviates,
  type DeviationName,
  type RobfigTable,
} from '../support/robfig-compare.js';

/** An expression of the table on which the hook deliberately departs from robfig v1.2.0, and the rule it follows. */
interface Deviation {
  expression: string;
  rule: DeviationName;
}

/** Deliberate differences in the table; keep in step with tools/robfig-reference/README.md. */
const DEVIATIONS: readonly Deviation[] = [
  ...['0 0 , * *', ', * * * *'].map((expression) => ({ expression, rule: 'emptyField' as const })),
  ...['*-5 * * * *', '*-abc * * * *', '?-1 * * * *'].map((expression) => ({ expression, rule: 'starRange' as const })),
  ...['@every 0s', '@every 0', '@every -1s', '@every -0s'].map((expression) => ({ expression, rule: 'nonPositiveEvery' as const })),
  { expression: '0 0 29 2 *', rule: 'fiveYearSearch' },
  // Found by the random search (tools/robfig-reference/fuzz.ts), covered by the same rules.
  ...['@every 00.001ns', '@every 0.0000000001s', '@every 0.5ns0.5ns'].map((expression) => ({ expression, rule: 'nonPositiveEvery' as const })),
  { expression: '* * 12,*-5 * *', rule: 'starRange' },
  { expression: '0 0 1 5 */7', rule: 'fiveYearSearch' }, // 1 May on a Sunday (star bit kept): 2033 after 2022
];

const table = JSON.parse(
  readFileSync(new URL('../fixtures/robfig/ticks.json', import.meta.url), 'utf8'),
) as RobfigTable;

describe('schedule: differential check against robfig/cron ParseStandard', () => {
  for (const entry of table.entries) {
    const deviation = DEVIATIONS.find((d) => d.expression === entry.expression);
    const name = `${JSON.stringify(entry.expression)} [${entry.about}]`;
    if (deviation === undefined) {
      it(`${name}: ${entry.v1.ok ? 'same ticks as' : 'rejected like'} robfig v1.2.0`, () => {
        assertAgrees(entry, table);
      });
      continue;
    }
    const rule = DEVIATION_RULES[deviation.rule];
    it(`${name}: deliberately ${rule.hook} (${rule.reason})`, () => {
      assertDeviates(entry, { table, rule });
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
    assert.ok(table.starts.every((s) => Number.isFinite(Date.parse(s))) && table.starts.length >= 3);
  });
});
