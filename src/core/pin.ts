/** Pinning: a Backup annotated `backup-schedule-hook/keep: "true"` is never deleted by any retention rule. */

import { KEEP_ANNOTATION } from './names.js';
import type { SnapshotBackup } from './observe.js';

/** isPinned tells whether a Backup carries `backup-schedule-hook/keep: "true"` (pinned Backups take no place in keep counts). */
export function isPinned(backup: SnapshotBackup): boolean {
  return backup.object.metadata?.annotations?.[KEEP_ANNOTATION] === 'true';
}
