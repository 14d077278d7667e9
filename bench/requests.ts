/** Realistic sync requests for the bench: Backups as the API server returns them (about 2.6 KB each), in mixed states. */

import { backup, request, schedule, stamp } from '../test/support/objects.js';
import type { TestState } from '../test/support/objects.js';
import type { JsonObject, KubeObject, SyncRequest } from '../src/core/types.js';

/** One tick of the bench schedule `0 * * * *`: Backups are an hour apart. */
const HOUR_MS = 3_600_000;

/** Options of {@link realisticRequest}. */
export interface RealisticRequestOptions {
  /** The instant the request is answered at (epoch ms); the newest Backup's slot is the tick before the last. */
  now: number;
}

/**
 * realisticRequest builds an hourly schedule with `children` Backups: the older ones Complete with a few Failed,
 * Invalid and being-deleted ones mixed in, the newest Complete, and a new slot due, so each sync creates one Backup
 * and retires the Backups beyond `maxReservedTime` (about 2% of them).
 */
export function realisticRequest(children: number, options: RealisticRequestOptions): SyncRequest {
  const lastTick = Math.floor(options.now / HOUR_MS) * HOUR_MS;
  const newestSlot = lastTick - HOUR_MS;
  const slots = Array.from({ length: children }, (_, i) => newestSlot - (children - 1 - i) * HOUR_MS);
  const reservedHours = Math.max(1, Math.ceil(children * 0.98));
  const parent = schedule({
    name: 'nightly',
    created: iso(newestSlot - (children + 1) * HOUR_MS),
    labels: { team: 'storage', 'backup-schedule-hook/controller': 'hook' },
    annotations: { 'pingcap.com/owner': 'dba@example.com' },
    spec: {
      schedule: '0 * * * *',
      maxReservedTime: `${reservedHours}h`,
      backupTemplate: { ...schedule().spec?.['backupTemplate'] as JsonObject },
    },
    status: {
      lastBackup: `nightly-${stamp(iso(newestSlot))}`,
      lastBackupTime: iso(newestSlot),
    },
  });
  const objects = slots.map((slot, i) => realisticBackup(iso(slot), stateAt(i, children)));
  return request(parent, objects);
}

/** The state of the i-th oldest of n Backups: mostly Complete, every 17th Failed, every 41st Invalid, every 53rd deleting. */
function stateAt(i: number, n: number): { state: TestState; deleting: boolean } {
  if (i === n - 1) return { state: 'complete', deleting: false };
  const deleting = i % 53 === 52;
  if (i % 41 === 40) return { state: 'invalid', deleting };
  if (i % 17 === 16) return { state: 'failed', deleting };
  return { state: 'complete', deleting };
}

/** realisticBackup is the test builder's Backup as the API server returns it (server fields, managedFields, status; about 2.6 KB). */
export function realisticBackup(slot: string, facts: { state: TestState; deleting: boolean }): KubeObject {
  return backup({ slot, state: facts.state, ...(facts.deleting ? { deleting: iso(Date.parse(slot) + 2 * HOUR_MS) } : {}) });
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
