/** The soak's requests: realistic valid sync requests, and malformed or hostile ones that must get a 4xx. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';

import { FUZZ_SEED, buildRequest, damageText, requestRecipe, textDamage } from '../../test/support/hostile.js';
import { BR_TEMPLATE, backup, request, schedule } from '../../test/support/objects.js';

/** A request as autocannon sends it. */
export interface SoakRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const TEN_MINUTES = 10 * 60_000;

/** post makes a POST /sync of a body. */
function post(body: string, headers: Record<string, string> = JSON_HEADERS): SoakRequest {
  return { method: 'POST', path: '/sync', headers, body };
}

/** scheduleWith returns a valid sync request for an every-10-minutes schedule with `count` Backups ending shortly before now. */
export function scheduleWith(count: number, options: { name: string; now: number }): string {
  const newest = Math.floor(options.now / TEN_MINUTES) * TEN_MINUTES - TEN_MINUTES;
  const slots = Array.from({ length: count }, (_, i) => new Date(newest - (count - 1 - i) * TEN_MINUTES).toISOString().replace('.000Z', 'Z'));
  const last = slots.at(-1);
  const status = last === undefined ? undefined : { lastBackup: `${options.name}-${last.slice(0, 19).replace('T', 't').replaceAll(':', '-')}`, lastBackupTime: last };
  const parent = schedule({
    name: options.name,
    created: '2024-01-01T00:00:00Z',
    spec: { schedule: '*/10 * * * *', maxBackups: Math.max(1, count - 2), backupTemplate: BR_TEMPLATE },
    ...(status === undefined ? {} : { status }),
  });
  return JSON.stringify(request(parent, slots.map((slot, i) => backup({ schedule: options.name, slot, state: i % 7 === 3 ? 'failed' : 'complete' }))));
}

/** validRequests: schedules with 0 to 200 Backups, and the repository's example requests. */
export function validRequests(now: number): SoakRequest[] {
  const examples = ['sync-request.json', 'sync-request-creates.json'].map((file) => readFileSync(join('hooks', 'examples', file), 'utf8'));
  return [...[0, 3, 10, 30, 200].map((count, i) => scheduleWith(count, { name: `soak-${i}`, now })), ...examples].map((body) => post(body));
}

/** invalidRequests: bodies the error policy answers with 400, 413 or 415 (the limit is `bodyLimitBytes`). */
export function invalidRequests(bodyLimitBytes: number): SoakRequest[] {
  const parent = '{"apiVersion":"pingcap.com/v1alpha1","kind":"BackupSchedule","metadata":{"name":"x"}}';
  const fixed = [
    post('not json'),
    post('{"parent": {"apiVersion": "pingcap.com/v1alpha1"'),
    post('{"finalizing": NaN}'),
    post('[]'),
    post('{"children": {}}'),
    post(`{"parent": ${parent.replace('BackupSchedule', 'Backup')}, "children": {}}`),
    post(`{"parent": ${parent}, "children": []}`),
    post(`{"parent": ${parent}, "children": {"backups": {}}}`),
    post(`${'['.repeat(100_000)}${']'.repeat(100_000)}`),
    post(`{"parent": ${parent}, "children": {}, "pad": "${'x'.repeat(bodyLimitBytes)}"}`),
    post(`{"parent": ${parent}, "children": {}}`, { 'content-type': 'text/plain' }),
    post(`{"parent": ${parent}, "children": {}}`, { 'content-type': 'application/json; charset=latin1' }),
  ];
  // Damaged texts of generated requests that no longer parse as JSON.
  const damaged = fc
    .sample(fc.tuple(requestRecipe, textDamage), { seed: FUZZ_SEED, numRuns: 400 })
    .map(([recipe, damage]) => damageText(JSON.stringify(buildRequest(recipe)), damage))
    .filter((text) => !parses(text) && Buffer.byteLength(text) < bodyLimitBytes)
    .slice(0, 40)
    .map((text) => post(text));
  return [...fixed, ...damaged];
}

function parses(text: string): boolean {
  try {
    JSON.parse(text.replace(/^\ufeff/, ''));
    return true;
  } catch {
    return false;
  }
}
