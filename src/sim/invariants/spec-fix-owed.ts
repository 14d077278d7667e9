/**
 * When a broken window's catch-up is owed (invariant 5 across broken specs, spec-fix.ts): the most recent tick missed
 * while the spec was broken runs once the hook knows the fix, its own gate is open (every Backup of the schedule started
 * before then done, deleted or stuck) and, in a schedule group, its turn has come (every Backup its siblings started
 * before then done), before the tick's window closes; and it must not run where no sync could have run it before then.
 */

import { isBackupNowBackup } from '../../core/backup-now.js';
import { isLogBackup } from '../../core/backup-state.js';
import { GROUP_LABEL, groupOf } from '../../core/group.js';
import { readSpec } from '../../core/spec.js';
import { formatTime } from '../../core/time.js';
import type { BackupSchedule } from '../../core/types.js';
import type { BackupRecord } from '../recorder.js';
import { freeAtOf } from './convergence.js';
import type { CheckContext } from './types.js';

/** A schedule of the group besides the judged one: its Backups, and its backupTimeout (its spec is never edited). */
export interface GroupSibling {
  records: BackupRecord[];
  backupTimeoutMs: number | null;
}

/** groupSiblingsOf lists the schedules of the world that share the schedule's group (from its labels at `parent`). */
export function groupSiblingsOf(world: CheckContext['world'], parent: BackupSchedule | undefined): GroupSibling[] {
  const group = parent === undefined ? null : groupOf(parent);
  if (group === null) return [];
  return world.schedules
    .filter((handle) => handle.parentKey !== world.parentKey && handle.setup.labels?.[GROUP_LABEL] === group)
    .map((handle) => {
      const read = readSpec({ apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name: handle.setup.name }, spec: handle.setup.spec } as BackupSchedule);
      return { records: [...handle.recorder.backups.values()].filter((r) => !isLogBackup(r.object)), backupTimeoutMs: read.ok ? (read.spec.backupTimeout?.ms ?? null) : null };
    });
}

/**
 * catchUpOwedAt is when (hook time) the most recent tick missed while broken is owed: once the fix is known (and
 * `atLeast`), its own gate is open and its group gives it its turn (`heldUntil`), if that comes before the tick's window
 * closes; `late` where no sync could have run it before then (the fix answered, or its previous Backup done, only after
 * the window closed: it must not run); or why it cannot be judged. `because` says what it waited for.
 */
