/** readRetention: `spec.retention` read into a GFS policy, or problems that name the field and the fix. */

import assert from 'node:assert/strict';

import { readRetention } from '../../src/core/retention-spec.js';

const FIELDS = 'keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin, minCompleted, failedBackupsHistoryLimit';

describe('readRetention: the problems, word for word', () => {
  const cases: ReadonlyArray<{ name: string; retention: unknown; problems: string[] }> = [
    { name: 'an unknown field: every field listed', retention: { tags: ['x'], keepDaily: 7 }, problems: [`spec.retention.tags is not a retention field; use one of ${FIELDS}`] },
    { name: 'a field misspelt by two letters', retention: { keepDayli: 7 }, problems: ['spec.retention.keepDayli is not a retention field; did you mean keepDaily'] },
    { name: 'a field in the wrong case', retention: { KEEPWEEKLY: 2 }, problems: ['spec.retention.KEEPWEEKLY is not a retention field; did you mean keepWeekly'] },
    { name: 'a field three edits away is not guessed', retention: { keepDa: 7 }, problems: [`spec.retention.keepDa is not a retention field; use one of ${FIELDS}`] },
    { name: 'a field one letter longer', retention: { keepLastt: 7 }, problems: ['spec.retention.keepLastt is not a retention field; did you mean keepLast'] },
    { name: 'a short unknown field', retention: { k: 1, keepDaily: 7 }, problems: [`spec.retention.k is not a retention field; use one of ${FIELDS}`] },
    { name: 'a negative keepWithin', retention: { keepWithin: '-1h' }, problems: ['spec.retention.keepWithin "-1h" must be positive, such as "168h"; remove it to keep Backups by the other rules only'] },
    {
      name: 'no keep rule',
      retention: { minCompleted: 2 },
      problems: [
        'spec.retention has no keep rule, which would delete every completed Backup beyond minCompleted; set at least one of ' +
          'keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly or keepWithin (restic refuses an empty policy too), or remove spec.retention to keep every Backup',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const problems: string[] = [];
      assert.equal(readRetention({ retention: c.retention as never }, problems), null);
      assert.deepEqual(problems, c.problems);
    });
  }
});
