/**
 * Invariant 5 across a broken spec (fault `spec-broken`): once a user fixes the spec, the schedule resumes as
 * upstream does after a pause, the most recent tick missed while it was broken runs (a catch-up), the older ones never;
 * with `spec.skipMissedOnUnpause`, a schedule that was paused before the spec broke, or whose broken spec said
 * `pause: true`, runs no tick missed meanwhile (docs/beyond.md §2, `status.pausedBeforeInvalidSpec`). The ticks the
 * broken spec kept from running are no failure of the hook: the general check (convergence.ts) starts after the fix.
 *
 * A window fixed while paused and unpaused later (`unpauseAfterMs`) resumes at the unpause, by the same rules.
 *
 * In a schedule group (README "Schedule groups"), the catch-up takes its turn: while broken the schedule has no due
 * slot, so its siblings start without it, and once fixed its catch-up slot, older than theirs, goes first, but like any
 * due slot of a group it waits while a sibling's Backup started before it runs (core/group-gate.ts). So the catch-up is
 * owed once the fix is seen and the schedule's own and its siblings' Backups started by then are done (seen a lag and a
 * call later), within the tick's window; a sibling that starts after that, before the catch-up, excuses nothing. The
 * checker judges a group's windows with invariant 10 (the group properties leave out 5: a group's due tick may wait
 * behind a sibling until it is missed), the others with invariant 5.
 *
 * Judged only where nothing else meddles: no other fault but pins and the executor's (stuck pods, slow Backups, log
 * stalls) acts from a settling time before the fault's first write to one after the fix, the spec is valid before it
 * and fixed and unpaused after it, and every instant that decides what the hook knew is a lag and a call clear of it.
 */

import { isBackupNowBackup } from '../../core/backup-now.js';
import { isLogBackup } from '../../core/backup-state.js';
import { GROUP_LABEL, groupOf } from '../../core/group.js';
import { nextTick } from '../../core/schedule.js';
import type { Schedule } from '../../core/schedule.js';
import { readSpec } from '../../core/spec.js';
import { formatTime, parseTime } from '../../core/time.js';
import type { BackupSchedule } from '../../core/types.js';
import type { BackupRecord } from '../recorder.js';
import { faultEnd, specBrokenStartMs } from '../scenario.js';
import type { Fault, SpecBroken } from '../scenario.js';
import { freeAtOf, settleMs } from './convergence.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';

/** Faults that leave a broken window judgeable: pins, and the executor's, whose effect on the gate the records show. */
const BYSTANDERS: ReadonlySet<Fault['kind']> = new Set(['backup-pinned', 'backup-unpinned', 'pods-stuck', 'slow-backups', 'log-stall']);

/** What became of one broken window. */
export interface SpecFixVerdict {
  fault: SpecBroken;
  /** Why it was not judged, or null. */
  skipped: string | null;
  /** `catch-up`: the most recent missed tick expected to run once; `skip`: no missed tick runs; `none`: nothing expected. */
  expected: 'catch-up' | 'skip' | 'none';
  /** Ticks the window held back (from when every view showed it paused or broken to the fix), each judged. */
  held: number;
  /** The schedule is in a group with siblings at the fix. */
  inGroup: boolean;
  /** A catch-up owed later than the fix alone would owe it: it waited for a sibling's Backup (its turn). */
  waitedForTurn: boolean;
}

/** Which windows a check judges: those of a schedule in a group at the fix, the others, or all. */
export type SpecFixWindows = 'group' | 'alone' | 'all';

/**
 * specFixCheck judges every broken window at the end of the run (`windows`: only those in a group, or only the others;
 * default all); `onVerdict` hears how each was judged (for the soak's counts).
 */
