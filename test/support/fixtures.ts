/** Reads the golden fixtures under test/fixtures/sync. */

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { SyncRequest, SyncResponse } from '../../src/core/types.js';
import type { Expect } from '../fixtures/sync/cases.js';

/** The directory of the golden fixtures. */
export const FIXTURE_ROOT = join(import.meta.dirname, '..', 'fixtures', 'sync');

/** A golden fixture as stored on disk. */
export interface StoredFixture {
  name: string;
  dir: string;
  rule: string;
  now: string;
  expect: Expect;
  request: SyncRequest;
  /** The recorded answer, or null when none is recorded yet. */
  response: SyncResponse | null;
}

/** loadFixtures reads every fixture directory, sorted by name. */
export function loadFixtures(): StoredFixture[] {
  return readdirSync(FIXTURE_ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const dir = join(FIXTURE_ROOT, name);
      const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { rule: string; now: string; expect: Expect };
      const responsePath = join(dir, 'response.json');
      return {
        name,
        dir,
        ...meta,
        request: JSON.parse(readFileSync(join(dir, 'request.json'), 'utf8')) as SyncRequest,
        response: existsSync(responsePath) ? (JSON.parse(readFileSync(responsePath, 'utf8')) as SyncResponse) : null,
      };
    });
}
