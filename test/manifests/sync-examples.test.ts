import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findSyncExamples } from './sync-examples.js';

describe('sync examples for the CRD checks', () => {
  it('reads parents from requests, status and children from responses, in both places', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-examples-'));
    const write = (file: string, value: unknown): void => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), JSON.stringify(value));
    };
    write('test/fixtures/sync/first-slot/request.json', { parent: { kind: 'BackupSchedule' }, children: { 'Backup.pingcap.com/v1alpha1': {} } });
    write('test/fixtures/sync/first-slot/response.json', { status: { lastBackup: 'a' }, children: [{ kind: 'Backup' }] });
    write('hooks/examples/pair.json', { request: { parent: { kind: 'P' } }, response: { status: {}, children: [] } });
    write('hooks/examples/notes.txt', 'ignored');
    assert.deepEqual(findSyncExamples(root), [
      { source: 'test/fixtures/sync/first-slot/request.json', parent: { kind: 'BackupSchedule' } },
      { source: 'test/fixtures/sync/first-slot/response.json', status: { lastBackup: 'a' }, children: [{ kind: 'Backup' }] },
      { source: 'hooks/examples/pair.json', parent: { kind: 'P' }, status: {}, children: [] },
    ]);
  });

  it('finds nothing where neither directory exists', () => {
    assert.deepEqual(findSyncExamples(fs.mkdtempSync(path.join(os.tmpdir(), 'sync-examples-'))), []);
  });
});
