/**
 * Invariant 5 across a broken spec (fault `spec-broken`): once a user fixes the spec, the schedule resumes as
 * upstream does after a pause, the most recent tick missed while it was broken runs (a catch-up), the older ones never;
 * with `spec.skipMissedOnUnpause`, a schedule that was paused before the spec broke, or whose broken spec said
 * `pause: true`, runs no tick missed meanwhile (docs/beyond.md §2, `status.pausedBeforeInvalidSpec`). The ticks the
 * broken spec kept from running are no failure of the hook: the general check (convergence.ts) starts after the fix.
 *
 * What the hook could run is read from the stored specs (spec-timeline.ts): a window is the span of specs that are
 * invalid or paused around the fault's writes, so a pause before or around the break, or after the fix (fixed while
 * paused, unpaused later), and windows that overlap are one span, judged once, resuming at the first valid, unpaused
 * spec. The pause counts where a sync surely saw the spec paused (after the last wiped status) before it resumed.
 *
 * In a schedule group (README "Schedule groups"), the catch-up takes its turn: while broken the schedule has no due
 * slot, so its siblings start without it, and once fixed its catch-up slot, older than theirs, goes first, but like any
 * due slot of a group it waits while a sibling's Backup started before it runs (core/group-gate.ts). So the catch-up is
 * owed once the fix is seen and the schedule's own and its siblings' Backups started by then are done (seen a lag and a
 * call later), within the tick's window; a sibling that starts after that, before the catch-up, excuses nothing. The
 * checker judges a group's windows with invariant 10 (the group properties leave out 5: a group's due tick may wait
 * behind a sibling until it is missed), the others with invariant 5.
 *
 * Other faults near a window (spec-fix-neighbours.ts): outages of the hook or Metacontroller delay what the hook knows
 * (known-by.ts), a backup-now or user-deleted Backup moves when the gate opens, a clock step within the bound moves the
 * hook's readings; what leaves the outcome undetermined (a refused create, a deletion, a wiped status, a clock step or
 * an edit after the fix, before the outcome is decided; a relabel or a stuck cache anywhere near) leaves it unjudged.
 */

import { isBackupNowBackup } from '../../core/backup-now.js';
import { isAnchored, nextTick } from '../../core/schedule.js';
import type { Schedule } from '../../core/schedule.js';
import { readSpec } from '../../core/spec.js';
import { formatTime, parseTime } from '../../core/time.js';
import type { BackupSchedule } from '../../core/types.js';
import type { BackupRecord } from '../recorder.js';
import { specBrokenStartMs } from '../scenario.js';
import type { SpecBroken } from '../scenario.js';
import { highestHookReading, settleMs } from './convergence.js';
import { firstAnswerFrom, knownBy, knownMs, outagesOf } from './known-by.js';
import type { Outage } from './known-by.js';
import type { Check } from './slots.js';
import { afterFixNear, clockStepNear, refusedCreatesFreeAt, unmodelledNear, wipesOf } from './spec-fix-neighbours.js';
import { catchUpOwedAt, groupSiblingsOf } from './spec-fix-owed.js';
import { neighboursOf, readingAt, scheduleSetAt, spanAt, specTimelineOf } from './spec-timeline.js';
import type { SpecSpan, SpecTimeline, SpecVersion } from './spec-timeline.js';
import type { CheckContext } from './types.js';

/** What became of one broken window. */
export interface SpecFixVerdict {
  fault: SpecBroken;
  /** Why it was not judged, or null. */
  skipped: string | null;
  /**
   * `catch-up`: the most recent missed tick expected to run once; `skip`: no missed tick runs; `missed`: the most recent
   * one runs neither (its window closed before the hook could know the fix, or before its previous Backup was done);
   * `none`: nothing expected.
   */
  expected: 'catch-up' | 'skip' | 'missed' | 'none';
  /** Ticks the window held back (from when every view showed it paused or broken to the fix), each judged. */
  held: number;
  /** The schedule is in a group with siblings at the fix. */
  inGroup: boolean;
  /** A catch-up owed later than the fix alone would owe it: it waited for a sibling's Backup (its turn). */
  waitedForTurn: boolean;
  /** Other broken windows that overlap it, judged with it as one span (each of those says so). */
  merged: number;
}

/** Which windows a check judges: those of a schedule in a group at the fix, the others, or all. */
export type SpecFixWindows = 'group' | 'alone' | 'all';

