/**
 * Decide retention under `spec.retention`: restic's `forget` on the schedule's completed snapshot Backups
 * (newest first, rules OR'ed, one Backup may fill several buckets, the oldest one kept while a bucket has
 * room, buckets in the schedule's time zone, ISO weeks, -1 = unlimited, keepWithin counted back from the
 * newest completed slot), then a floor of `minCompleted` and a separate limit on failed/invalid Backups.
 * Never deleted: unfinished Backups, pinned ones and protected names. Every deletion says which rules let it go and why.
 */

import { calendarFields } from './calendar.js';
import type { CalendarFields } from './calendar.js';
import { isPinned } from './pin.js';
import { earliestKeptComplete, newestFirst, truncationToOldestKept } from './retention.js';
import type { Deletion, LogRetention, RetentionDecision } from './retention.js';
import { BUCKET_RULES } from './retention-spec.js';
import type { BucketRule, GfsPolicy } from './retention-spec.js';
import { formatTime } from './time.js';
import type { ObservedCompact, SnapshotBackup } from './observe.js';

/** Options of {@link decideGfsRetention}. */
export interface GfsOptions {
  now: number;
  policy: GfsPolicy;
  /** IANA zone the buckets are keyed in (the schedule's). */
  timeZone: string;
  /** Names never deleted whatever the rules say (the recorded last Backup). */
  protectedNames: ReadonlySet<string>;
  /** The log backup, when one is observed: it is truncated up to the oldest Complete snapshot that stays. */
  log?: LogRetention;
}

/** How each bucket rule keys a Backup and names its bucket. */
const BUCKETS: Record<BucketRule, { unit: string; key: (c: CalendarFields, index: number) => string }> = {
  keepLast: { unit: 'Backup', key: (_c, index) => `#${index}` },
  keepHourly: { unit: 'hour', key: (c) => `${c.year}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}h` },
  keepDaily: { unit: 'day', key: (c) => `${c.year}-${pad(c.month)}-${pad(c.day)}` },
  keepWeekly: { unit: 'week', key: (c) => `${c.isoYear}-W${pad(c.isoWeek)}` },
  keepMonthly: { unit: 'month', key: (c) => `${c.year}-${pad(c.month)}` },
  keepYearly: { unit: 'year', key: (c) => String(c.year) },
};

/** decideGfsRetention applies `spec.retention` to the snapshot Backups not already being deleted. */
export function decideGfsRetention(snapshots: readonly SnapshotBackup[], options: GfsOptions): RetentionDecision {
  const live = snapshots.filter((b) => !b.deleting);
  const completed = live.filter((b) => b.state === 'complete');
  const mayDelete = (b: SnapshotBackup): boolean => !isPinned(b) && !options.protectedNames.has(b.name);

  const letGo = applyKeepRules(newestFirst(completed.filter((b) => !isPinned(b))), { ...options, completed });
  const floor = options.policy.minCompleted;
  const goneCompleted = letGo.filter((d) => mayDelete(d.backup));
  // The floor: rescue the newest of them while fewer than minCompleted completed Backups would remain.
  const rescued = Math.max(0, Math.min(goneCompleted.length, floor - (completed.length - goneCompleted.length)));
  const deletions: Deletion[] = goneCompleted.slice(rescued).map((d) => ({ name: d.backup.name, reason: d.reason, rule: 'retention' }));

  const limit = options.policy.failedBackupsHistoryLimit;
  const failed = newestFirst(live.filter((b) => (b.state === 'failed' || b.state === 'invalid') && !isPinned(b)));
  for (const backup of failed.slice(limit)) {
    if (mayDelete(backup)) {
      deletions.push({
        name: backup.name,
        reason: `retention.failedBackupsHistoryLimit ${limit}: ${backup.state}, beyond the newest ${limit} failed or invalid`,
        rule: 'failedBackupsHistoryLimit',
      });
    }
  }
  // keepWithin counts back from the newest completed slot not in the future: a later one (a cluster clock ahead of
  // this one) moves the cutoff when its slot passes, so that instant is a call-back.
  const nextExpiry = options.policy.keepWithin === null ? null : firstSlotAfter(completed, options.now);
  return { deletions, nextExpiry, truncateUntil: truncationToOldestKept(live, { deletions, log: options.log }) };
}

