/**
 * A broken cluster (the seed's kernel bug: no backup pod ever starts) replayed sync after sync: with
 * spec.backupTimeout the schedule proceeds past one stuck Backup but never piles up more than two
 * unfinished ones; without it, it waits behind the first one for ever (upstream).
 */

import assert from 'node:assert/strict';

import fc from 'fast-check';

import { snapshotState } from '../../src/core/backup-state.js';
import { decide } from '../../src/core/sync.js';
import type { BackupScheduleStatus, KubeObject } from '../../src/core/types.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';
import { propertyRuns } from '../support/property-runs.js';

const BASE = Date.parse('2024-05-01T00:00:00Z');
const MINUTE = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Replays syncs every `stepMinutes` for `hours`; created Backups never finish. Returns the most unfinished Backups seen and how many were created. */
function replay(spec: Record<string, unknown>, options: { stepMinutes: number; hours: number }): { mostUnfinished: number; created: number } {
  let status: BackupScheduleStatus | undefined;
  let children: KubeObject[] = [];
  let mostUnfinished = 0;
  let created = 0;
  for (let now = BASE; now <= BASE + options.hours * 60 * MINUTE; now += options.stepMinutes * MINUTE) {
    const parent = schedule({ spec: { backupTemplate: BR_TEMPLATE, ...spec }, created: iso(BASE - MINUTE), ...(status ? { status } : {}) });
    const { response } = decide(request(parent, children), { now });
    const desired = new Set(response.children.map((c) => c.metadata.name));
    const observed = new Set(children.map((c) => c.metadata?.name));
    children = children.filter((c) => desired.has(c.metadata?.name ?? ''));
    for (const child of response.children) {
      if (observed.has(child.metadata.name)) continue;
      const slot = child.metadata.annotations?.['backup-schedule-hook/scheduled-at'] ?? iso(now);
      children.push(backup({ slot, state: 'scheduled', created: iso(now) }));
      created += 1;
    }
    status = response.status;
    mostUnfinished = Math.max(mostUnfinished, children.filter((c) => snapshotState(c) === 'unfinished').length);
  }
  return { mostUnfinished, created };
}

describe('stuck Backups on a broken cluster (properties)', () => {
  it('with backupTimeout, at most two unfinished Backups pile up, and the schedule does not freeze behind the first', () => {
    fc.assert(
      fc.property(
        fc.record({
          schedule: fc.constantFrom('*/10 * * * *', '0 * * * *', '*/5 * * * *', '@every 20m'),
          timeoutMinutes: fc.integer({ min: 1, max: 180 }),
          stepMinutes: fc.integer({ min: 1, max: 30 }),
        }),
        ({ schedule: expression, timeoutMinutes, stepMinutes }) => {
          const result = replay({ schedule: expression, backupTimeout: `${timeoutMinutes}m` }, { stepMinutes, hours: 6 });
          assert.ok(result.mostUnfinished <= 2, `${result.mostUnfinished} unfinished Backups piled up`);
          assert.ok(result.created >= 2, 'the schedule proceeded past the first stuck Backup');
        },
      ),
      propertyRuns({ seed: 6517, numRuns: 40 }),
    );
  });

  it('without backupTimeout, the schedule waits behind its first unfinished Backup (upstream)', () => {
    const result = replay({ schedule: '*/10 * * * *' }, { stepMinutes: 5, hours: 12 });
    assert.deepEqual(result, { mostUnfinished: 1, created: 1 });
  });
});