/**
 * specFixCheck judges every broken window at the end of the run (`windows`: only those in a group, or only the others;
 * default all); `onVerdict` hears how each was judged (for the soak's counts).
 */
export function specFixCheck(context: CheckContext, options: { onVerdict?(verdict: SpecFixVerdict): void; windows?: SpecFixWindows } = {}): Check {
  const { world } = context;
  const versions: SpecVersion[] = [];
  const missed: Array<{ at: number; slot: number }> = [];
  return {
    onStoreEvent(event) {
      if (event.key !== world.parentKey || event.type === 'deleted') return;
      versions.push({ at: event.at, parent: event.object as BackupSchedule });
      const slot = parseTime(event.object.status?.['lastMissedTime']);
      if (slot !== null && slot > (missed.at(-1)?.slot ?? -Infinity)) missed.push({ at: event.at, slot });
    },
    onFinish() {
      const faults = world.scenario.faults.filter((fault): fault is SpecBroken => fault.kind === 'spec-broken');
      if (faults.length === 0) return;
      const inputs: Inputs = { context, versions, missed, windows: options.windows ?? 'all', timeline: specTimelineOf(versions), outages: outagesOf(world) };
      for (const fault of faults) {
        const verdict = judge(fault, inputs);
        if (verdict !== null) options.onVerdict?.(verdict);
      }
    },
  };
}

interface Inputs {
  context: CheckContext;
  versions: readonly SpecVersion[];
  missed: ReadonlyArray<{ at: number; slot: number }>;
  windows: SpecFixWindows;
  timeline: SpecTimeline;
  outages: readonly Outage[];
}

