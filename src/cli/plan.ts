/**
 * plan: what the hook would do now to live objects (`kubectl get bks,backups -o yaml`), before Metacontroller runs it:
 * each schedule's sync request built from them as Metacontroller builds it, and the answer `/sync` would give.
 */

import { customize } from '../core/group.js';
import { BACKUP_CHILD_TYPE, COMPACT_CHILD_TYPE, CONTROLLER_UID_LABEL } from '../core/names.js';
import { compareNames } from '../core/observe.js';
import type { Deletion } from '../core/retention.js';
import { decide } from '../core/sync.js';
import { formatTime } from '../core/time.js';
import { tsoToMillis } from '../core/tso.js';
import type { BackupSchedule, ChildMap, KubeObject, SyncRequest, SyncResponse } from '../core/types.js';
import { compileEnvelopeValidator } from '../http/request-schema.js';
import type { EnvelopeValidator } from '../http/request-schema.js';
import type { HookSettings } from '../sim/hook.js';
import { COMPOSITE_CONTROLLER } from '../sim/metacontroller.js';
import { relatedObjects } from '../sim/related.js';
import { decideAsSync } from './replay.js';

/** Options of {@link planSchedules}. */
export interface PlanOptions {
  now: number;
  settings: HookSettings;
  /** The compact-backups component is installed: CompactBackups are a child type. */
  compactBackups: boolean;
}

/** What the hook would do to one schedule. */
export interface SchedulePlan {
  /** `namespace/name`. */
  schedule: string;
  /** Metacontroller calls the hook for it: it carries the handover label `=true`. */
  handedOver: boolean;
  /** Backups and CompactBackups the schedule controls that lack `controller-uid=<uid>`: Metacontroller would release them. */
  notSeen: string[];
  /** Backups in the request (children). */
  seen: number;
  /** Why `/sync` would refuse the request (HTTP 400), or null. */
  refused: string | null;
  /** The answer of one sync now (null when refused). */
  answer: SyncResponse | null;
  /** Children this answer asks to create. */
  creates: string[];
  /** Everything retention lets go of now, with reasons, in the order retention gives (an answer asks for a batch of them). */
  deletions: Deletion[];
  /** How many of {@link deletions} this answer asks for (the rest follow in the next syncs). */
  deletedNow: number;
  /** Log Backups whose `spec.logTruncateUntil` retention moves, once all its deletions are asked for. */
  truncations: Array<{ name: string; from: string | null; to: string }>;
}

const CHILD_KINDS: ReadonlyArray<{ key: string; kind: string }> = [
  { key: BACKUP_CHILD_TYPE, kind: 'Backup' },
  { key: COMPACT_CHILD_TYPE, kind: 'CompactBackup' },
];

/** planSchedules decides, for every BackupSchedule among `objects`, the answer `/sync` would give at `options.now`. */
export function planSchedules(listed: readonly KubeObject[], options: PlanOptions): SchedulePlan[] {
  const objects = listed.map(inDefaultNamespace);
  const context: PlanContext = {
    ...options,
    validate: compileEnvelopeValidator(),
    view: { list: (kind, namespace) => inNamespace(objects, { kind, namespace }) },
  };
  return objects.filter((object) => object.kind === 'BackupSchedule').map((parent) => planSchedule(parent as BackupSchedule, context));
}

/** What planning every schedule shares: the options, the envelope check, and the objects listed as a cache lists them. */
interface PlanContext extends PlanOptions {
  validate: EnvelopeValidator;
  view: ObjectView;
}

/** planSchedule builds one schedule's request as Metacontroller would, and decides it as `/sync` would. */
function planSchedule(parent: BackupSchedule, context: PlanContext): SchedulePlan {
  const { now, settings, view } = context;
  const namespace = parent.metadata.namespace ?? 'default';
  const { children, notSeen } = childrenOf(parent, { view, namespace, compactBackups: context.compactBackups });
  const rules = customize(parent).relatedResources;
  const related = rules.length === 0 ? {} : relatedObjects(view, { rules, namespace });
  const request: SyncRequest = { controller: COMPOSITE_CONTROLLER, parent, children, related, finalizing: false };
  const base = {
    schedule: `${namespace}/${parent.metadata?.name ?? ''}`,
    handedOver: parent.metadata?.labels?.[settings.handoverLabelKey] === 'true',
    notSeen,
    seen: Object.keys(children[BACKUP_CHILD_TYPE] ?? {}).length,
  };
  const outcome = decideAsSync(request, { now, settings, validate: context.validate });
  if (!outcome.ok) return { ...base, refused: outcome.problems.join('; '), answer: null, creates: [], deletions: [], deletedNow: 0, truncations: [] };
  // One answer, as Metacontroller gets it; and one with every deletion at once, for the whole of what retention decides.
  const first = outcome.decision;
  const all = decide(outcome.request, { now, ...settings, maxDeletionsPerSync: Infinity });
  const observed = new Map(Object.values(children).flatMap((map) => Object.values(map).map((child) => [`${child.kind}/${child.metadata?.name ?? ''}`, child] as const)));
  return {
    ...base,
    refused: null,
    answer: first.response,
    creates: first.response.children.filter((child) => !observed.has(`${child.kind}/${child.metadata.name}`)).map((child) => child.metadata.name),
    deletions: all.report.deletions,
    deletedNow: first.report.deletions.length,
    truncations: all.response.children.flatMap((child) => {
      const live = observed.get(`${child.kind}/${child.metadata.name}`);
      const to = truncateUntilOf(child);
      const from = live === undefined ? null : truncateUntilOf(live);
      return live === undefined || to === null || to === from ? [] : [{ name: child.metadata.name, from, to }];
    }),
  };
}