/** A completed Backup no keep rule keeps, and why. */
interface LetGo {
  backup: SnapshotBackup;
  reason: string;
}

/** applyKeepRules walks the Backups newest first as restic's ApplyPolicy does; it returns those kept by no rule, newest first. */
function applyKeepRules(candidates: readonly SnapshotBackup[], options: GfsOptions & { completed: readonly SnapshotBackup[] }): LetGo[] {
  const { counts, keepWithin } = options.policy;
  const rules = BUCKET_RULES.filter((rule) => counts[rule] !== 0);
  const left = { ...counts };
  const lastKey = new Map<BucketRule, { key: string; by: string }>();
  const newest = newestSlot(options.completed, options.now);
  const cutoff = keepWithin === null || newest === null ? null : newest - keepWithin.ms;
  const zone = options.timeZone === 'UTC' ? '' : ` (${options.timeZone})`;

  const letGo: LetGo[] = [];
  candidates.forEach((backup, index) => {
    let calendar: CalendarFields | null = null; // read once, and only when a bucket rule is used (the zone lookup costs most)
    const keyOf = (rule: BucketRule): string => BUCKETS[rule].key((calendar ??= calendarFields(backup.slot, options.timeZone)), index);
    const oldest = index === candidates.length - 1;
    let kept = keepWithin !== null && (cutoff === null || backup.slot > cutoff);
    const why: string[] = [];
    if (keepWithin !== null && !kept) why.push(`keepWithin ${keepWithin.text}: its slot is not after ${formatTime(cutoff ?? 0)}`);
    for (const rule of rules) {
      const { unit } = BUCKETS[rule];
      const key = keyOf(rule);
      const previous = lastKey.get(rule);
      if (left[rule] !== 0 && (previous?.key !== key || oldest)) {
        kept = true;
        lastKey.set(rule, { key, by: backup.name });
        if (left[rule] > 0) left[rule] -= 1;
      } else if (previous !== undefined && previous.key === key) {
        why.push(`${rule} ${counts[rule]}: ${unit} ${key}${zone} is kept by ${previous.by}`);
      } else {
        why.push(`${rule} ${counts[rule]}: the newest ${counts[rule]} ${unit}${counts[rule] === 1 ? ' is' : 's are'} kept`);
      }
    }
    if (!kept) letGo.push({ backup, reason: `retention: no rule keeps it (${why.join('; ')})` });
  });
  return letGo;
}

/** newestSlot is the newest completed slot not in the future (restic ignores future snapshots for keep-within), or null. */
function newestSlot(backups: readonly SnapshotBackup[], now: number): number | null {
  let newest: number | null = null;
  for (const backup of backups) if (backup.slot <= now && (newest === null || backup.slot > newest)) newest = backup.slot;
  return newest;
}

function firstSlotAfter(backups: readonly SnapshotBackup[], now: number): number | null {
  let first: number | null = null;
  for (const backup of backups) if (backup.slot > now && (first === null || backup.slot < first)) first = backup.slot;
  return first;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Options of {@link decideGfsCompactRetention}. */
export interface GfsCompactOptions {
  /** The schedule's snapshot Backups and what retention decided about them. */
  snapshots: readonly SnapshotBackup[];
  deletions: readonly Deletion[];
  /** Names never deleted (the last CompactBackup). */
  protectedNames: ReadonlySet<string>;
}

/**
 * decideGfsCompactRetention retires, under `spec.retention`, the finished CompactBackups whose window ended at or
 * before the commit of the oldest Complete snapshot that stays: no restore replays log from before it (the log
 * itself is truncated up to that snapshot).
 */
export function decideGfsCompactRetention(compacts: readonly ObservedCompact[], options: GfsCompactOptions): Deletion[] {
  const removed = new Set(options.deletions.map((d) => d.name));
  const oldestKept = earliestKeptComplete(options.snapshots, removed);
  if (oldestKept === undefined) return [];
  return compacts
    .filter((c) => !c.deleting && c.state !== 'unfinished' && c.endAt !== null && c.endAt <= oldestKept.ageAt && !options.protectedNames.has(c.name))
    .map((c) => ({
      name: c.name,
      reason: `retention: CompactBackup window ended ${formatTime(c.endAt ?? 0)}, before ${oldestKept.name}, the oldest snapshot kept, committed at ${formatTime(oldestKept.ageAt)}`,
      rule: 'retention' as const,
    }));
}