export function specFixCheck(context: CheckContext, options: { onVerdict?(verdict: SpecFixVerdict): void; windows?: SpecFixWindows } = {}): Check {
  const { world } = context;
  const versions: Array<{ at: number; parent: BackupSchedule }> = [];
  const missed: Array<{ at: number; slot: number }> = [];
  return {
    onStoreEvent(event) {
      if (event.key !== world.parentKey || event.type === 'deleted') return;
      versions.push({ at: event.at, parent: event.object as BackupSchedule });
      const slot = parseTime(event.object.status?.['lastMissedTime']);
      if (slot !== null && slot > (missed.at(-1)?.slot ?? -Infinity)) missed.push({ at: event.at, slot });
    },
    onFinish() {
      for (const fault of world.scenario.faults) {
        if (fault.kind !== 'spec-broken') continue;
        const verdict = judge(fault, { context, versions, missed, windows: options.windows ?? 'all' });
        if (verdict !== null) options.onVerdict?.(verdict);
      }
    },
  };
}

interface Inputs {
  context: CheckContext;
  versions: ReadonlyArray<{ at: number; parent: BackupSchedule }>;
  missed: ReadonlyArray<{ at: number; slot: number }>;
  windows: SpecFixWindows;
}

/** A schedule of the group besides the judged one: its Backups, and its backupTimeout (its spec is never edited). */
interface GroupSibling {
  records: BackupRecord[];
  backupTimeoutMs: number | null;
}

/** groupSiblingsOf lists the schedules of the world that share the schedule's group (from its labels at `parent`). */
function groupSiblingsOf(world: CheckContext['world'], parent: BackupSchedule | undefined): GroupSibling[] {
  const group = parent === undefined ? null : groupOf(parent);
  if (group === null) return [];
  return world.schedules
    .filter((handle) => handle.parentKey !== world.parentKey && handle.setup.labels?.[GROUP_LABEL] === group)
    .map((handle) => {
      const read = readSpec({ apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name: handle.setup.name }, spec: handle.setup.spec } as BackupSchedule);
      return { records: [...handle.recorder.backups.values()].filter((r) => !isLogBackup(r.object)), backupTimeoutMs: read.ok ? (read.spec.backupTimeout?.ms ?? null) : null };
    });
}

