/**
 * A steady sync loop to profile, as section 2 measures it (parsed copies of the request in turn, after one more
 * copy has filled the hook's memory of applied configurations and been dropped):
 * `node --cpu-prof .tmp/bench-dist/bench/profile-sync.js [children] [seconds] [copies]` after `npm run bench`
 * (or `tsc -p tsconfig.bench.json`). Two copies by default; 20 copies of 1,000 children put that input out of the
 * CPU's cache as 10,000 children always are. Prints the median wall and CPU ms per sync.
 */

import { realisticRequest } from './requests.js';
import { median } from './stats.js';
import { syncPathAt, taughtCopies } from './sync-path.js';

const children = Number(process.argv[2] ?? 10_000);
const seconds = Number(process.argv[3] ?? 10);
const copyCount = Number(process.argv[4] ?? 2);
const now = Date.now();
const body = JSON.stringify(realisticRequest(children, { now }));
const path = syncPathAt(now);
const copies = taughtCopies(path, { body, count: copyCount });
const wall: number[] = [];
const cpu: number[] = [];
const end = performance.now() + seconds * 1000;
for (let turn = 0; performance.now() < end; turn++) {
  const started = performance.now();
  const usage = process.cpuUsage();
  path(copies[turn % copies.length]);
  const spent = process.cpuUsage(usage);
  wall.push(performance.now() - started);
  cpu.push((spent.user + spent.system) / 1000);
}
process.stdout.write(`${children} children × ${copyCount} copies, ${wall.length} syncs: median ${median(wall).toFixed(2)} ms wall, ${median(cpu).toFixed(2)} ms CPU\n`);