function judge(fault: SpecBroken, inputs: Inputs): SpecFixVerdict | null {
  const { context, timeline } = inputs;
  const { world } = context;
  const grace = context.settings.staleViewGraceMs;
  let held: number[] = [];
  let waitedForTurn = false;
  let merged = 0;
  const firstWrite = world.start + specBrokenStartMs(fault);
  const span = spanAt(timeline, firstWrite);
  const resumed = span?.after?.at ?? null;
  const specAt = (at: number): BackupSchedule | undefined => [...inputs.versions].reverse().find((v) => v.at <= at)?.parent;
  const siblings = groupSiblingsOf(world, specAt(resumed ?? world.end));
  const inGroup = siblings.length > 0;
  if (inputs.windows !== 'all' && inGroup !== (inputs.windows === 'group')) return null;
  const verdict = (skipped: string | null, expected: SpecFixVerdict['expected'] = 'none'): SpecFixVerdict => ({ fault, skipped, expected, held: held.length, inGroup, waitedForTurn, merged });
  if (span === null || readingAt(timeline, world.start + fault.atMs)?.schedule !== null) return verdict('the patch did not break the spec');
  // Overlapping windows are one span of specs the hook cannot run: judged once, with the first of them.
  const firstOf = (other: SpecBroken): number => world.start + specBrokenStartMs(other);
  const together = world.scenario.faults.filter((other): other is SpecBroken => other.kind === 'spec-broken' && spanAt(timeline, firstOf(other)) === span);
  const leader = together.reduce((a, b) => (firstOf(b) < firstOf(a) ? b : a));
  if (leader !== fault) return verdict('judged with an earlier window it overlaps');
  merged = together.length - 1;
  if (span.before === null) return verdict('the spec was invalid or paused before');
  if (span.after === null || resumed === null) return verdict('the fix left it invalid or paused');
  const settle = settleMs(context);
  if (resumed + settle >= world.end) return verdict('fixed too close to the end');
  const first = span.first.at;
  const unmodelled = unmodelledNear(world, { from: first - settle, to: resumed + settle });
  if (unmodelled !== null) return verdict(unmodelled);
  const before = span.before.reading;
  const readAfter = readSpec(span.after.parent);
  if (!readAfter.ok) return verdict('the fix left it invalid or paused');
  // Edited while broken, never valid with the new schedule in the span: the hook recorded the old one's hash, so the first
  // sync after the fix sees an edit and runs no tick due before it (as after a pause with skipMissedOnUnpause).
  const editedWhileBroken = span.after.schedule !== before.schedule;
  if ([...span.schedules].some((s) => s !== before.schedule)) return verdict('the schedule was edited while it was paused');

  const knownFacts = { outages: inputs.outages, knownMs: knownMs(context) };
  const known = (at: number): number => knownBy(at, knownFacts);
  // An edit the hook had not seen when the spec broke is first seen after the fix, and then runs no tick due before.
  const set = scheduleSetAt(timeline, first - 1);
  if (set?.edited === true && known(set.at) > first) return verdict('the schedule was edited too shortly before it for a sync to see the edit');
  const editQuietEnd = set?.edited === true ? highestHookReading(world, known(set.at)) + grace : -Infinity;
  const skipMissed = readAfter.spec.skipMissedOnUnpause;
  // A pause the hook may not have seen end before this span began is carried into it.
  const { previous: previousSpan, next: nextSpan } = neighboursOf(timeline, span);
  if (skipMissed && (previousSpan?.paused.length ?? 0) > 0 && known(span.before.normalFrom) > first) return verdict('it began too soon after a pause for a sync to see the schedule resumed');
  const wipes = wipesOf(world);
  const decidedBy = known(resumed);
  const pausedSkip = skipMissed && span.paused.length > 0;
  if (pausedSkip && !editedWhileBroken) {
    const unknown = pauseUnknown(span, { wipes, known, resumed, decidedBy });
    if (unknown !== null) return verdict(unknown);
  }
  // A wiped status forgets the old schedule's hash, unless a valid sync recorded it again before the span.
  if (editedWhileBroken && wipes.some((w) => known(w) > first && w <= decidedBy)) return verdict('the status was wiped, and with it the schedule the edit is seen against');
  const skipping = pausedSkip || editedWhileBroken;

  const offset = world.nowOf(resumed) - resumed;
  const records = [...world.recorder.backups.values()].filter((r): r is BackupRecord & { slot: number } => r.slot !== null);
  const scheduled = records.filter((r) => !isBackupNowBackup(r.object));
  const count = (tick: number): number => scheduled.filter((r) => r.slot === tick).length;
  // The hook's watermark when the window opened: its last Backup's slot, or a newer missed slot.
  const anchorRecord = scheduled.filter((r) => r.createdAt < first).sort((a, b) => b.slot - a.slot)[0];
  const missedEntry = [...inputs.missed].reverse().find((m) => m.at < first);
  const anchor = Math.max(anchorRecord?.slot ?? parseTime(before.parent.metadata.creationTimestamp) ?? world.start, missedEntry?.slot ?? -Infinity);
  const schedule = readAfter.spec.schedule;
  // A wiped status loses the missed slot @every counts from; the hook finds only its last Backup again.
  const anchoredSince = Math.max(anchorRecord?.createdAt ?? world.start, missedEntry?.at ?? -Infinity);
  if (isAnchored(schedule) && wipes.some((w) => w > anchoredSince && w <= resumed + settle)) return verdict('the status was wiped, and with it the anchor of @every');
  // Ticks from when every view showed the schedule paused or broken (the hook's highest reading by then) to the fix.
  const from = highestHookReading(world, first + knownMs(context));
  const ticks = ticksBetween(schedule, { anchor, after: anchor, to: resumed + offset });
  held = ticks.filter((t) => t >= from);
  const latest = ticks.at(-1);
  const following = latest === undefined ? null : nextTick(schedule, { after: latest, anchor });
  const boundMs = Math.min(grace, shortestGap([...ticks, ...(following === null ? [] : [following])])) / 2;
  const around = { from: first - settle, to: resumed + settle };
  // Fixed while still paused: the last spec of the span is valid.
  const fixedSays = timeline.readings[timeline.readings.indexOf(span.after) - 1]?.schedule != null ? `spec fixed while paused, unpaused at ${formatTime(resumed)}` : `spec fixed and unpaused at ${formatTime(resumed)}`;
  // Past the bound a step may make an older tick due again; within it, one after the fix may make the latest due again.
  const pastBound = held.length === 0 ? null : clockStepNear(world, { steady: { from: Infinity, to: -Infinity }, around, boundMs });
  if (pastBound !== null) return verdict(pastBound);
  if (skipping) {
    if (held.length === 0) return verdict(null);
    const stepped = clockStepNear(world, { steady: { from: resumed, to: decidedBy }, around, boundMs });
    if (stepped !== null) return verdict(stepped);
    const followingWorld = (following ?? Infinity) - offset;
    const wiped = wipes.find((w) => w >= resumed && w <= followingWorld);
    if (wiped !== undefined) return verdict('the status was wiped after the fix, before the next tick');
    const why = editedWhileBroken
      ? `missed while the spec was broken and its schedule edited (${fixedSays}), was backed up although the first sync to see the edit runs no tick due before it`
      : `missed while paused and then broken (${fixedSays}), was backed up although spec.skipMissedOnUnpause is set`;
    for (const t of held) if (count(t) !== 0) context.report(5, `tick ${formatTime(t)}, ${why}`);
    return verdict(null, 'skip');
  }
  for (const t of held) if (t !== latest && count(t) !== 0) context.report(5, `tick ${formatTime(t)}, missed while the spec was broken, was backed up although ${formatTime(latest ?? t)} is a newer one (no backfill)`);
  if (latest === undefined || latest < from) return verdict(null);
  const owed = catchUpOwedAt(latest, {
    context,
    records,
    offset,
    known,
    siblings,
    following,
    backupTimeoutMs: readAfter.spec.backupTimeout?.ms ?? null,
    startingDeadlineMs: readAfter.spec.startingDeadlineMs,
    // Known to the hook: the fix, and the end of the quiet after an edit or a refused create of its last Backup.
    atLeast: Math.max(known(resumed) + offset, editQuietEnd, known(refusedCreatesFreeAt(world, { askedBefore: first + knownMs(context), graceMs: grace })) + offset),
    fixedAt: firstAnswerFrom(resumed, inputs.outages) + offset,
  });
  waitedForTurn = owed.waitedForTurn;
  if (owed.skipped !== null) return verdict(owed.skipped);
  if (owed.late) {
    // No sync could run it before its window closed; a step of the hook's clock back could open the window again.
    const stepped = clockStepNear(world, { steady: { from: resumed, to: (following ?? Infinity) - offset }, around, boundMs });
    if (stepped !== null) return verdict(stepped);
    const n = count(latest);
    if (n !== 0) context.report(5, `tick ${formatTime(latest)}, the most recent one missed while the spec was broken (${fixedSays}), was backed up ${n} times although its window closed at ${formatTime(owed.closesAt)}, before ${owed.because}`);
    return verdict(null, 'missed');
  }
  // After the fix, until the catch-up is surely asked for and created: nothing that may stop or repeat it.
  const createdBy = owed.at - offset + knownMs(context);
  const steady = { from: resumed, to: createdBy };
  if (nextSpan !== null && nextSpan.first.at <= createdBy) return verdict('the spec was broken or paused again before its catch-up');
  if ((scheduleSetAt(timeline, createdBy)?.at ?? -Infinity) > resumed) return verdict('the schedule was edited after the fix, before its catch-up');
  const stepped = clockStepNear(world, { steady, around: { from: around.from, to: Math.max(around.to, createdBy) }, boundMs });
  const after = stepped ?? afterFixNear(world, { steady, following: { from: resumed, to: (following ?? Infinity) - offset } });
  if (after !== null) return verdict(after);
  const n = count(latest);
  if (n !== 1) context.report(5, `tick ${formatTime(latest)}, the most recent one missed while the spec was broken (${fixedSays}), was backed up ${n} times; upstream catches it up once (${owed.because})`);
  return verdict(null, 'catch-up');
}