function judge(fault: SpecBroken, inputs: Inputs): SpecFixVerdict | null {
  const { context, versions } = inputs;
  const { world, maxLagMs, maxLatencyMs } = context;
  let held: number[] = [];
  let waitedForTurn = false;
  const first = world.start + specBrokenStartMs(fault);
  const broke = world.start + fault.atMs;
  const fixed = broke + fault.forMs;
  // Fixed while paused and unpaused later: the schedule resumes at the unpause.
  const resumed = fixed + (fault.pause === undefined ? 0 : (fault.unpauseAfterMs ?? 0));
  const specAt = (at: number): BackupSchedule | undefined => [...versions].reverse().find((v) => v.at <= at)?.parent;
  const siblings = groupSiblingsOf(world, specAt(resumed));
  const inGroup = siblings.length > 0;
  if (inputs.windows !== 'all' && inGroup !== (inputs.windows === 'group')) return null;
  const verdict = (skipped: string | null, expected: SpecFixVerdict['expected'] = 'none'): SpecFixVerdict => ({ fault, skipped, expected, held: held.length, inGroup, waitedForTurn });
  const settle = settleMs(context);
  if (resumed + settle >= world.end) return verdict('fixed too close to the end');
  const meddles = world.scenario.faults.some((other) => {
    if (other === fault || BYSTANDERS.has(other.kind)) return false;
    const from = world.start + (other.kind === 'spec-broken' ? specBrokenStartMs(other) : other.atMs);
    const to = world.start + (faultEnd(other) ?? Infinity);
    return from <= resumed + settle && to >= first - settle;
  });
  if (meddles) return verdict('another fault acts around it');
  const before = specAt(first - 1);
  const broken = specAt(broke);
  const after = specAt(resumed);
  if (before === undefined || broken === undefined || after === undefined) return verdict('no schedule');
  const readBefore = readSpec(before);
  const readAfter = readSpec(after);
  if (!readBefore.ok || readBefore.spec.pause) return verdict('the spec was invalid or paused before');
  if (readSpec(broken).ok) return verdict('the patch did not break the spec');
  if (!readAfter.ok || readAfter.spec.pause) return verdict('the fix left it invalid or paused');
  const schedule = readAfter.spec.schedule;
  if (schedule.expression !== readBefore.spec.schedule.expression || schedule.timeZone !== readBefore.spec.schedule.timeZone) return verdict('the fix changed the schedule');

  // A change is in every view, and answered, this long after it is written.
  const seenMs = maxLagMs + maxLatencyMs + 1000;
  // Paused before the break, or by the breaking edit: the hook knew it before the fix only if a sync saw it in time.
  // Fixed while still paused: a sync that sees the fixed spec paused records the pause too.
  const pausedKnown =
    fault.pause === undefined ? false : (fault.pause === 'with-break' ? fault.forMs >= seenMs : fault.pause.aheadMs >= seenMs) || resumed - fixed >= seenMs;
  const skipping = readAfter.spec.skipMissedOnUnpause && fault.pause !== undefined;
  if (skipping && !pausedKnown) return verdict('the pause may not have been seen before the fix');

  const offset = world.nowOf(resumed) - resumed;
  const records = [...world.recorder.backups.values()].filter((r): r is BackupRecord & { slot: number } => r.slot !== null);
  const scheduled = records.filter((r) => !isBackupNowBackup(r.object));
  const count = (tick: number): number => scheduled.filter((r) => r.slot === tick).length;
  // The hook's watermark when the window opened: its last Backup's slot, or a newer missed slot.
  const anchorRecord = scheduled.filter((r) => r.createdAt < first).sort((a, b) => b.slot - a.slot)[0];
  const missedSlot = [...inputs.missed].reverse().find((m) => m.at < first)?.slot ?? -Infinity;
  const anchor = Math.max(anchorRecord?.slot ?? parseTime(before.metadata.creationTimestamp) ?? world.start, missedSlot);
  // Ticks from when every view showed the schedule paused or broken to the fix (or the unpause after it), on the hook's clock.
  const from = first + seenMs + offset;
  const ticks = ticksBetween(schedule, { anchor, after: anchor, to: resumed + offset });
  held = ticks.filter((t) => t >= from);
  const fixedSays = resumed === fixed ? `spec fixed and unpaused at ${formatTime(fixed)}` : `spec fixed at ${formatTime(fixed)} while paused, unpaused at ${formatTime(resumed)}`;
  if (skipping) {
    for (const t of held) if (count(t) !== 0) context.report(5, `tick ${formatTime(t)}, missed while paused and then broken (${fixedSays}), was backed up although spec.skipMissedOnUnpause is set`);
    return verdict(null, held.length === 0 ? 'none' : 'skip');
  }
  const latest = ticks.at(-1);
  for (const t of held) if (t !== latest && count(t) !== 0) context.report(5, `tick ${formatTime(t)}, missed while the spec was broken, was backed up although ${formatTime(latest ?? t)} is a newer one (no backfill)`);
  if (latest === undefined || latest < from) return verdict(null);
  const spec = { backupTimeoutMs: readAfter.spec.backupTimeout?.ms ?? null, startingDeadlineMs: readAfter.spec.startingDeadlineMs };
  const judged = catchUp(latest, { context, records, offset, fixedSeenAt: resumed + seenMs + offset, fixed: resumed, schedule, anchor, count, siblings, ...spec });
  waitedForTurn = judged.waitedForTurn;
  return verdict(judged.skipped, judged.skipped === null ? 'catch-up' : 'none');
}

/**
 * catchUp judges the most recent tick missed while broken: it runs once if its gate opened, and the fix was seen,
 * before the tick's window closed; in a group, once the Backups its siblings started before then were done too (its
 * turn). Returns why it could not judge, or null, and whether it was owed later for its turn.
 */
