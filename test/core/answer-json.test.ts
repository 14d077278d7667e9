/** answerJson: the sync answer's text, byte for byte what JSON.stringify writes. */

import assert from 'node:assert/strict';

import { answerChunks, answerJson } from '../../src/core/answer-json.js';
import { desiredFormOfKept } from '../../src/core/kept-form.js';
import type { SyncResponse } from '../../src/core/types.js';
import { backup } from '../support/objects.js';

const SLOTS = ['2024-05-01T02:00:00Z', '2024-05-02T02:00:00Z'];

/** A kept Backup's remembered form, as the answer holds it. */
function keptForm(slot: string): SyncResponse['children'][number] {
  const object = backup({ slot });
  return desiredFormOfKept(object, object.metadata?.name ?? '');
}

/** A response with what the types leave out (undefined members), as plain JavaScript could still hand over. */
function loose(response: object): SyncResponse {
  return response as SyncResponse;
}

describe('answerJson writes what JSON.stringify writes', () => {
  const cases: Array<{ name: string; response: () => SyncResponse }> = [
    { name: 'no children, no resync', response: () => ({ status: { lastBackup: 'a' }, children: [] }) },
    { name: 'an undefined resync is left out', response: () => loose({ status: {}, children: [], resyncAfterSeconds: undefined }) },
    {
      name: 'remembered kept forms next to a new Backup with an undefined field',
      response: () => loose({
        status: { lastBackupTime: '2024-05-02T02:00:00Z' },
        children: [keptForm(SLOTS[0]!), { apiVersion: 'pingcap.com/v1alpha1', kind: 'Backup', metadata: { name: 'n', labels: undefined }, spec: { br: { cluster: 'c' } } }, keptForm(SLOTS[1]!)],
        resyncAfterSeconds: 60,
      }),
    },
    {
      name: 'children before status, and a finalized flag',
      response: () => loose({ children: [keptForm(SLOTS[1]!)], status: {}, finalized: true }),
    },
    { name: 'text that JSON escapes', response: () => ({ status: { lastBackup: 'quote " slash \\ line\n \u2028 \ud800' }, children: [] }) },
    { name: 'an empty response', response: () => loose({}) },
    { name: 'only undefined members', response: () => loose({ status: undefined, resyncAfterSeconds: undefined }) },
    { name: 'children that are not a list are written as they are', response: () => loose({ status: {}, children: null }) },
    { name: 'children written as a plain object', response: () => loose({ status: {}, children: { a: keptForm(SLOTS[0]!) } }) },
    { name: 'undefined and function children are written as null, as JSON.stringify writes array holes', response: () => loose({ status: {}, children: [undefined, keptForm(SLOTS[0]!), () => 1, { kind: 'Backup' }] }) },
    { name: 'an undefined first child', response: () => loose({ children: [undefined], status: {} }) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      // Twice: the first answer writes each remembered form's text, the second reuses it.
      for (const response of [c.response(), c.response()]) assert.equal(answerJson(response), JSON.stringify(response));
    });
  }

  it('a remembered form cannot change under its written text', () => {
    const form = keptForm(SLOTS[0]!);
    const before = answerJson({ status: {}, children: [form] });
    assert.throws(() => Object.assign(form.metadata, { name: 'renamed' }), TypeError);
    assert.throws(() => Object.assign(form.spec as object, { backupType: 'table' }), TypeError);
    assert.equal(answerJson({ status: {}, children: [form] }), before);
  });

  it('a large answer comes in chunks below V8\'s large-object size, that join to the same text', () => {
    const children = Array.from({ length: 2000 }, (_, i) => keptForm(new Date(Date.parse('2020-01-01T00:00:00Z') + i * 3_600_000).toISOString()));
    const response: SyncResponse = { status: { lastBackup: 'nightly' }, children, resyncAfterSeconds: 30 };
    const chunks = answerChunks(response);
    assert.ok(chunks.length > 10, `${chunks.length} chunks`);
    // 128 KiB, V8's large-object size, is 64 Ki two-byte characters: every chunk stays below it (each holds whole children).
    for (const chunk of chunks) assert.ok(chunk.length < 64 * 1024, `a chunk of ${chunk.length} characters`);
    // About 48 K characters each: every chunk but the last gathers many children (tens of K characters), not one.
    for (const chunk of chunks.slice(0, -1)) assert.ok(chunk.length >= 32 * 1024, `a chunk of only ${chunk.length} characters`);
    assert.equal(chunks.join(''), JSON.stringify(response));
    assert.equal(answerJson(response), JSON.stringify(response));
  });
});
