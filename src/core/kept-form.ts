/**
 * Answer: the desired form of kept children — a managed child as it was last applied (parsed once, frozen and
 * remembered across syncs), and a child of a type the hook does not manage, echoed. New children: desired.ts.
 */

import type { BoundedMemo } from './bounded-memo.js';
import { CONTROLLER_UID_LABEL, LAST_APPLIED_ANNOTATION, PINGCAP_API_VERSION } from './names.js';
import { isObject } from './spec.js';
import type { DesiredChild, KubeObject } from './types.js';

/**
 * desiredFormOfKept returns the object the hook stands by for a kept child: identity plus the labels,
 * annotations and spec that were applied (its last-applied configuration, else what is observed).
 * Never status or server-set metadata, so no update strategy can change a kept child. A form built from a
 * last-applied configuration is frozen and remembered (see {@link rememberedForm}): answers share it. Given the
 * schedule's uid, a `controller-uid` applied under another one is the schedule's ({@link underSelector}).
 */
export function desiredFormOfKept(object: KubeObject, name: string, options: KeptFormOptions = {}): DesiredChild {
  const { parentUid } = options;
  const text = object.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string') return underSelector(formOf(object, object, name), parentUid);
  const key = formKey(object);
  let remembered = rememberedForm(key, { object, name, text });
  if (remembered === undefined) {
    const applied = parseApplied(text);
    const form = applied === null ? null : frozenForm(formOf(object, applied, name));
    if (form !== null) formTexts.set(form, null);
    const appliedUid = form?.metadata.labels?.[CONTROLLER_UID_LABEL];
    remembered = { text, name, apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata?.namespace, form, appliedUid };
    remember(key, remembered);
  }
  // Unreadable: fall back to the observed object, which is what exists.
  if (remembered.form === null) return underSelector(formOf(object, object, name), parentUid);
  // The applied uid was read once, when the form was remembered: no walk into the form on every sync.
  const { form, appliedUid } = remembered;
  return parentUid === undefined || appliedUid === undefined || appliedUid === parentUid ? form : underSelector(form, parentUid);
}

/** Options of {@link desiredFormOfKept}. */
export interface KeptFormOptions {
  /** The schedule's uid: the form carries no other `controller-uid` (see {@link underSelector}); absent: as applied. */
  parentUid?: string | undefined;
}

/**
 * underSelector returns a kept child's form with the schedule's own `controller-uid` where its applied configuration
 * names another uid (a Backup the hook made for an earlier schedule of the same name, relabelled for this one: its live
 * label is this schedule's uid, or Metacontroller would not have sent it). Metacontroller refuses the whole answer when
 * a desired child carries another value, on every sync. Any other form is returned as it is.
 */
function underSelector(form: DesiredChild, parentUid: string | undefined): DesiredChild {
  const labels = form.metadata.labels;
  const uid = labels?.[CONTROLLER_UID_LABEL];
  if (parentUid === undefined || uid === undefined || uid === parentUid) return form;
  return { ...form, metadata: { ...form.metadata, labels: { ...labels, [CONTROLLER_UID_LABEL]: parentUid } } };
}

function formOf(object: KubeObject, source: KubeObject, name: string): DesiredChild {
  const meta = source.metadata ?? {};
  const desired: DesiredChild = {
    apiVersion: object.apiVersion ?? source.apiVersion ?? PINGCAP_API_VERSION,
    kind: object.kind ?? source.kind ?? 'Backup',
    metadata: { name },
  };
  const namespace = object.metadata?.namespace;
  if (namespace !== undefined) desired.metadata.namespace = namespace;
  if (meta.labels !== undefined) desired.metadata.labels = meta.labels;
  if (meta.annotations !== undefined) desired.metadata.annotations = meta.annotations;
  if (source.spec !== undefined) desired.spec = source.spec;
  return desired;
}

/**
 * JSON text of each remembered form (null until an answer first holds it). A form is deeply frozen, so its text never
 * changes: an answer splices the text in instead of writing the form again (answer-json.ts; serializing the answer of
 * 1,000 kept Backups took 1.05 ms, 0.14 ms with it). Weak: a form forgotten by both generations takes its text with it.
 */
const formTexts = new WeakMap<DesiredChild, string | null>();

/** keptFormJson returns a remembered form's JSON text, exactly as `JSON.stringify` writes it, or undefined for any other child. */
export function keptFormJson(child: DesiredChild): string | undefined {
  const text = formTexts.get(child);
  if (text !== null) return text;
  const written = JSON.stringify(child);
  formTexts.set(child, written);
  return written;
}

