/**
 * Edge cases the fuzz tests found in the decision, pinned as fixed examples: each one broke an invariant
 * of test/support/invariants.ts before its fix.
 */

import assert from 'node:assert/strict';

import { decide } from '../../src/core/sync.js';
import type { SyncRequest } from '../../src/core/types.js';
import { assertKeepsObservedChildren, assertWellFormedAnswer } from '../support/invariants.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';

interface EdgeCase {
  name: string;
  now: string;
  request: SyncRequest;
  /** Checks beyond the invariants. */
  check: (decision: ReturnType<typeof decide>) => void;
}

const cases: EdgeCase[] = [
  {
    name: 'a next tick after year 9999 is not written (it has no RFC 3339 form)',
    now: '9999-12-31T23:30:00Z',
    request: request(
      schedule({
        spec: { schedule: '@every 1h', backupTemplate: BR_TEMPLATE },
        status: { lastBackup: 'nightly-9999-12-31t23-00-00', lastBackupTime: '9999-12-31T23:00:00Z' },
      }),
      [backup({ slot: '9999-12-31T23:00:00Z', commitTs: null })],
    ),
    check: ({ response, report }) => {
      assert.equal(response.status.nextBackupTime, undefined);
      assert.equal(report.message, 'the schedule has no future tick');
    },
  },
];

describe('decide: edge cases found by fuzzing', () => {
  for (const c of cases) {
    it(c.name, () => {
      const decision = decide(c.request, { now: Date.parse(c.now) });
      assertKeepsObservedChildren(c.request, decision);
      assertWellFormedAnswer(c.request, decision);
      c.check(decision);
    });
  }
});
