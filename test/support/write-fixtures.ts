/** Writes every golden case's request.json and case.json (run: npm run fixtures). */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { cases } from '../fixtures/sync/cases.js';

const root = join(import.meta.dirname, '..', 'fixtures', 'sync');
for (const c of cases) {
  const dir = join(root, c.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'request.json'), `${JSON.stringify(c.request, null, 2)}\n`);
  writeFileSync(join(dir, 'case.json'), `${JSON.stringify({ rule: c.rule, now: c.now, expect: c.expect }, null, 2)}\n`);
}
process.stdout.write(`wrote ${cases.length} cases under ${root}\n`);
