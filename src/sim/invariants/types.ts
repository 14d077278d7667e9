/** Shared shapes of the invariant checks (issue 5): a numbered invariant, a violation, a check's context. */

import type { HookSettings } from '../hook.js';
import type { World } from '../world.js';

/** The six invariants of issue 5, three of the log backup and its compaction (issue 4), schedule groups, and pace. */
export type InvariantNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11;

/** Every invariant. */
export const ALL_INVARIANTS: readonly InvariantNumber[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/** One invariant broken at one instant. */
export interface Violation {
  invariant: InvariantNumber;
  /** World instant (epoch ms). */
  at: number;
  message: string;
}

/** What every check may use. */
export interface CheckContext {
  world: World;
  settings: HookSettings;
  /** The longest a change takes to reach the cache, and the longest call, in ms. */
  maxLagMs: number;
  maxLatencyMs: number;
  report(invariant: InvariantNumber, message: string): void;
}

/** INVARIANT_TITLES names each invariant in one line, for failure messages and docs. */
export const INVARIANT_TITLES: Readonly<Record<InvariantNumber, string>> = {
  1: 'one Backup per slot, and only slots the schedule produces',
  2: 'no new Backup while the previous one is (or may be) running',
  3: 'the answered status is never behind the request; lastBackup never lost',
  4: 'deletions only by a retention rule that names them, never the newest Complete, a running one or one the view shows pinned; under an invalid spec every child kept as it is, nothing created',
  5: 'after the faults stop: every open tick backed up once, retention bounds hold, stuck Backups reported',
  6: 'the same request at the same instant gets the same answer',
  7: 'one log Backup, never deleted by the hook; a missing one is reported and asked for again after the grace',
  8: 'spec.logTruncateUntil never backwards, within (log start, checkpoint], capped by compaction; the restore base kept',
  9: 'compaction: lastCompactProgress never backwards, windows never overlap, one at a time, the next one follows',
  10: "schedule groups: no Backup starts while a sibling's last Backup runs, unless the cache may not show it yet",
  11: 'no hot loop: answers that write no child stop asking to be called back within a minute, and stop changing the status, within a few minutes',
};
