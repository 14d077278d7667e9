/** Answer: the sync answer's JSON text, with the text of remembered kept forms spliced in. */

import { keptFormJson } from './desired.js';
import type { SyncResponse } from './types.js';

/**
 * answerJson writes the answer byte for byte as `JSON.stringify(response)` does, but each kept child whose desired
 * form is remembered is written once, when an answer first holds it, and its text reused after that.
 */
export function answerJson(response: SyncResponse): string {
  const members: string[] = [];
  for (const [key, value] of Object.entries(response)) {
    const text = key === 'children' && Array.isArray(value) ? childrenJson(value as SyncResponse['children']) : JSON.stringify(value);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

function childrenJson(children: SyncResponse['children']): string {
  const texts = new Array<string>(children.length);
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    // JSON.stringify writes an array's undefined (and function) elements as null.
    texts[i] = child === undefined ? 'null' : keptFormJson(child) ?? JSON.stringify(child) ?? 'null';
  }
  return `[${texts.join(',')}]`;
}
