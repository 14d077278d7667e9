/**
 * A fixed number of steady syncs, for counting what the sync path executes (`bench/instructions.ts` runs it under
 * valgrind twice, with two counts, and takes the difference): `node --expose-gc count-syncs.js <children> <warm> <syncs> <copies>`.
 * The same loop as section 2 and `profile-sync`: parsed copies in turn, after one more has taught the hook its Backups.
 */

import { realisticRequest } from './requests.js';
import { syncPathAt, taughtCopies } from './sync-path.js';

const [children, warm, syncs, copyCount] = process.argv.slice(2, 6).map(Number) as [number, number, number, number];
const now = Date.parse('2026-02-27T12:07:13Z');
const body = JSON.stringify(realisticRequest(children, { now }));
const path = syncPathAt(now);
const copies = taughtCopies(path, { body, count: copyCount });
for (let turn = 0; turn < warm; turn++) path(copies[turn % copies.length]);
// Both runs of a case start their counted syncs from the same heap: a full collection first (node --expose-gc).
(globalThis as { gc?: () => void }).gc?.();
for (let turn = warm; turn < warm + syncs; turn++) path(copies[turn % copies.length]);
