/** `backup-schedule-hook plan`: what the hook would do now to live objects, as `kubectl get -o yaml` prints them. */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';
import request from 'supertest';
import { stringify } from 'yaml';

import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import type { KubeObject } from '../../src/core/types.js';
import { BR_TEMPLATE, COMPACT_TEMPLATE, LOG_TEMPLATE, backup, compactBackup, logBackup, request as syncRequest, schedule, tsoAt } from '../support/objects.js';
import { runCliCaptured } from '../support/run-cli.js';

const TMP = join(process.cwd(), '.tmp', 'cli-plan-test');
const HANDED_OVER = { 'backup-schedule-hook/controller': 'true' };
const AT = '2024-05-10T00:05:00Z';

/** kubectlList writes objects as `kubectl get bks,backups -o yaml` prints them (a List), and returns the file. */
function kubectlList(name: string, objects: KubeObject[]): string {
  mkdirSync(TMP, { recursive: true });
  const file = join(TMP, `${name}.yaml`);
  writeFileSync(file, stringify({ apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } }));
  return file;
}

/** nine daily Backups of `nightly` (2024-05-01 to 05-09 at 00:00), complete. */
function dailies(count = 9): KubeObject[] {
  return Array.from({ length: count }, (_, i) => backup({ slot: new Date(Date.parse('2024-05-01T00:00:00Z') + i * 86_400_000).toISOString().replace('.000Z', 'Z') }));
}

function nightly(spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): ReturnType<typeof schedule> {
  return schedule({
    labels: HANDED_OVER,
    spec: { schedule: '0 0 * * *', maxBackups: 3, backupTemplate: { br: { cluster: 'basic' }, s3: { bucket: 'b' } }, ...spec },
    status: { lastBackup: 'nightly-2024-05-09t00-00-00', lastBackupTime: '2024-05-09T00:00:00Z', ...status },
  });
}

