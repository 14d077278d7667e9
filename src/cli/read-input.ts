/** Reading the CLI's input files: a BackupSchedule manifest (YAML or JSON) or a captured sync request (JSON). */

import { readFileSync } from 'node:fs';

import { parseAllDocuments } from 'yaml';

import type { KubeObject } from '../core/types.js';
import type { ScheduleManifest } from '../sim/preview.js';

/** readText reads a file, or stdin for "-"; a leading byte order mark (as some editors write) is dropped. */
export function readText(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new Error(`cannot read ${nameOf(path)}: ${(error as Error).message}`);
  }
}

/** readObjects returns every object in a YAML or JSON file (YAML is a superset of JSON), in order: its documents and the items of a `kind: List` (as `kubectl get -o yaml` writes). */
export function readObjects(path: string): KubeObject[] {
  const found: KubeObject[] = [];
  for (const document of parseAllDocuments(readText(path))) {
    if (document.errors.length > 0) throw new Error(`${nameOf(path)} is not YAML or JSON: ${document.errors[0]?.message ?? ''}`);
    const value: unknown = document.toJS();
    const items: unknown[] = kindOf(value) === 'List' && Array.isArray((value as { items?: unknown }).items) ? (value as { items: unknown[] }).items : [value];
    for (const item of items) if (typeof item === 'object' && item !== null) found.push(item as KubeObject);
  }
  return found;
}

/** readManifests returns every BackupSchedule in a YAML or JSON file, in order ({@link readObjects}). */
export function readManifests(path: string): ScheduleManifest[] {
  const found = readObjects(path).filter((object) => object.kind === 'BackupSchedule') as ScheduleManifest[];
  if (found.length === 0) throw new Error(`${nameOf(path)} holds no object with kind: BackupSchedule`);
  return found;
}

/** readJson parses a JSON file. */
export function readJson(path: string): unknown {
  const text = readText(path);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${nameOf(path)} is not JSON: ${(error as Error).message}`);
  }
}

function kindOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
}

/** nameOf names an input path in messages: stdin for "-". */
export function nameOf(path: string): string {
  return path === '-' ? 'stdin' : path;
}