/**
 * childrenOf selects the children Metacontroller would send, per declared type, as its controller-ref manager claims
 * them in the parent's namespace: labelled `controller-uid=<uid>` (its generated selector) and controlled by the parent
 * (owner reference with `controller: true` and its uid) or by nothing (an orphan it adopts). Controlled ones without the
 * label it releases (removes the owner reference): they are `notSeen`. Another controller's it ignores.
 */
function childrenOf(parent: BackupSchedule, options: { view: ObjectView; namespace: string; compactBackups: boolean }): { children: Record<string, ChildMap>; notSeen: string[] } {
  const uid = parent.metadata?.uid;
  const children: Record<string, ChildMap> = {};
  const notSeen: string[] = [];
  for (const { key, kind } of CHILD_KINDS) {
    if (kind === 'CompactBackup' && !options.compactBackups) continue;
    const map: ChildMap = {};
    for (const child of options.view.list(kind, options.namespace)) {
      const controller = child.metadata?.ownerReferences?.find((ref) => ref.controller === true);
      const selected = uid !== undefined && child.metadata?.labels?.[CONTROLLER_UID_LABEL] === uid;
      if (controller !== undefined && controller.uid !== uid) continue;
      if (selected) map[`${options.namespace}/${child.metadata?.name ?? ''}`] = child;
      else if (controller !== undefined) notSeen.push(`${kind} ${child.metadata?.name ?? ''}`);
    }
    children[key] = map;
  }
  return { children, notSeen };
}

/** The objects read, listed by kind and namespace as an informer cache lists them. */
interface ObjectView {
  list(kind: string, namespace: string): KubeObject[];
}

function tsoText(tso: string | null): string {
  if (tso === null) return '(none)';
  const ms = tsoToMillis(tso);
  return ms === null ? tso : `${tso} (${formatTime(ms)})`;
}

function truncateUntilOf(object: { spec?: unknown }): string | null {
  const spec = object.spec;
  const value = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>)['logTruncateUntil'] : undefined;
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * inDefaultNamespace gives an object written without a namespace (or with an empty one) the namespace `default`, where
 * the API server puts it and every request of it names it: a group's siblings and a hashed schedule's draw read it.
 */
function inDefaultNamespace(object: KubeObject): KubeObject {
  const namespace = object.metadata?.namespace;
  if (typeof namespace === 'string' && namespace !== '') return object;
  return { ...object, metadata: { ...object.metadata, namespace: 'default' } };
}

function inNamespace(objects: readonly KubeObject[], where: { kind: string; namespace: string }): KubeObject[] {
  return objects
    .filter((o) => o.kind === where.kind && o.metadata?.namespace === where.namespace)
    .sort((a, b) => compareNames(a.metadata?.name ?? '', b.metadata?.name ?? ''));
}

/** formatPlan writes a schedule's plan as lines for a person: what is created, deleted and why, and what the status says. */
export function formatPlan(plan: SchedulePlan, options: { now: number; handoverLabelKey: string }): string[] {
  const lines = [`${plan.schedule} at ${formatTime(options.now)}: ${plan.seen} Backups in the request, ${plan.deletions.length} to delete`];
  if (!plan.handedOver) {
    lines.push(`  NOTE      not labelled ${options.handoverLabelKey}=true: Metacontroller does not call the hook for it, TiDB Operator runs it (docs/install.md, "Hand over from TiDB Operator")`);
  }
  for (const name of plan.notSeen) {
    lines.push(`  NOT SEEN  ${name}: the schedule owns it, but it lacks the label ${CONTROLLER_UID_LABEL}; Metacontroller would release it, so the hook would neither count nor delete it (label it: docs/install.md, "Hand over from TiDB Operator", step 4)`);
  }
  if (plan.refused !== null || plan.answer === null) {
    lines.push(`  REFUSED   /sync would answer 400: ${plan.refused ?? 'no answer'}`);
    return lines;
  }
  for (const name of plan.creates) lines.push(`  CREATE    ${name}`);
  for (const deletion of plan.deletions) lines.push(`  DELETE    ${deletion.name}  ${deletion.reason}`);
  for (const t of plan.truncations) lines.push(`  TRUNCATE  ${t.name}  spec.logTruncateUntil ${tsoText(t.from)} -> ${tsoText(t.to)}`);
  if (plan.deletedNow < plan.deletions.length) {
    lines.push(`  (this answer asks for ${plan.deletedNow} of the ${plan.deletions.length} deletions; the next syncs ask for the rest)`);
  }
  const status = plan.answer.status;
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  if (ready !== undefined) lines.push(`  READY     ${ready.status} ${ready.reason ?? ''}: ${ready.message ?? ''}`);
  for (const condition of status.conditions ?? []) {
    if (condition.type !== 'Ready' && condition.status === 'True') lines.push(`  ${condition.type}: ${condition.reason ?? ''}: ${condition.message ?? ''}`);
  }
  if (typeof status.lastBackup === 'string' && status.lastBackup !== '') lines.push(`  LAST      ${status.lastBackup}`);
  if (typeof status.nextBackupTime === 'string') lines.push(`  NEXT      ${status.nextBackupTime}`);
  return lines;
}