describe('cli plan', function () {
  this.timeout(60_000);

  it('lists the Backup it would create and every Backup retention would delete, newest first, with the rule that lets it go', async () => {
    const file = kubectlList('daily', [nightly(), ...dailies()]);
    const { code, out, err } = await runCliCaptured(['plan', '-f', file, '--at', AT]);
    assert.equal(code, 0, err.join('\n'));
    assert.equal(out[0], 'db/nightly at 2024-05-10T00:05:00Z: 9 Backups in the request, 6 to delete');
    assert.ok(out.includes('  CREATE    nightly-2024-05-10t00-00-00'), out.join('\n'));
    const deleted = out.filter((l) => l.startsWith('  DELETE'));
    assert.deepEqual(
      deleted.map((l) => l.split(/\s+/)[2]),
      ['06', '05', '04', '03', '02', '01'].map((d) => `nightly-2024-05-${d}t00-00-00`),
    );
    for (const line of deleted) assert.match(line, /maxBackups: beyond the newest 3 Complete/);
    assert.ok(out.some((l) => l.startsWith('  READY     True')), out.join('\n'));
  });

  it('answers exactly what /sync answers for the request Metacontroller would build from the same objects', async () => {
    const parent = nightly();
    const children = dailies();
    const file = kubectlList('same', [parent, ...children]);
    const { code, out } = await runCliCaptured(['plan', '-f', file, '--at', AT, '--format', 'json']);
    assert.equal(code, 0);
    const [planned] = JSON.parse(out.join('\n')) as Array<{ answer: unknown }>;
    const app = createApp({ config: loadConfig({}), logger: pino({ level: 'silent' }), now: () => Date.parse(AT) });
    const viaSync = await request(app).post('/sync').set('content-type', 'application/json').send(JSON.stringify(syncRequest(parent, children)));
    assert.equal(viaSync.status, 200);
    assert.deepEqual(planned?.answer, JSON.parse(viaSync.text));
  });

  it('lists every deletion retention decides, and says the answer asks for them in batches', async () => {
    const file = kubectlList('many', [nightly({ maxBackups: 1 }, { lastBackup: 'nightly-2024-07-08t00-00-00', lastBackupTime: '2024-07-08T00:00:00Z' }), ...dailies(69)]);
    const { code, out } = await runCliCaptured(['plan', '-f', file, '--at', '2024-07-08T00:10:00Z']);
    assert.equal(code, 0);
    assert.equal(out.filter((l) => l.startsWith('  DELETE')).length, 68);
    assert.ok(out.includes('  (this answer asks for 50 of the 68 deletions; the next syncs ask for the rest)'), out.join('\n'));
  });

  it('says which Backups the schedule owns but Metacontroller would not send (no controller-uid label), and leaves them out', async () => {
    const [oldest, ...rest] = dailies();
    const unlabelled = { ...oldest!, metadata: { ...oldest!.metadata, labels: { 'tidb.pingcap.com/backup-schedule': 'nightly' } } };
    const file = kubectlList('unlabelled', [nightly(), unlabelled, ...rest]);
    const { code, out } = await runCliCaptured(['plan', '-f', file, '--at', AT]);
    assert.equal(code, 0);
    assert.equal(out[0], 'db/nightly at 2024-05-10T00:05:00Z: 8 Backups in the request, 5 to delete');
    const notSeen = out.filter((l) => l.startsWith('  NOT SEEN'));
    assert.equal(notSeen.length, 1);
    assert.match(notSeen[0]!, /Backup nightly-2024-05-01t00-00-00: .*controller-uid/);
    assert.ok(!out.some((l) => l.startsWith('  DELETE    nightly-2024-05-01t00-00-00')));
  });

  it('shows the Ready condition wherever the status lists it, after another condition too', async () => {
    const stuckBefore = { type: 'DeletionStuck', status: 'True', reason: 'DeletionNotFinished', message: 'an old stuck deletion' };
    const ready = { type: 'Ready', status: 'True', reason: 'Scheduled', message: 'next Backup at 2024-05-10T00:00:00Z' };
    const file = kubectlList('ready-second', [nightly({}, { conditions: [stuckBefore, ready] })]);
    const { out } = await runCliCaptured(['plan', '-f', file, '--at', AT]);
    assert.deepEqual(out.filter((l) => l.startsWith('  READY')), ['  READY     True Scheduled: next Backup at 2024-05-11T00:00:00Z']);
  });

  it('names the Backups it would not send in name order, whatever order the file lists them in', async () => {
    const unlabel = (b: KubeObject): KubeObject => ({ ...b, metadata: { ...b.metadata, labels: { 'tidb.pingcap.com/backup-schedule': 'nightly' } } });
    const [first, second, ...rest] = dailies(4);
    const file = kubectlList('unlabelled-order', [nightly(), unlabel(second!), unlabel(first!), ...rest]);
    const { out } = await runCliCaptured(['plan', '-f', file, '--at', AT]);
    assert.deepEqual(out.filter((l) => l.startsWith('  NOT SEEN')).map((l) => l.split(':')[0]), ['  NOT SEEN  Backup nightly-2024-05-01t00-00-00', '  NOT SEEN  Backup nightly-2024-05-02t00-00-00']);
  });

  it('counts an orphan labelled controller-uid (Metacontroller adopts it), never one another controller owns', async () => {
    const [orphan, owned, ...rest] = dailies(4);
    const adopted = { ...orphan!, metadata: { ...orphan!.metadata, ownerReferences: [] } };
    const foreign = { ...owned!, metadata: { ...owned!.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Other', name: 'x', uid: 'uid-other', controller: true }] } };
    const { out } = await runCliCaptured(['plan', '-f', kubectlList('claim', [nightly(), adopted, foreign, ...rest]), '--at', AT]);
    assert.equal(out[0], 'db/nightly at 2024-05-10T00:05:00Z: 3 Backups in the request, 0 to delete');
    assert.ok(!out.some((l) => l.startsWith('  NOT SEEN')), out.join('\n'));
  });

  it('leaves out Backups of other schedules and of other namespaces', async () => {
    const other = backup({ schedule: 'hourly', slot: '2024-05-01T00:00:00Z' });
    // Of its own schedule's controller-uid, at a slot no Backup in db has (a name shared with one would hide it).
    const elsewhere = backup({ slot: '2024-05-05T00:00:00Z', namespace: 'staging' });
    const file = kubectlList('others', [nightly(), ...dailies(3), other, elsewhere]);
    const { out } = await runCliCaptured(['plan', '-f', file, '--at', AT]);
    assert.equal(out[0], 'db/nightly at 2024-05-10T00:05:00Z: 3 Backups in the request, 0 to delete');
  });

  it('notes a schedule without the handover label: Metacontroller does not call the hook for it', async () => {
    const unlabelled = { ...nightly(), metadata: { ...nightly().metadata, labels: {} } };
    const { out } = await runCliCaptured(['plan', '-f', kubectlList('not-handed-over', [unlabelled]), '--at', AT]);
    assert.ok(out.some((l) => l.startsWith('  NOTE      not labelled backup-schedule-hook/controller=true')), out.join('\n'));
    const { out: labelled } = await runCliCaptured(['plan', '-f', kubectlList('handed-over', [nightly()]), '--at', AT]);
    assert.ok(!labelled.some((l) => l.startsWith('  NOTE')), labelled.join('\n'));
  });

  it("waits for a sibling of the schedule's group whose Backup runs, as the customize hook's related objects show it", async () => {
    const group = { 'tidb.pingcap.com/backup-schedule-group': 'cluster-a' };
    const parent = nightly();
    parent.metadata.labels = { ...HANDED_OVER, ...group };
    const hourly = schedule({
      name: 'hourly',
      labels: { ...HANDED_OVER, ...group },
      spec: { schedule: '0 * * * *', backupTemplate: { br: { cluster: 'basic' } } },
      status: { lastBackup: 'hourly-2024-05-10t00-00-00', lastBackupTime: '2024-05-10T00:00:00Z' },
    });
    const running = backup({ schedule: 'hourly', slot: '2024-05-10T00:00:00Z', state: 'running' });
    running.metadata!.labels = { ...running.metadata!.labels, ...group };
    const waits = await runCliCaptured(['plan', '-f', kubectlList('group-running', [parent, hourly, running, ...dailies()]), '--at', AT]);
    const nightlyLines = waits.out.slice(0, waits.out.findIndex((l, i) => i > 0 && !l.startsWith(' ')));
    assert.ok(!nightlyLines.some((l) => l.startsWith('  CREATE')), nightlyLines.join('\n'));
    assert.ok(nightlyLines.some((l) => /READY +\w+ WaitingForPreviousBackup: .*hourly-2024-05-10t00-00-00/.test(l)), nightlyLines.join('\n'));
    const done = backup({ schedule: 'hourly', slot: '2024-05-10T00:00:00Z', state: 'complete' });
    done.metadata!.labels = { ...done.metadata!.labels, ...group };
    const goes = await runCliCaptured(['plan', '-f', kubectlList('group-done', [parent, hourly, done, ...dailies()]), '--at', AT]);
    assert.ok(goes.out.includes('  CREATE    nightly-2024-05-10t00-00-00'), goes.out.join('\n'));
  });

  // a is written with `namespace`; its group's sibling b in default. A sibling is one in the same namespace, and a schedule
  // written without a namespace (or with an empty one) is in default, where kubectl creates it.
  const groupNamespaces: { namespace: string | undefined; shownAs: string; bWaits: boolean }[] = [
    { namespace: undefined, shownAs: 'default', bWaits: true },
    { namespace: '', shownAs: 'default', bWaits: true },
    { namespace: 'default', shownAs: 'default', bWaits: true },
    { namespace: 'staging', shownAs: 'staging', bWaits: false },
  ];
  for (const { namespace, shownAs, bWaits } of groupNamespaces) {
    it(`reads a schedule written with namespace ${JSON.stringify(namespace)} as in ${shownAs}: its group's sibling in default ${bWaits ? 'waits for its turn' : 'is alone in its group'}`, async () => {
      const group = { 'tidb.pingcap.com/backup-schedule-group': 'cluster-a' };
      const sibling = (name: string) =>
        schedule({ name, namespace: 'default', labels: { ...HANDED_OVER, ...group }, spec: { schedule: '0 0 * * *', backupTemplate: { br: { cluster: 'basic' } } } });
      const a = sibling('a');
      if (namespace === undefined) delete a.metadata.namespace;
      else a.metadata.namespace = namespace;
      const { code, out, err } = await runCliCaptured(['plan', '-f', kubectlList('group-namespaces', [a, sibling('b')]), '--at', AT]);
      assert.equal(code, 0, err.join('\n'));
      const linesOf = (name: string) => {
        const start = out.findIndex((l) => l.startsWith(name));
        assert.notEqual(start, -1, `${name} in ${out.join('\n')}`);
        const end = out.findIndex((l, i) => i > start && !l.startsWith(' '));
        return out.slice(start, end === -1 ? undefined : end);
      };
      assert.ok(linesOf(`${shownAs}/a at`).includes('  CREATE    a-2024-05-10t00-00-00'), out.join('\n'));
      // Both are due at 00:00; in one group a's name sorts first, so b waits for a's turn rather than starting beside it.
      assert.equal(linesOf('default/b at').some((l) => l.startsWith('  CREATE')), !bWaits, out.join('\n'));
    });
  }

  it('plans a list holding an object without metadata, as kubectl would not print but a hand-written file may', async () => {
    const { code, out, err } = await runCliCaptured(['plan', '-f', kubectlList('no-metadata', [nightly(), { apiVersion: 'v1', kind: 'ConfigMap' } as KubeObject]), '--at', AT]);
    assert.equal(code, 0, err.join('\n'));
    assert.ok(out.some((l) => l.startsWith('db/nightly at')), out.join('\n'));
  });

  it('plans every schedule in the files given, each with its own Backups', async () => {
    const hourly = schedule({ name: 'hourly', labels: HANDED_OVER, spec: { schedule: '0 * * * *', maxBackups: 2, backupTemplate: { br: { cluster: 'basic' } } } });
    const first = kubectlList('first', [nightly(), ...dailies(2)]);
    const second = kubectlList('second', [hourly]);
    const { code, out } = await runCliCaptured(['plan', '-f', first, '-f', second, '--at', AT]);
    assert.equal(code, 0);
    const headers = out.filter((l) => !l.startsWith(' '));
    assert.deepEqual(headers, ['db/nightly at 2024-05-10T00:05:00Z: 2 Backups in the request, 0 to delete', 'db/hourly at 2024-05-10T00:05:00Z: 0 Backups in the request, 0 to delete']);
  });

  it('counts CompactBackups as children only with --compact-backups, as the component declares them', async () => {
    const parent = nightly({ compactBackupTemplate: COMPACT_TEMPLATE, compactInterval: '6h', logBackupTemplate: undefined });
    const compact = compactBackup({ start: '2024-05-09T00:00:00Z', end: '2024-05-09T06:00:00Z', state: 'Running' });
    const file = kubectlList('compacts', [parent, compact]);
    const without = await runCliCaptured(['plan', '-f', file, '--at', AT, '--format', 'json']);
    const withFlag = await runCliCaptured(['plan', '-f', file, '--at', AT, '--format', 'json', '--compact-backups']);
    const kinds = (run: { out: string[] }): string[] => {
      const [planned] = JSON.parse(run.out.join('\n')) as Array<{ answer: { children: Array<{ kind: string }> } }>;
      return [...new Set(planned!.answer.children.map((c) => c.kind))].sort();
    };
    assert.ok(!kinds(without).includes('CompactBackup'));
    assert.ok(kinds(withFlag).includes('CompactBackup'), JSON.stringify(withFlag.out).slice(0, 500));
  });

  it('says /sync would refuse a request it cannot read (a label value that is not a string), and exits 1', async () => {
    const [odd, ...rest] = dailies(2);
    odd!.metadata!.labels = { ...odd!.metadata!.labels, team: 7 as unknown as string };
    const { code, out } = await runCliCaptured(['plan', '-f', kubectlList('refused', [nightly(), odd!, ...rest]), '--at', AT]);
    assert.equal(code, 1);
    const refused = out.filter((l) => l.startsWith('  REFUSED   /sync would answer 400: '));
    assert.equal(refused.length, 1, out.join('\n'));
    assert.ok(!out.some((l) => l.startsWith('  CREATE') || l.startsWith('  DELETE')), out.join('\n'));
  });

  it('fails when the files hold no BackupSchedule, and asks for a file', async () => {
    const none = await runCliCaptured(['plan', '-f', kubectlList('none', dailies(1)), '--at', AT]);
    assert.equal(none.code, 1);
    assert.match(none.err.join('\n'), /holds no object with kind: BackupSchedule/);
    const usage = await runCliCaptured(['plan', '--at', AT]);
    assert.equal(usage.code, 2);
    assert.match(usage.err.join('\n'), /--file is required/);
  });

  describe('the plan for a person, line by line', () => {
    // Hourly, maxBackups 2, with a log backup: at 02:40 the 00:00 Backup goes and the log is truncated up to 01:00's
    // commit (01:00:10); a Backup deleting since 00:10 is reported stuck.
    const at = (hms: string): string => `2024-05-01T${hms}Z`;
    const slots = [at('00:00:00'), at('01:00:00'), at('02:00:00')];
    const parent = schedule({
      labels: HANDED_OVER,
      spec: { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE, maxBackups: 2, logBackupTemplate: LOG_TEMPLATE },
      status: { lastBackup: 'nightly-2024-05-01t02-00-00', lastBackupTime: slots[2]!, logBackup: 'log-nightly', logBackupStartTs: slots[0]! },
    });
    const stuck = backup({ slot: '2024-04-30T23:00:00Z', deleting: at('00:10:00') });
    const BASE = '449452496650240000 (2024-05-01T01:00:10Z)';
    const cases: Array<{ name: string; truncateUntil?: string; truncate: string | null }> = [
      { name: 'truncated before', truncateUntil: tsoAt(at('00:30:00')), truncate: `449452022169600000 (2024-05-01T00:30:00Z) -> ${BASE}` },
      { name: 'never truncated', truncate: `(none) -> ${BASE}` },
      { name: 'truncated at an empty point', truncateUntil: '', truncate: `(none) -> ${BASE}` },
      { name: 'truncated at a point that is no TSO', truncateUntil: 'soon', truncate: `soon -> ${BASE}` },
      { name: 'truncated further already (no move)', truncateUntil: tsoAt(at('01:30:00')), truncate: null },
    ];
    for (const c of cases) {
      it(`writes what is deleted and truncated, and the status: ${c.name}`, async () => {
        const log = logBackup({ start: slots[0]!, checkpoint: at('02:30:00'), ...(c.truncateUntil === undefined ? {} : { truncateUntil: c.truncateUntil }) });
        const file = kubectlList('for-a-person', [parent, stuck, ...slots.map((slot) => backup({ slot })), log]);
        const { code, out } = await runCliCaptured(['plan', '-f', file, '--at', at('02:40:00')]);
        assert.equal(code, 0);
        assert.deepEqual(out, [
          'db/nightly at 2024-05-01T02:40:00Z: 5 Backups in the request, 1 to delete',
          '  DELETE    nightly-2024-05-01t00-00-00  maxBackups: beyond the newest 2 Complete',
          ...(c.truncate === null ? [] : [`  TRUNCATE  log-nightly  spec.logTruncateUntil ${c.truncate}`]),
          '  READY     True Scheduled: next Backup at 2024-05-01T03:00:00Z',
          '  DeletionStuck: DeletionNotFinished: Backup nightly-2024-04-30t23-00-00 (since 2024-05-01T00:10:00Z) has been deleting for more than 60m: ' +
            'check its clean Job and pod, the finalizer tidb.pingcap.com/backup-protection and the storage credentials',
          '  LAST      nightly-2024-05-01t02-00-00',
          '  NEXT      2024-05-01T03:00:00Z',
        ]);
      });
    }

    it('writes no LAST line before the first Backup, and no NEXT line while paused', async () => {
      const fresh = schedule({ labels: HANDED_OVER, created: '2024-05-10T00:01:00Z', spec: { schedule: '0 0 * * *', backupTemplate: BR_TEMPLATE } });
      const { out: first } = await runCliCaptured(['plan', '-f', kubectlList('fresh', [fresh]), '--at', AT]);
      assert.deepEqual(first.slice(1), ['  READY     True Scheduled: next Backup at 2024-05-11T00:00:00Z', '  NEXT      2024-05-11T00:00:00Z']);
      // A status that names no last Backup (lastBackup: "", kept as it was) has none to show either.
      const emptied = { ...fresh, status: { lastBackup: '' } };
      assert.deepEqual((await runCliCaptured(['plan', '-f', kubectlList('fresh-empty-last', [emptied]), '--at', AT])).out, first);
      const { out: paused } = await runCliCaptured(['plan', '-f', kubectlList('paused', [nightly({ pause: true })]), '--at', AT]);
      assert.deepEqual(paused.slice(1), ['  READY     True Paused: spec.pause is true: no new Backups; retention still runs', '  LAST      nightly-2024-05-09t00-00-00']);
    });
  });

  it('writes why /sync would refuse, whole; as JSON, a refused plan creates, deletes and truncates nothing', async () => {
    const [odd] = dailies(1);
    odd!.metadata!.labels = { ...odd!.metadata!.labels, team: 7 as unknown as string };
    const file = kubectlList('refused-whole', [nightly(), odd!]);
    const problem = '/children/Backup.pingcap.com~1v1alpha1/db~1nightly-2024-05-01t00-00-00/metadata/labels/team must be string';
    const text = await runCliCaptured(['plan', '-f', file, '--at', AT]);
    assert.deepEqual(text.out.slice(1), [`  REFUSED   /sync would answer 400: ${problem}`]);
    const json = await runCliCaptured(['plan', '-f', file, '--at', AT, '--format', 'json']);
    assert.equal(json.code, 1);
    const [planned] = JSON.parse(json.out.join('\n')) as Array<Record<string, unknown>>;
    assert.deepEqual(planned, { schedule: 'db/nightly', handedOver: true, notSeen: [], seen: 1, refused: problem, answer: null, creates: [], deletions: [], deletedNow: 0, truncations: [] });
  });

  it('names a schedule without a name by its namespace alone, and says /sync would refuse it', async () => {
    const unnamed = nightly();
    delete (unnamed.metadata as Record<string, unknown>)['name'];
    const { code, out } = await runCliCaptured(['plan', '-f', kubectlList('unnamed', [unnamed]), '--at', AT]);
    assert.equal(code, 1);
    assert.deepEqual(out, ['db/ at 2024-05-10T00:05:00Z: 0 Backups in the request, 0 to delete', "  REFUSED   /sync would answer 400: /parent/metadata must have required property 'name'"]);
  });

  it('claims as Metacontroller does: an owner that is not a controller does not keep a labelled Backup out, an unlabelled orphan is neither sent nor released', async () => {
    const [owned, orphan] = dailies(2);
    owned!.metadata!.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'uid-keep', controller: false } as never];
    orphan!.metadata!.labels = { 'tidb.pingcap.com/backup-schedule': 'nightly' };
    orphan!.metadata!.ownerReferences = [];
    const { out } = await runCliCaptured(['plan', '-f', kubectlList('owners', [nightly(), owned!, orphan!]), '--at', AT]);
    assert.equal(out[0], 'db/nightly at 2024-05-10T00:05:00Z: 1 Backups in the request, 0 to delete');
    assert.ok(!out.some((l) => l.startsWith('  NOT SEEN')), out.join('\n'));
  });

  it('plans a Backup listed without a spec (a hand-written file may have one) as /sync would', async () => {
    const [bare] = dailies(1);
    delete (bare as Record<string, unknown>)['spec'];
    const { code, out } = await runCliCaptured(['plan', '-f', kubectlList('no-spec', [nightly(), bare!]), '--at', AT]);
    assert.equal(code, 0);
    assert.deepEqual(out.slice(0, 2), ['db/nightly at 2024-05-10T00:05:00Z: 1 Backups in the request, 0 to delete', '  CREATE    nightly-2024-05-10t00-00-00']);
  });

  it('sends no Backup for a schedule without a uid (a manifest not yet applied), not even an unlabelled one', async () => {
    const unapplied = nightly();
    delete (unapplied.metadata as Record<string, unknown>)['uid'];
    const [labelled, unlabelled] = dailies(2);
    unlabelled!.metadata!.labels = { 'tidb.pingcap.com/backup-schedule': 'nightly' };
    unlabelled!.metadata!.ownerReferences = [];
    const { out } = await runCliCaptured(['plan', '-f', kubectlList('no-uid', [unapplied, labelled!, unlabelled!]), '--at', AT]);
    assert.equal(out[0], 'db/nightly at 2024-05-10T00:05:00Z: 0 Backups in the request, 0 to delete');
  });

  it('names every file given when none holds a BackupSchedule', async () => {
    const first = kubectlList('none-first', dailies(1));
    const second = kubectlList('none-second', dailies(1));
    const { code, err } = await runCliCaptured(['plan', '-f', first, '-f', second, '--at', AT]);
    assert.equal(code, 1);
    assert.deepEqual(err, [`backup-schedule-hook: ${first}, ${second} holds no object with kind: BackupSchedule`]);
  });

  it('exits 1 when /sync would refuse any one of the schedules planned, the others planned as usual', async () => {
    const [odd, ...rest] = dailies(2);
    odd!.metadata!.labels = { ...odd!.metadata!.labels, team: 7 as unknown as string };
    const hourly = schedule({ name: 'hourly', labels: HANDED_OVER, spec: { schedule: '0 * * * *', maxBackups: 2, backupTemplate: { br: { cluster: 'basic' } } } });
    const { code, out } = await runCliCaptured(['plan', '-f', kubectlList('refused-one', [nightly(), odd!, ...rest]), '-f', kubectlList('fine-one', [hourly]), '--at', AT]);
    assert.equal(code, 1);
    assert.equal(out.filter((l) => l.startsWith('  REFUSED ')).length, 1, out.join('\n'));
    assert.ok(out.includes('  CREATE    hourly-2024-05-10t00-00-00'), out.join('\n'));
  });

  it('plans at the clock, to the second, without --at', async () => {
    const { code, out } = await runCliCaptured(['plan', '-f', kubectlList('clock', [nightly()])]);
    assert.equal(code, 0);
    assert.match(out[0] ?? '', /^db\/nightly at 2030-01-01T00:00:00Z: /);
  });

  const mistakes: Array<{ argv: string[]; says: string }> = [
    { argv: ['--format', 'yaml'], says: 'backup-schedule-hook: --format "yaml" is not one of text, json' },
    { argv: ['--at', 'yesterday'], says: 'backup-schedule-hook: --at "yesterday" is not an RFC 3339 instant; write it like 2024-05-01T00:00:00Z' },
  ];
  for (const m of mistakes) {
    it(`refuses ${m.argv.join(' ')}, exit 2`, async () => {
      const { code, out, err } = await runCliCaptured(['plan', '-f', kubectlList('mistake', [nightly()]), ...m.argv]);
      assert.deepEqual({ code, out, first: err[0] }, { code: 2, out: [], first: m.says });
    });
  }
});
