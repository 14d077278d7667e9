/**
 * RFC 6902 JSON Patch, the operations kustomize's JSON6902 patches use (add, remove, replace,
 * test), applied to a copy. Enough for the offline renderer; not a general library.
 */

/** One JSON Patch operation. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

/** Returns `doc` with the operations applied in order; throws naming the failing operation. */
export function applyJsonPatch(doc: unknown, operations: readonly PatchOperation[]): unknown {
  let result = structuredClone(doc);
  for (const [index, operation] of operations.entries()) {
    try {
      result = applyOperation(result, operation);
    } catch (error) {
      throw new Error(`JSON patch operation ${index} (${operation.op} ${operation.path}): ${(error as Error).message}`);
    }
  }
  return result;
}

/** Splits a JSON pointer into unescaped reference tokens. */
function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`path must start with "/", got "${pointer}"`);
  return pointer.slice(1).split('/').map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Applies one operation and returns the (possibly replaced) root. */
function applyOperation(root: unknown, operation: PatchOperation): unknown {
  const tokens = pointerTokens(operation.path);
  const last = tokens.pop();
  if (last === undefined) {
    if (operation.op === 'remove') throw new Error('cannot remove the whole document');
    return structuredClone(operation.value);
  }
  let parent: unknown = root;
  for (const token of tokens) parent = child(parent, token);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new Error(`index "${last}" out of range`);
    if (operation.op === 'add') parent.splice(index, 0, structuredClone(operation.value));
    else if (index === parent.length) throw new Error(`no element at index ${last}`);
    else if (operation.op === 'remove') parent.splice(index, 1);
    else if (operation.op === 'replace') parent[index] = structuredClone(operation.value);
    else assertEqual(parent[index], operation.value);
    return root;
  }
  if (parent === null || typeof parent !== 'object') throw new Error(`parent of "${last}" is not an object or array`);
  const object = parent as Record<string, unknown>;
  if (operation.op !== 'add' && !(last in object)) throw new Error(`no member "${last}"`);
  if (operation.op === 'remove') delete object[last];
  else if (operation.op === 'test') assertEqual(object[last], operation.value);
  else object[last] = structuredClone(operation.value);
  return root;
}

/** Steps into an object member or array element, which must exist. */
function child(value: unknown, token: string): unknown {
  if (Array.isArray(value)) {
    const index = Number(token);
    if (!Number.isInteger(index) || index < 0 || index >= value.length) throw new Error(`no element at index "${token}"`);
    return value[index];
  }
  if (value !== null && typeof value === 'object' && token in value) return (value as Record<string, unknown>)[token];
  throw new Error(`no member "${token}"`);
}

/** Throws unless both values serialize alike (the "test" operation). */
function assertEqual(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`test failed: found ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}
