/**
 * The handover label (HANDOVER_LABEL_KEY, default backup-schedule-hook/controller) takes a schedule away from TiDB
 * Operator's selector; it must never reach a Backup, or TiDB Operator would stop running that Backup.
 */

import assert from 'node:assert/strict';

import { loadConfig } from '../../src/config.js';
import type { DesiredChild } from '../../src/core/types.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';
import { testService } from '../support/service.js';

const NOW = '2024-05-01T04:05:00Z';
const SPEC = { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE };

async function createdBackup(options: { env: Record<string, string>; labels: Record<string, string> }): Promise<DesiredChild> {
  const { handoverLabelKey } = loadConfig(options.env);
  const service = testService({ now: NOW, handoverLabelKey });
  const answer = await service.sync(request(schedule({ spec: SPEC, labels: options.labels }), [backup({ slot: '2024-05-01T03:50:00Z' })]));
  const created = answer.children.find((c) => c.metadata.name === 'nightly-2024-05-01t04-00-00');
  assert.ok(created, 'the sync creates the Backup of the 04:00 slot');
  return created;
}

const cases = [
  { name: 'the default key', env: {}, key: 'backup-schedule-hook/controller' },
  { name: 'a key set with HANDOVER_LABEL_KEY', env: { HANDOVER_LABEL_KEY: 'example.com/scheduled-by' }, key: 'example.com/scheduled-by' },
];

describe('handover label', () => {
  for (const c of cases) {
    it(`${c.name} on the schedule is never copied onto a created Backup; its other labels are`, async () => {
      const created = await createdBackup({ env: c.env, labels: { [c.key]: 'hook', team: 'storage' } });
      const labels = created.metadata.labels ?? {};
      assert.equal(Object.hasOwn(labels, c.key), false, `${c.key} must not be on the Backup`);
      assert.equal(labels['team'], 'storage');
      assert.equal(labels['tidb.pingcap.com/backup-schedule'], 'nightly');
    });
  }

  it('with a configured key, a label under the default key is an ordinary label and is copied', async () => {
    const created = await createdBackup({
      env: { HANDOVER_LABEL_KEY: 'example.com/scheduled-by' },
      labels: { 'example.com/scheduled-by': 'hook', 'backup-schedule-hook/controller': 'x' },
    });
    assert.deepEqual(
      Object.keys(created.metadata.labels ?? {}).filter((k) => k.includes('scheduled-by') || k.startsWith('backup-schedule-hook/')),
      ['backup-schedule-hook/controller'],
    );
  });
});
