/** What the seed incident did, measured on a finished world: lost lastBackup, overlaps, stuck pile, frozen schedule. */

import { parseGoDuration } from '../core/duration.js';
import { nextTick } from '../core/schedule.js';
import { readSpec } from '../core/spec.js';
import { BACKUP_STUCK_CONDITION, DELETION_STUCK_CONDITION } from '../core/stuck.js';
import { formatTime } from '../core/time.js';
import type { BackupSchedule, Condition } from '../core/types.js';
import { overlapOf } from './stuck-rule.js';
import type { World } from './world.js';

/** A status that does not name the newest Backup for longer than this has lost it (lags in the seed scenario are seconds). */
export const LOST_AFTER_MS = 60_000;

/** Conditions that report stuck Backups (issue 9). */
const STUCK_CONDITIONS = [BACKUP_STUCK_CONDITION, DELETION_STUCK_CONDITION];

/** The numbers of one controller's day. */
export interface SeedMetrics {
  /** Times the stored status did not name the newest existing Backup for longer than {@link LOST_AFTER_MS}. */
  lostLastBackup: number;
  /** Shorter gaps (a stale request moved the status back for a moment, or a create and its status write apart). */
  momentaryGaps: number;
  /** Backups created while another Backup of the schedule was unfinished and not being deleted (bar one stuck past spec.backupTimeout). */
  overlaps: number;
  /** Backups created in all. */
  created: number;
  /** Stuck Backups (pod or clean job that cannot run) at each sample instant. */
  stuck: Array<{ at: number; count: number }>;
  /** The last Backup creation, and whether the schedule has been frozen since (three or more ticks without one). */
  lastCreation: number | null;
  frozen: boolean;
  /** What the stored status says at the end: the Ready condition, or null when there is none. */
  ready: { reason: string; message: string } | null;
  /** The stuck conditions (BackupStuck, DeletionStuck) that are True at the end, as `type=reason`. */
  stuckReported: string[];
}

/** measureSeed reads the metrics off a finished world; `stuck` comes from samples taken during the run. */
export function measureSeed(world: World, stuck: Array<{ at: number; count: number }>): SeedMetrics {
  const { recorder } = world;
  const gaps = recorder.knowledgeGaps.map((g) => (g.to ?? world.end) - g.from).filter((ms) => ms > 0);
  const lost = gaps.filter((ms) => ms > LOST_AFTER_MS).length;
  const records = [...recorder.backups.values()];
  const timeout = world.scenario.schedule.spec['backupTimeout'];
  const parsedTimeout = typeof timeout === 'string' ? parseGoDuration(timeout) : null;
  const timeoutMs = parsedTimeout?.ok === true ? parsedTimeout.ms : null;
  const lastCreation = records.reduce<number | null>((max, r) => (max === null || r.createdAt > max ? r.createdAt : max), null);
  const parent = world.store.get(world.parentKey) as BackupSchedule | undefined;
  const ready = (parent?.status?.conditions ?? []).find((c: Condition) => c.type === 'Ready');
  return {
    lostLastBackup: lost,
    momentaryGaps: gaps.length - lost,
    overlaps: records.filter((r) => overlapOf(r.runningAtCreate, { timeoutMs, now: world.nowOf, createdAt: r.createdAt }).length > 0).length,
    created: records.length,
    stuck,
    lastCreation,
    frozen: parent !== undefined && lastCreation !== null && missedTicks(parent, { from: world.nowOf(lastCreation), to: world.nowOf(world.end) }) >= 3,
    ready: ready === undefined ? null : { reason: String(ready.reason ?? ''), message: String(ready.message ?? '') },
    stuckReported: (parent?.status?.conditions ?? [])
      .filter((c: Condition) => STUCK_CONDITIONS.includes(c.type) && c.status === 'True')
      .map((c: Condition) => `${c.type}=${String(c.reason ?? '')}`),
  };
}

function missedTicks(parent: BackupSchedule, window: { from: number; to: number }): number {
  const read = readSpec(parent);
  if (!read.ok) return 0;
  let count = 0;
  for (let t = nextTick(read.spec.schedule, { after: window.from, anchor: window.from }); t !== null && t <= window.to && count < 3; ) {
    count += 1;
    t = nextTick(read.spec.schedule, { after: t, anchor: window.from });
  }
  return count;
}

/** describeFrozen says in a few words whether and since when the schedule is frozen, and what its status says. */
export function describeFrozen(metrics: SeedMetrics): string {
  if (!metrics.frozen || metrics.lastCreation === null) return 'no';
  const since = formatTime(metrics.lastCreation).slice(11, 16);
  if (metrics.ready === null) return `since ${since}; status says nothing`;
  return `since ${since}; Ready=${metrics.ready.reason}`;
}
