/**
 * The call-back properties for schedules in a group (fast-check, seeded): siblings on other schedules, due, running,
 * in flight, stuck by their own backupTimeout, paused or past their starting deadline, their Backups in the view or
 * not, and a recorded extra turn. Each request is drawn from one integer seed, so a failure names the seed that
 * rebuilds it. On an unchanged view a group's clock changes the answer only at an instant the answer asked for: a
 * sibling's next tick (which moves its due slot, and so whose turn comes first), the end of each sibling's turn, a
 * sibling's starting deadline or stuck instant.
 */

import fc from 'fast-check';

import { GROUP_LABEL, SCHEDULE_RELATED_TYPE } from '../../src/core/group.js';
import { BACKUP_CHILD_TYPE } from '../../src/core/names.js';
import type { JsonObject, KubeObject, SyncRequest } from '../../src/core/types.js';
import { SHORT_CALL_BACKS_IN_A_ROW, itKeepsItsCallBacks } from '../support/call-backs.js';
import { propertyTimeout } from '../support/property-runs.js';
import { seededDraws } from '../support/seeded-draws.js';
import type { SeededDraws } from '../support/seeded-draws.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';

const BASE = Date.parse('2024-05-10T10:00:00Z');
const MINUTE = 60_000;
const GROUP = { [GROUP_LABEL]: 'nightly-group' };
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A schedule of the group with its last Backup (in the view or not) and the status that names it. */
function member(name: string, options: { draw: SeededDraws; now: number }): { object: ReturnType<typeof schedule>; backups: KubeObject[] } {
  const { draw, now } = options;
  const { next, pick } = draw;
  const spec: JsonObject = { schedule: pick(['*/20 * * * *', '30 * * * *', '0 * * * *', '*/5 * * * *', '15,45 * * * *', '*/7 * * * *']), backupTemplate: BR_TEMPLATE };
  if (next() < 0.3) spec['backupTimeout'] = pick(['10m', '45m']);
  if (next() < 0.1) spec['pause'] = true;
  if (next() < 0.25) spec['startingDeadlineSeconds'] = pick([60, 240, 600]);
  const backups: KubeObject[] = [];
  const status: JsonObject = {};
  if (next() < 0.85) {
    // Its last slot: a minute mark some time back (or, from a cluster clock ahead, a few minutes on); its Backup in the
    // view (in any state) or not (in flight, or gone).
    const slot = now - (now % MINUTE) + (next() < 0.1 ? pick([3, 8]) : -Math.floor(next() * 90)) * MINUTE;
    const last = backup({ schedule: name, slot: iso(slot), state: pick(['complete', 'complete', 'running', 'failed', 'new'] as const), labels: labelsOf(name) });
    status['lastBackup'] = last.metadata?.name ?? '';
    status['lastBackupTime'] = iso(slot);
    if (next() < 0.5) status['lastBackupCreation'] = { name: last.metadata?.name ?? '', time: iso(slot + pick([1000, 30_000, 7 * MINUTE])) };
    if (next() < 0.8) backups.push(last);
  }
  return { object: schedule({ name, spec, labels: GROUP, status }), backups };
}

/** The labels a Backup of `name` carries: its schedule's, the group's. */
function labelsOf(name: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'backup-schedule',
    'app.kubernetes.io/instance': name,
    'tidb.pingcap.com/backup-schedule': name,
    'controller-uid': `uid-${name}`,
    ...GROUP,
  };
}

function build(seed: number): { req: SyncRequest; now: number } {
  const draw = seededDraws(seed);
  const { next, pick } = draw;
  const now = BASE + Math.floor(next() * 120) * MINUTE + Math.floor(next() * 60) * 1000;
  const self = member('nightly', { draw, now });
  const siblings = ['alpha', 'beta', 'omega'].filter(() => next() < 0.6).map((name) => member(name, { draw, now }));
  const status = self.object.status ?? {};
  if (siblings.length > 0 && next() < 0.2) {
    const turnOf = pick(siblings).object;
    const slot = now - (now % MINUTE) - Math.floor(next() * 30) * MINUTE;
    status['groupTurn'] = { schedule: turnOf.metadata.name ?? '', slot: iso(slot), seenAt: iso(slot + Math.floor(next() * 10) * MINUTE), order: 'slot' };
  }
  // A backup-now request of its own (drawn last, so that the worlds before it stay as they were): the group's gate then
  // shows only as open or closed.
  if (next() < 0.15) self.object.metadata.annotations = { 'backup-schedule-hook/backup-now': 'now1' };
  const all = [self, ...siblings];
  const related = {
    [SCHEDULE_RELATED_TYPE]: Object.fromEntries(all.map((m) => [`db/${m.object.metadata.name}`, m.object])),
    [BACKUP_CHILD_TYPE]: Object.fromEntries(all.flatMap((m) => m.backups).map((b) => [`db/${b.metadata?.name}`, b])),
  };
  return { req: request(self.object, self.backups, { related }), now };
}

/**
 * A sibling adds genuine changes to a chain of short call-backs (its tick, its starting deadline, the end of its turn,
 * next to this schedule's own tick, deadline and quiet windows): 59.999, 1, 59.001 and 59.999 s is one such chain, each
 * answer different. A hot loop never ends; one more in a row than for a schedule alone tells the two apart (5 × 30,000
 * draws on five seeds: no chain of five).
 */
const SHORT_IN_A_ROW_IN_A_GROUP = SHORT_CALL_BACKS_IN_A_ROW + 1;

describe('call-backs of a schedule in a group (siblings due, running, in flight, stuck, past their deadlines)', function () {
  // Hundreds of generated requests each: on a 2-core machine shared with other work this took over 20 s.
  this.timeout(propertyTimeout(120_000));
  itKeepsItsCallBacks({ arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), build, seed: 4242, numRuns: 6000, shortInARow: SHORT_IN_A_ROW_IN_A_GROUP });
});
