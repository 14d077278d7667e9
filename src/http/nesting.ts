/**
 * A cheap pre-check of JSON text before it is parsed: nesting depth. Kubernetes objects nest a few dozen levels;
 * deeper text is hostile or broken, costs ~30 bytes of heap per byte to parse, and would overflow the stack when
 * the answer is serialized. Scanning the raw bytes costs no allocation.
 */

/** The deepest nesting a sync request may have (Kubernetes objects nest a few dozen levels). */
export const MAX_NESTING = 512;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** nestingBeyond returns the byte offset at which JSON text first nests deeper than `max` levels, or -1 if it never does. */
export function nestingBeyond(bytes: Uint8Array, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1; // the escaped byte is never a quote that ends the string
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > max) return i;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return -1;
}

/** The error {@link rejectDeepNesting} throws; body-parser keeps its `type`. */
export class NestingError extends Error {
  readonly type = 'entity.too.deep';
}

/** The error {@link rejectDeepNesting} throws for a body in another charset than UTF-8; body-parser keeps its `type` (415). */
export class CharsetError extends Error {
  readonly type = 'charset.unsupported';
}

/**
 * rejectDeepNesting is a body-parser `verify` hook: it throws a {@link NestingError} for text nested deeper than
 * {@link MAX_NESTING}. It scans UTF-8 bytes, so it refuses any other charset (UTF-16 hides its quotes from the scan);
 * Metacontroller sends UTF-8.
 */
export function rejectDeepNesting(_req: unknown, _res: unknown, body: Buffer, encoding: string | null): void {
  if (encoding !== null && encoding !== 'utf-8') throw new CharsetError(`charset ${encoding}; send UTF-8 JSON`);
  const at = nestingBeyond(body, MAX_NESTING);
  if (at >= 0) {
    throw new NestingError(`request body nests deeper than ${MAX_NESTING} levels (at byte ${at}); Kubernetes objects never do`);
  }
}
