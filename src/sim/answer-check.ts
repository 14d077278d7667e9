/**
 * What Metacontroller checks in a 200 answer before it writes anything. The sync hook is declared `version: v2`, so
 * the body is decoded strictly (`pkg/hooks/webhook.go`: `kjson.UnmarshalStrict`, v2 default mode Strict): an unknown
 * top-level key or a wrong type fails the call like a 500. Then, with `generateSelector: true`, every desired child
 * must match `controller-uid=<parent uid>` (`composite/controller.go` syncParentObject): the label is added where it
 * is missing, but a child that carries another value fails the whole sync before any child or status write.
 */

import { CONTROLLER_UID_LABEL } from '../core/names.js';
import { isObject } from '../core/spec.js';

/** The keys of a v2 CompositeController sync response (`composite/api/v2/hooks.go` CompositeHookResponse). */
const RESPONSE_KEYS = new Set(['status', 'children', 'resyncAfterSeconds', 'finalized']);

/** decodingError returns why Metacontroller cannot decode a 200 body as a v2 sync response, or null when it can. */
export function decodingError(body: unknown): string | null {
  if (!isObject(body)) return 'the body is not a JSON object';
  const unknown = Object.keys(body).filter((key) => !RESPONSE_KEYS.has(key));
  if (unknown.length > 0) return `strict decoding (v2): unknown field(s) ${unknown.map((key) => JSON.stringify(key)).join(', ')}`;
  const { status, children, resyncAfterSeconds, finalized } = body;
  if (status != null && !isObject(status)) return 'status is not an object';
  if (resyncAfterSeconds != null && typeof resyncAfterSeconds !== 'number') return 'resyncAfterSeconds is not a number';
  if (finalized != null && typeof finalized !== 'boolean') return 'finalized is not a boolean';
  if (children == null) return null;
  if (!Array.isArray(children)) return 'children is not an array';
  for (const [index, child] of children.entries()) {
    // A null child passes the decoder and then panics Metacontroller (a nil *Unstructured): refused here.
    if (!isObject(child)) return `children[${index}] is not an object`;
    if (typeof child['kind'] !== 'string' || child['kind'] === '') return `children[${index}]: Object 'Kind' is missing`;
  }
  return null;
}

/** selectorError returns why the desired children fail the generated selector of the parent with this uid, or null. */
export function selectorError(children: readonly unknown[], parentUid: string): string | null {
  for (const child of children) {
    const metadata = isObject(child) && isObject(child['metadata']) ? child['metadata'] : {};
    const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
    const labels = metadata['labels'];
    if (labels === undefined) continue;
    if (!isObject(labels) || Object.values(labels).some((value) => typeof value !== 'string')) return `invalid labels on desired child ${name}`;
    const uid = labels[CONTROLLER_UID_LABEL];
    if (uid !== undefined && uid !== parentUid) return `labels on desired child ${name} don't match parent selector (${CONTROLLER_UID_LABEL}=${String(uid)})`;
  }
  return null;
}