/** Freezes a form built from a (deep-frozen) applied configuration: its own two levels are all that is new. */
function frozenForm(form: DesiredChild): DesiredChild {
  Object.freeze(form.metadata);
  return Object.freeze(form);
}

/**
 * Forms remembered per generation; about 2.5 KB each (the text and the parsed labels, annotations and spec), and
 * 0.7 KB more once an answer has written the form (its JSON text).
 * Two generations: at most twice this many, and every child seen since the last turn survives the next, so the
 * Backups of all schedules stay remembered up to 16,384 (the single map this replaces started over when full,
 * and two schedules of 10,000 Backups then re-parsed on every sync). Not a {@link BoundedMemo}: a hit there
 * re-inserts its key, three map operations for each of 10,000 Backups; here a hit is one lookup.
 */
const FORMS_PER_GENERATION = 16_384;

/** A remembered form: valid for a child while its applied text and identity are the same. */
interface Remembered {
  text: string;
  name: string;
  apiVersion: string | undefined;
  kind: string | undefined;
  namespace: string | undefined;
  /** The frozen desired form, or null when the text is not a readable object. */
  form: DesiredChild | null;
  /** The form's `controller-uid` label as applied (undefined without one). */
  appliedUid: string | undefined;
}

/** Remembered forms by the Backup's uid (else namespace/name), this generation and the one before. */
let currentForms = new Map<string, Remembered>();
let previousForms = new Map<string, Remembered>();

/**
 * rememberedForm finds the form remembered for this child if its last-applied text and identity are unchanged.
 * Metacontroller sends every kept Backup on every sync and rewrites the annotation only when it updates the
 * Backup, so each text is parsed once: one lookup by a short key and one string comparison, where hashing the
 * text (~700 bytes) would cost most of what parsing does, and the form is reused, so a kept child costs no
 * allocation (bench section 2). A form found in the previous generation moves to the current one.
 */
function rememberedForm(key: string, seen: { object: KubeObject; name: string; text: string }): Remembered | undefined {
  let remembered = currentForms.get(key);
  if (remembered === undefined) {
    remembered = previousForms.get(key);
    if (remembered !== undefined) remember(key, remembered);
  }
  if (remembered === undefined || remembered.text !== seen.text || remembered.name !== seen.name) return undefined;
  const { object } = seen;
  const same = remembered.apiVersion === object.apiVersion && remembered.kind === object.kind && remembered.namespace === object.metadata?.namespace;
  return same ? remembered : undefined;
}

function remember(key: string, entry: Remembered): void {
  if (currentForms.size >= FORMS_PER_GENERATION) {
    previousForms = currentForms;
    currentForms = new Map();
  }
  currentForms.set(key, entry);
}

function formKey(object: KubeObject): string {
  const metadata = object.metadata ?? {};
  return typeof metadata.uid === 'string' ? metadata.uid : `${metadata.namespace ?? ''}/${metadata.name ?? ''}`;
}

function parseApplied(text: string): KubeObject | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? deepFreeze(parsed as KubeObject) : null;
  } catch {
    return null;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const field of Object.values(value)) deepFreeze(field);
  }
  return value;
}

/** Server-set metadata that an echoed object must not carry back. */
const SERVER_SET_METADATA = new Set([
  'uid',
  'resourceVersion',
  'managedFields',
  'ownerReferences',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'selfLink',
]);

/** Identity of an echoed child: its name and the children-map type key it came under (`Kind.group/version`). */
export interface EchoIdentity {
  name: string;
  type: string;
}

/** echoUnmanaged returns a child of a type the hook does not manage with every field except status and server-set metadata. */
export function echoUnmanaged(object: KubeObject, identity: EchoIdentity): DesiredChild {
  const dot = identity.type.indexOf('.');
  const echoed: DesiredChild = {
    apiVersion: identity.type.slice(dot + 1),
    kind: identity.type.slice(0, Math.max(dot, 0)),
    metadata: { name: identity.name },
  };
  copyOwnFields(object, echoed, (key) => key !== 'status' && key !== 'metadata');
  copyOwnFields(object.metadata ?? {}, echoed.metadata, (key) => !SERVER_SET_METADATA.has(key));
  echoed.metadata.name = identity.name;
  return echoed;
}

/** Copies own fields; `__proto__` is defined as a plain field, never assigned (no prototype pollution). */
function copyOwnFields(from: object, to: object, keep: (key: string) => boolean): void {
  for (const [key, value] of Object.entries(from)) {
    if (keep(key)) Object.defineProperty(to, key, { value, enumerable: true, writable: true, configurable: true });
  }
}