function catchUp(
  tick: number,
  facts: {
    context: CheckContext;
    records: Array<BackupRecord & { slot: number }>;
    offset: number;
    fixedSeenAt: number;
    fixed: number;
    schedule: Schedule;
    anchor: number;
    backupTimeoutMs: number | null;
    startingDeadlineMs: number | null;
    count(tick: number): number;
    siblings: readonly GroupSibling[];
  },
): { skipped: string | null; waitedForTurn: boolean } {
  const { context, records, offset, schedule, backupTimeoutMs, startingDeadlineMs } = facts;
  const { world, maxLagMs, maxLatencyMs, settings } = context;
  // The Backup before the tick (a backup-now one at the hook's reading of its creation) holds its gate until it is done.
  const previous = records
    .map((r) => ({ record: r, at: isBackupNowBackup(r.object) ? world.nowOf(r.createdAt) : r.slot }))
    .filter((r) => r.at < tick)
    .sort((a, b) => a.at - b.at)
    .at(-1)?.record;
  if (previous === undefined) return { skipped: 'no Backup before the tick', waitedForTurn: false };
  const freeAt = freeAtOf(previous, { backupTimeoutMs, offset, records });
  if (freeAt === null) return { skipped: 'two Backups stuck before the tick', waitedForTurn: false };
  const following = nextTick(schedule, { after: tick, anchor: facts.anchor });
  const grace = settings.staleViewGraceMs;
  const quietMs = following === null ? 0 : Math.min(grace, (following - tick) / 2);
  const closesAt = Math.min((following ?? Infinity) - quietMs, startingDeadlineMs === null ? Infinity : tick + startingDeadlineMs - Math.min(grace, startingDeadlineMs / 2));
  const alone = Math.max(tick, freeAt + offset + maxLagMs + maxLatencyMs + 1000, facts.fixedSeenAt);
  const turn = groupTurnAt(alone, { siblings: facts.siblings, offset, seenMs: maxLagMs + maxLatencyMs + 1000 });
  const waitedForTurn = turn.at > alone;
  if (turn.at >= closesAt - 1000) {
    return { skipped: waitedForTurn ? "a sibling's Backup held the group until the tick's window closed" : "the fix or the gate came too late for the tick's window", waitedForTurn };
  }
  const n = facts.count(tick);
  const group = waitedForTurn ? `; its turn came at ${formatTime(turn.at)}, ${turn.holder} done` : facts.siblings.length > 0 ? '; no sibling of its group held it' : '';
  if (n !== 1) context.report(5, `tick ${formatTime(tick)}, the most recent one missed while the spec was broken (fixed at ${formatTime(facts.fixed)}), was backed up ${n} times; upstream catches it up once (${previous.name} done or stuck at ${formatTime(freeAt)}${group})`);
  return { skipped: null, waitedForTurn };
}

/**
 * groupTurnAt is when (hook time) a catch-up owed from `from` alone has its turn in its group: once every Backup a
 * sibling started before then (a scheduled or a backup-now one, each holds the group while it runs) is done, deleted or
 * stuck past its schedule's backupTimeout, and seen so a lag and a call later; again for each sibling Backup started
 * before the new instant. Without siblings, `from`. `holder` names the last Backup that held it.
 */
function groupTurnAt(from: number, facts: { siblings: readonly GroupSibling[]; offset: number; seenMs: number }): { at: number; holder: string } {
  const { offset, seenMs } = facts;
  let at = from;
  let holder = '';
  for (let moved = true; moved && at < Infinity; ) {
    moved = false;
    for (const sibling of facts.siblings) {
      for (const record of sibling.records) {
        if (record.createdAt + offset > at) continue;
        // Done, deleted or stuck past its timeout; when its own schedule had two stuck (freeAtOf's null: its own gate
        // never opened by the stuck rule), done or deleted.
        const done = Math.min(record.finishedAt ?? Infinity, record.deletingAt ?? Infinity);
        const free = freeAtOf(record, { backupTimeoutMs: sibling.backupTimeoutMs, offset, records: sibling.records }) ?? done;
        const seen = free + offset + seenMs;
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

/** ticksBetween lists the schedule's ticks after `after` and at or before `to` (hook time). */
function ticksBetween(schedule: Schedule, window: { anchor: number; after: number; to: number }): number[] {
  const ticks: number[] = [];
  for (let t = nextTick(schedule, { after: window.after, anchor: window.anchor }); t !== null && t <= window.to; t = nextTick(schedule, { after: t, anchor: window.anchor })) ticks.push(t);
  return ticks;
}
