/** Reading the CLI's input files: a BackupSchedule manifest (YAML or JSON) or a captured sync request (JSON). */

import { readFileSync } from 'node:fs';

import { parseAllDocuments } from 'yaml';

import type { ScheduleManifest } from '../sim/preview.js';

/** readText reads a file, or stdin for "-". */
export function readText(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** readManifest returns the first BackupSchedule in a YAML or JSON file (YAML is a superset of JSON). */
export function readManifest(path: string): ScheduleManifest {
  const documents = parseAllDocuments(readText(path));
  if (!Array.isArray(documents)) throw new Error(`${path} is not YAML or JSON`);
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(`${path} is not YAML or JSON: ${document.errors[0]?.message ?? ''}`);
    const value: unknown = document.toJS();
    if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'BackupSchedule') return value as ScheduleManifest;
  }
  throw new Error(`${path} holds no object with kind: BackupSchedule`);
}

/** readJson parses a JSON file. */
export function readJson(path: string): unknown {
  const text = readText(path);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${path} is not JSON: ${(error as Error).message}`);
  }
}
