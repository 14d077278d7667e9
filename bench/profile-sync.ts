/**
 * A steady sync loop to profile, as section 2 measures it (two parsed copies of the request, alternating):
 * `node --cpu-prof .tmp/bench-dist/bench/profile-sync.js [children] [seconds]` after `npm run bench`
 * (or `tsc -p tsconfig.bench.json`). Prints the median wall and CPU ms per sync.
 */

import { realisticRequest } from './requests.js';
import { median } from './stats.js';
import { syncPathAt } from './sync-path.js';

const children = Number(process.argv[2] ?? 10_000);
const seconds = Number(process.argv[3] ?? 10);
const now = Date.now();
const body = JSON.stringify(realisticRequest(children, { now }));
const copies: unknown[] = [JSON.parse(body), JSON.parse(body)];
const path = syncPathAt(now);
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
process.stdout.write(`${children} children, ${wall.length} syncs: median ${median(wall).toFixed(2)} ms wall, ${median(cpu).toFixed(2)} ms CPU\n`);
