/**
 * Schedule groups (`tidb.pingcap.com/backup-schedule-group`): snapshot Backups of the schedules in a namespace
 * that share the label's value run one at a time (group-gate.ts decides). The hook sees its siblings through
 * Metacontroller's related resources: the customize hook asks for the group's BackupSchedules and Backups (both carry
 * the label, since Backups copy their schedule's labels). Metacontroller keeps a schedule's customize answer per
 * generation for up to 20 minutes, so a group label added or changed is not yet selected: the schedule is then missing
 * from its own related schedules, and says so in a condition of its own.
 */

import type { Finding } from './status.js';
import type { BackupSchedule, ChildMap } from './types.js';

/** The label that groups schedules. */
export const GROUP_LABEL = 'tidb.pingcap.com/backup-schedule-group';
/** The related-objects key of BackupSchedules. */
export const SCHEDULE_RELATED_TYPE = 'BackupSchedule.pingcap.com/v1alpha1';

/** groupOf is the schedule's group: its {@link GROUP_LABEL} label, or null without one (absent or empty). */
export function groupOf(parent: BackupSchedule): string | null {
  const group = parent.metadata.labels?.[GROUP_LABEL];
  return typeof group === 'string' && group !== '' ? group : null;
}

/** A Metacontroller related-resource rule. */
export interface RelatedResourceRule {
  apiVersion: string;
  resource: string;
  labelSelector: { matchLabels: Record<string, string> };
}

/** customize answers Metacontroller's customize hook: the group's schedules and Backups, or nothing without a group. */
export function customize(parent: BackupSchedule): { relatedResources: RelatedResourceRule[] } {
  const group = groupOf(parent);
  if (group === null) return { relatedResources: [] };
  const labelSelector = { matchLabels: { [GROUP_LABEL]: group } };
  return {
    relatedResources: [
      { apiVersion: 'pingcap.com/v1alpha1', resource: 'backupschedules', labelSelector },
      { apiVersion: 'pingcap.com/v1alpha1', resource: 'backups', labelSelector },
    ],
  };
}

/** The condition a schedule of a group reports while the related objects it is sent lack it. */
export const GROUP_NOT_VISIBLE_CONDITION = 'GroupNotVisible';
/** What {@link GROUP_NOT_VISIBLE_CONDITION} says once the related objects include the schedule again. */
const GROUP_VISIBLE_RESOLVED: Finding = {
  reason: 'GroupVisible',
  message: 'the related objects Metacontroller sends include this schedule: its group is seen',
};
/** What {@link GROUP_NOT_VISIBLE_CONDITION} says once the schedule has left its group (its label removed or emptied). */
const NO_GROUP_RESOLVED: Finding = {
  reason: 'NoGroup',
  message: `this schedule has no ${GROUP_LABEL} label: it is in no group`,
};

/** groupVisibleResolved is what {@link GROUP_NOT_VISIBLE_CONDITION} says once it no longer holds: the group is seen, or there is none. */
export function groupVisibleResolved(parent: BackupSchedule): Finding {
  return groupOf(parent) === null ? NO_GROUP_RESOLVED : GROUP_VISIBLE_RESOLVED;
}

/**
 * groupNotVisibleFinding reports a schedule of a group that is missing from the related schedules it was sent. The
 * related schedules come from the same informer as the parent, so they lack it only when the customize answer is
 * not this label's: Metacontroller keeps the answer of a uid and generation for up to 20 minutes, and a label edit
 * does not change the generation (or no customize hook is declared). Until then the group's Backups are not seen.
 */
export function groupNotVisibleFinding(parent: BackupSchedule, related: Record<string, ChildMap> | undefined): Finding | null {
  const group = groupOf(parent);
  if (group === null) return null;
  const { name, namespace } = parent.metadata;
  const schedules = related?.[SCHEDULE_RELATED_TYPE] ?? {};
  for (const key of Object.keys(schedules)) {
    const meta = schedules[key]?.metadata;
    if (meta?.name === name && meta?.namespace === namespace && meta?.labels?.[GROUP_LABEL] === group) return null;
  }
  return {
    reason: 'RelatedObjectsLackSchedule',
    message:
      `this schedule is in group ${group}, but the related objects Metacontroller sent do not include it, so it does not ` +
      `see its group and does not wait for it. Metacontroller keeps a schedule's customize answer per metadata.generation ` +
      `for up to 20 minutes and a label edit does not change the generation: it asks again within 20 minutes, or at the ` +
      `next spec change. If this lasts, check that the CompositeController declares the customize hook (/customize)`,
  };
}
