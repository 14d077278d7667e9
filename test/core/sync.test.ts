/** The sync hook's answers outside the schedule's own decisions: a schedule being deleted, and an invalid spec. */

import assert from 'node:assert/strict';

import { decide } from '../../src/core/sync.js';
import type { BackupSchedule, JsonObject } from '../../src/core/types.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';

const at = (hhmm: string): string => `2024-05-01T${hhmm}Z`;
const DUE = 'nightly-2024-05-01t00-10-00';

describe('sync: a schedule being deleted', () => {
  const cases: ReadonlyArray<{ name: string; parent: BackupSchedule; finalizing: boolean; finalized: boolean | undefined; paused: boolean }> = [
    { name: 'deletionTimestamp set: nothing created, not finalized by this hook', parent: schedule({ deletionTimestamp: at('00:09:00') }), finalizing: false, finalized: undefined, paused: false },
    { name: 'a finalize call: nothing created, finalized', parent: schedule(), finalizing: true, finalized: true, paused: false },
    {
      name: 'paused as well: reported paused',
      parent: schedule({ deletionTimestamp: at('00:09:00'), spec: { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE, pause: true } }),
      finalizing: false,
      finalized: undefined,
      paused: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const seen = backup({ slot: at('00:00:00') });
      const { response, report } = decide(request(c.parent, [seen], { finalizing: c.finalizing }), { now: Date.parse(at('00:10:05')) });
      assert.deepEqual(
        { children: response.children.map((x) => x.metadata.name), finalized: response.finalized, outcome: report.outcome, message: report.message, paused: report.facts.paused },
        { children: [seen.metadata?.name], finalized: c.finalized, outcome: 'parent-deleting', message: 'the schedule is being deleted', paused: c.paused },
      );
      assert.ok(!response.children.some((x) => x.metadata.name === DUE));
    });
  }
});

describe('sync: an invalid spec', () => {
  const invalid = (spec: JsonObject | undefined): BackupSchedule => {
    const parent = schedule({ spec: spec ?? {} });
    if (spec === undefined) delete (parent as { spec?: unknown }).spec;
    return parent;
  };
  const cases: ReadonlyArray<{ name: string; parent: BackupSchedule; paused: boolean }> = [
    { name: 'paused: reported paused', parent: invalid({ schedule: 'never', backupTemplate: BR_TEMPLATE, pause: true }), paused: true },
    { name: 'not paused', parent: invalid({ schedule: 'never', backupTemplate: BR_TEMPLATE, pause: false }), paused: false },
    { name: 'pause not the boolean true', parent: invalid({ schedule: 'never', backupTemplate: BR_TEMPLATE, pause: 'true' }), paused: false },
    { name: 'no spec at all', parent: invalid(undefined), paused: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { report } = decide(request(c.parent, [backup({ slot: at('00:00:00') })]), { now: Date.parse(at('00:10:05')) });
      assert.equal(report.outcome, 'invalid');
      assert.ok(report.problems.length > 0, 'says what to fix');
      assert.equal(report.message, `the spec is invalid: ${report.problems.join('; ')}`);
      assert.deepEqual({ specValid: report.facts.specValid, paused: report.facts.paused }, { specValid: false, paused: c.paused });
    });
  }
});