/** pauseUnknown says why the hook may not know of the span's pause when it resumes (null: it surely does). */
function pauseUnknown(span: SpecSpan, facts: { wipes: readonly number[]; known(at: number): number; resumed: number; decidedBy: number }): string | null {
  const { wipes, resumed } = facts;
  const afterFix = wipes.find((w) => w >= resumed && w <= facts.decidedBy);
  if (afterFix !== undefined) return 'the status was wiped after the fix, before the skip was decided';
  // A wiped status forgets the pause: a sync must see the spec paused after the last wipe, and be answered while it is.
  const lastWipe = Math.max(-Infinity, ...wipes.filter((w) => w < resumed));
  const seen = span.paused.some((p) => p.to > lastWipe && facts.known(Math.max(p.from, lastWipe)) <= p.to);
  return seen ? null : 'the pause may not have been seen before the fix';
}

/** shortestGap is the shortest time between consecutive instants (Infinity for fewer than two). */
function shortestGap(instants: readonly number[]): number {
  let gap = Infinity;
  for (let i = 1; i < instants.length; i += 1) gap = Math.min(gap, (instants[i] as number) - (instants[i - 1] as number));
  return gap;
}

/** ticksBetween lists the schedule's ticks after `after` and at or before `to` (hook time). */
function ticksBetween(schedule: Schedule, window: { anchor: number; after: number; to: number }): number[] {
  const ticks: number[] = [];
  for (let t = nextTick(schedule, { after: window.after, anchor: window.anchor }); t !== null && t <= window.to; t = nextTick(schedule, { after: t, anchor: window.anchor })) ticks.push(t);
  return ticks;
}
