/**
 * How Metacontroller writes a desired child (dynamic-apply): on create, the desired object plus the
 * selector label, the last-applied annotation and the controller owner reference; on an InPlace update, a
 * three-way merge of last-applied, observed and desired (a no-op when desired equals last-applied: upstream
 * re-applies the desired fields over the observed object, which is the same while Metacontroller is the only writer
 * of a child's labels, annotations and spec, as in the simulator).
 */

import { isDeepStrictEqual } from 'node:util';

import { CONTROLLER_UID_LABEL, LAST_APPLIED_ANNOTATION } from '../core/names.js';
import type { BackupSchedule, DesiredChild, JsonObject, KubeObject } from '../core/types.js';

/** withSelectorLabel returns the desired child with `controller-uid=<parent uid>` added when it lacks it. */
export function withSelectorLabel(desired: DesiredChild, parent: BackupSchedule): DesiredChild {
  const labels = desired.metadata.labels ?? {};
  if (labels[CONTROLLER_UID_LABEL] !== undefined) return desired;
  return { ...desired, metadata: { ...desired.metadata, labels: { ...labels, [CONTROLLER_UID_LABEL]: parent.metadata.uid ?? '' } } };
}

/** objectToCreate returns what Metacontroller POSTs for a desired child that does not exist. */
export function objectToCreate(desired: DesiredChild, parent: BackupSchedule): KubeObject {
  const labelled = withSelectorLabel(desired, parent);
  const lastApplied = structuredClone(labelled) as KubeObject;
  const object = structuredClone(labelled) as KubeObject & { metadata: JsonObject };
  object.metadata['namespace'] ??= parent.metadata.namespace ?? '';
  object.metadata['annotations'] = { ...(labelled.metadata.annotations ?? {}), [LAST_APPLIED_ANNOTATION]: JSON.stringify(lastApplied) };
  object.metadata['ownerReferences'] = [
    {
      apiVersion: parent.apiVersion ?? 'pingcap.com/v1alpha1',
      kind: parent.kind ?? 'BackupSchedule',
      name: parent.metadata.name ?? '',
      uid: parent.metadata.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  return object;
}

/**
 * inPlaceUpdate returns the observed child merged with the desired one (labels, annotations, spec), or null
 * when the merge changes nothing. Keys that were applied before and are no longer desired are removed.
 */
export function inPlaceUpdate(observed: KubeObject, change: { desired: DesiredChild; parent: BackupSchedule }): KubeObject | null {
  const { desired, parent } = change;
  const labelled = withSelectorLabel(desired, parent);
  // Desired equal to what was applied last: the three-way patch is empty, whatever the observed object holds.
  if (JSON.stringify(labelled) === observed.metadata?.annotations?.[LAST_APPLIED_ANNOTATION]) return null;
  const before = lastAppliedOf(observed);
  if (isDeepStrictEqual(before, labelled)) return null;
  const labels = merge3(observed.metadata?.labels, { applied: before.metadata?.labels, desired: labelled.metadata.labels });
  const annotations = merge3(withoutLastApplied(observed.metadata?.annotations), {
    applied: withoutLastApplied(before.metadata?.annotations),
    desired: withoutLastApplied(labelled.metadata.annotations),
  });
  const spec = merge3(observed.spec, { applied: before.spec, desired: labelled.spec as JsonObject | undefined });
  const lastApplied = JSON.stringify(labelled);
  const unchanged =
    isDeepStrictEqual(labels, observed.metadata?.labels ?? {}) &&
    isDeepStrictEqual(annotations, withoutLastApplied(observed.metadata?.annotations)) &&
    isDeepStrictEqual(spec, observed.spec ?? {}) &&
    isDeepStrictEqual(before, JSON.parse(lastApplied));
  if (unchanged) return null;
  const updated = structuredClone(observed) as KubeObject & { metadata: JsonObject };
  updated.metadata['labels'] = labels;
  updated.metadata['annotations'] = { ...annotations, [LAST_APPLIED_ANNOTATION]: lastApplied };
  updated.spec = spec;
  return updated;
}

/** Parsed last-applied configurations of stored (frozen, never changed) object versions. */
const parsedLastApplied = new WeakMap<KubeObject, KubeObject>();

function lastAppliedOf(object: KubeObject): KubeObject {
  const known = parsedLastApplied.get(object);
  if (known !== undefined) return known;
  const text = object.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  let parsed: KubeObject = {};
  if (typeof text === 'string') {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null) parsed = value as KubeObject;
    } catch {
      // unreadable: nothing was applied that the merge can rely on
    }
  }
  parsedLastApplied.set(object, parsed);
  return parsed;
}

function withoutLastApplied(annotations: Record<string, string> | undefined): Record<string, string> {
  const copy = { ...(annotations ?? {}) };
  delete copy[LAST_APPLIED_ANNOTATION];
  return copy;
}

/** merge3 applies the change from `applied` to `desired` onto `observed` (objects merge by key; anything else is replaced). */
function merge3<T extends Record<string, unknown>>(observed: T | undefined, sides: { applied: T | undefined; desired: T | undefined }): T {
  const result: Record<string, unknown> = structuredClone(observed ?? {});
  const applied: Record<string, unknown> = sides.applied ?? {};
  const desired: Record<string, unknown> = sides.desired ?? {};
  for (const key of Object.keys(applied)) if (!(key in desired)) delete result[key];
  for (const [key, value] of Object.entries(desired)) {
    const current = result[key];
    const appliedValue = applied[key];
    result[key] = isPlainObject(value) && isPlainObject(current)
      ? merge3(current, { applied: isPlainObject(appliedValue) ? appliedValue : undefined, desired: value })
      : structuredClone(value);
  }
  return result as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
