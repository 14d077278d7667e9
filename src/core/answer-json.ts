/** Answer: the sync answer's JSON text, with the text of remembered kept forms spliced in, in chunks. */

import { keptFormJson } from './kept-form.js';
import type { SyncResponse } from './types.js';

/**
 * Characters a chunk of the answer gathers before the next one starts: a chunk stays below V8's large-object size
 * (128 KiB), so that writing an answer of 10,000 Backups (6.7 MB) takes no fresh pages from the system. One string
 * of that size cost 0.4-0.5 µs per Backup in page faults, against 0.05-0.1 µs joined into chunks (bench section 2).
 */
const CHUNK_CHARS = 48 * 1024;

/**
 * answerChunks writes the answer as `JSON.stringify(response)` does, byte for byte once joined, in chunks of about
 * 48 K characters (a child longer than that is one chunk). Each kept child whose desired form is remembered is written
 * once, when an answer first holds it, and its text reused after that.
 */
export function answerChunks(response: SyncResponse): string[] {
  const out = new Chunks();
  let separator = '{';
  for (const [key, value] of Object.entries(response)) {
    if (key === 'children' && Array.isArray(value)) {
      out.add(`${separator}${JSON.stringify(key)}:[`);
      writeChildren(out, value as SyncResponse['children']);
      out.add(']');
    } else {
      const text = JSON.stringify(value);
      if (text === undefined) continue;
      out.add(`${separator}${JSON.stringify(key)}:${text}`);
    }
    separator = ',';
  }
  out.add(separator === '{' ? '{}' : '}');
  return out.end();
}

/** answerJson is the answer's whole text ({@link answerChunks} joined): for the CLI and for tests. */
export function answerJson(response: SyncResponse): string {
  return answerChunks(response).join('');
}

function writeChildren(out: Chunks, children: SyncResponse['children']): void {
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    // JSON.stringify writes an array's undefined (and function) elements as null.
    const text = child === undefined ? 'null' : keptFormJson(child) ?? JSON.stringify(child) ?? 'null';
    out.add(i === 0 ? text : `,${text}`);
  }
}

/** Pieces of text gathered into chunks of about {@link CHUNK_CHARS}. */
class Chunks {
  private readonly chunks: string[] = [];
  private pieces: string[] = [];
  private size = 0;

  add(piece: string): void {
    this.pieces.push(piece);
    this.size += piece.length;
    if (this.size >= CHUNK_CHARS) this.flush();
  }

  end(): string[] {
    this.flush();
    return this.chunks;
  }

  private flush(): void {
    if (this.pieces.length === 0) return;
    this.chunks.push(this.pieces.join(''));
    this.pieces = [];
    this.size = 0;
  }
}
