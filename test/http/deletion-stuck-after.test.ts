/** DELETION_STUCK_AFTER sets how long a deletion may take before the service reports it in DeletionStuck. */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { loadConfig } from '../../src/config.js';
import type { Condition, SyncRequest } from '../../src/core/types.js';
import { testService } from '../support/service.js';

// A Backup deleting since 02:00, synced at 03:05 (65 minutes later).
const FIXTURE = new URL('../fixtures/sync/deletion-stuck-reported/request.json', import.meta.url);
const NOW = '2024-05-01T03:05:00Z';

async function deletionStuck(env: Record<string, string>): Promise<Condition | undefined> {
  const { deletionStuckAfterMs } = loadConfig(env);
  const service = testService({ now: NOW, deletionStuckAfterMs });
  const answer = await service.sync(JSON.parse(readFileSync(FIXTURE, 'utf8')) as SyncRequest);
  return answer.status.conditions?.find((c) => c.type === 'DeletionStuck');
}

describe('DELETION_STUCK_AFTER', () => {
  const cases = [
    { env: {}, status: 'True', message: /deleting for more than 60m/ },
    { env: { DELETION_STUCK_AFTER: '30m' }, status: 'True', message: /deleting for more than 30m/ },
    { env: { DELETION_STUCK_AFTER: '2h' }, status: undefined, message: undefined },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.env)}: a deletion 65 minutes old is ${c.status === 'True' ? 'reported' : 'not reported yet'}`, async () => {
      const condition = await deletionStuck(c.env);
      assert.equal(condition?.status === 'True' ? 'True' : undefined, c.status);
      if (c.message !== undefined) assert.match(condition?.message ?? '', c.message);
    });
  }
});
