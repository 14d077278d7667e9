/**
 * Sync requests and responses recorded elsewhere in the repository (test/fixtures/sync/<case>/
 * request.json and response.json, and hooks/examples/*.json), so the CRD can be checked against
 * every parent the hook is tested with and every status it answers.
 */
import fs from 'node:fs';
import path from 'node:path';

/** A parent or a response found in one file. */
export interface SyncExample {
  source: string;
  parent?: unknown;
  status?: unknown;
  children?: unknown[];
}

/** Every example under `root`; [] where the directories do not exist yet. */
export function findSyncExamples(root: string): SyncExample[] {
  const examples: SyncExample[] = [];
  const fixtures = path.join(root, 'test', 'fixtures', 'sync');
  for (const dir of listDir(fixtures)) {
    for (const name of ['request.json', 'response.json']) {
      const file = path.join(fixtures, dir, name);
      if (fs.existsSync(file)) examples.push(fromJson(path.relative(root, file), readJson(file)));
    }
  }
  const hookExamples = path.join(root, 'hooks', 'examples');
  for (const name of listDir(hookExamples).filter((entry) => entry.endsWith('.json'))) {
    const file = path.join(hookExamples, name);
    examples.push(fromJson(path.relative(root, file), readJson(file)));
  }
  return examples;
}

/** Reads the parent of a request, or status and children of a response, or both of {request, response}. */
function fromJson(source: string, value: unknown): SyncExample {
  const object = (value ?? {}) as Record<string, unknown>;
  const request = (object['request'] ?? object) as Record<string, unknown>;
  const response = (object['response'] ?? object) as Record<string, unknown>;
  const example: SyncExample = { source };
  if (request['parent'] !== undefined) example.parent = request['parent'];
  if (response['status'] !== undefined) example.status = response['status'];
  if (Array.isArray(response['children'])) example.children = response['children'];
  return example;
}

/** Entries of a directory, sorted; [] if it is absent. */
function listDir(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** Parses a JSON file, naming it on error. */
function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}
