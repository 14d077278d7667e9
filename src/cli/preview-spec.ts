/** The preview's reading of a manifest's spec: the hook's own validation, and why a window shows no Backup. */

import { nextTick } from '../core/schedule.js';
import { readSpec } from '../core/spec.js';
import type { ScheduleSpec } from '../core/spec.js';
import { formatTime } from '../core/time.js';
import type { BackupSchedule } from '../core/types.js';
import type { ScheduleManifest } from '../sim/preview.js';

/** readPreviewSpec validates the manifest's spec as the hook does, or throws the message the hook writes to Ready (InvalidSpec). */
export function readPreviewSpec(manifest: ScheduleManifest): ScheduleSpec {
  const parent: BackupSchedule = { apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { ...manifest.metadata }, ...(manifest.spec === undefined ? {} : { spec: manifest.spec }) };
  const read = readSpec(parent);
  if (!read.ok) throw new Error(`the spec is invalid, so the hook would create and delete nothing (Ready=False, reason InvalidSpec): ${read.problems.join('; ')}`);
  return read.spec;
}

/** emptyWindowNote says why a preview window shows no Backup at all, or returns null when the schedule ticks in it. */
export function emptyWindowNote(spec: ScheduleSpec, window: { from: number; to: number }): string | null {
  const range = `between ${formatTime(window.from)} and ${formatTime(window.to)}`;
  if (spec.pause) return `no Backup ${range}: spec.pause is true, and no Backup starts while the schedule is paused; remove pause to preview the schedule`;
  // A new schedule's @every ticks count from its creation, the start of the preview.
  const tick = nextTick(spec.schedule, { after: window.from, anchor: window.from });
  if (tick === null) return `no Backup ${range}: the schedule "${spec.schedule.expression}" never fires`;
  if (tick > window.to) return `no Backup ${range}: the schedule's first tick is at ${formatTime(tick)}; give a longer --for`;
  return null;
}