export function catchUpOwedAt(
  tick: number,
  facts: {
    context: CheckContext;
    records: Array<BackupRecord & { slot: number }>;
    offset: number;
    known(at: number): number;
    siblings: readonly GroupSibling[];
    /** The tick after it (hook time), or null. */
    following: number | null;
    backupTimeoutMs: number | null;
    startingDeadlineMs: number | null;
    /** Hook time: the catch-up is owed no sooner (the fix known, the quiet after an edit or a refused create). */
    atLeast: number;
    /** Hook time: when a sync that sees the fix can first be answered (no view shows it before it is written). */
    fixedAt: number;
  },
): { skipped: string; waitedForTurn: boolean } | { skipped: null; late: boolean; at: number; closesAt: number; waitedForTurn: boolean; because: string } {
  const { context, records, offset, backupTimeoutMs, startingDeadlineMs, following } = facts;
  const { world, settings } = context;
  const grace = settings.staleViewGraceMs;
  // The Backup before the tick (a backup-now one at the hook's reading of its creation) holds its gate until it is done.
  const previous = records
    .map((r) => ({ record: r, at: isBackupNowBackup(r.object) ? world.nowOf(r.createdAt) : r.slot }))
    .filter((r) => r.at < tick)
    .sort((a, b) => a.at - b.at)
    .at(-1)?.record;
  // Without one (the schedule's first tick) its gate is open.
  const freeAt = previous === undefined ? -Infinity : freeAtOf(previous, { backupTimeoutMs, offset, records });
  if (freeAt === null) return { skipped: 'two Backups stuck before the tick', waitedForTurn: false };
  const quietMs = following === null ? 0 : Math.min(grace, (following - tick) / 2);
  const closesAt = Math.min((following ?? Infinity) - quietMs, startingDeadlineMs === null ? Infinity : tick + startingDeadlineMs - Math.min(grace, startingDeadlineMs / 2));
  // No view shows the fix before it is written, nor its previous Backup done before it is (siblings only hold it longer).
  const earliest = Math.max(tick, facts.fixedAt, freeAt + offset);
  if (earliest >= closesAt + 1000) {
    const because = earliest === facts.fixedAt || previous === undefined ? `a sync could answer the fix at ${formatTime(facts.fixedAt)}` : `${previous.name} was done at ${formatTime(freeAt + offset)}`;
    return { skipped: null, late: true, at: earliest, closesAt, waitedForTurn: false, because };
  }
  // Its own Backups (but the tick's and later ones) hold the gate, its siblings' the group.
  const own: Holder = { records: records.filter((r) => isBackupNowBackup(r.object) || r.slot < tick), backupTimeoutMs, graceMs: grace };
  const alone = heldUntil(Math.max(tick, facts.atLeast), { holders: [own], offset, known: facts.known });
  const turn = heldUntil(alone.at, { holders: [own, ...facts.siblings.map((s): Holder => ({ ...s, graceMs: 0 }))], offset, known: facts.known });
  const waitedForTurn = turn.at > alone.at;
  if (turn.at >= closesAt - 1000) {
    return { skipped: waitedForTurn ? "a sibling's Backup held the group until the tick's window closed" : "the fix or the gate came too late for the tick's window", waitedForTurn };
  }
  const gate = alone.holder === '' ? 'its gate open at the fix' : `${alone.holder} done or stuck`;
  const group = waitedForTurn ? `; its turn came at ${formatTime(turn.at)}, ${turn.holder} done` : facts.siblings.length > 0 ? '; no sibling of its group held it' : '';
  return { skipped: null, late: false, at: turn.at, closesAt, waitedForTurn, because: `${gate}${group}` };
}

/** Backups that hold a catch-up: the schedule's own (its gate) or a sibling's (the group's turn). */
interface Holder {
  records: readonly BackupRecord[];
  backupTimeoutMs: number | null;
  /** A recorded last Backup gone from the view counts as running until this long after it was asked for (0: not modelled). */
  graceMs: number;
}

/**
 * heldUntil is when (hook time) a catch-up owed from `from` is no longer held: once every Backup of the holders created
 * before then is done, deleted, or stuck past its schedule's backupTimeout (a recorded last Backup deleted and gone
 * counts as running until the grace after it was asked for), and the hook knows it; again for each one created before
 * the new instant. `holder` names the last Backup that held it ('' for none).
 */
function heldUntil(from: number, facts: { holders: readonly Holder[]; offset: number; known(at: number): number }): { at: number; holder: string } {
  const { offset } = facts;
  let at = from;
  let holder = '';
  for (let moved = true; moved && at < Infinity; ) {
    moved = false;
    for (const { records, backupTimeoutMs, graceMs } of facts.holders) {
      for (const record of records) {
        if (record.createdAt + offset > at) continue;
        // Done, deleted or stuck past its timeout; when its own schedule had two stuck (freeAtOf's null: its own gate
        // never opened by the stuck rule), done or deleted.
        const done = Math.min(record.finishedAt ?? Infinity, record.deletingAt ?? Infinity);
        const free = Math.max(freeAtOf(record, { backupTimeoutMs, offset, records }) ?? done, record.deletingAt === null ? -Infinity : record.createdAt + graceMs);
        const seen = free === Infinity ? Infinity : facts.known(free) + offset;
        if (seen > at) {
          at = seen;
          holder = record.name;
          moved = true;
        }
      }
    }
  }
  return { at, holder };
}

