/** preview on specs the hook would refuse or that do nothing in the window: it says so, as the hook would, instead of printing nothing. */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyWindowNote, readPreviewSpec } from '../../src/cli/preview-spec.js';
import { readManifests, readText } from '../../src/cli/read-input.js';
import { runCliCaptured } from '../support/run-cli.js';


const TMP = join(process.cwd(), '.tmp', 'cli-preview-input-test');
const NIGHTLY = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'cli', 'nightly.yaml'), 'utf8');
const FIRST_DAY = [
  '2024-05-01T02:00:00Z  CREATE    nightly-2024-05-01t02-00-00  slot 2024-05-01T02:00:00Z',
  '2024-05-01T02:05:00Z  COMPLETE  nightly-2024-05-01t02-00-00  after 5m0s',
];
const TEMPLATE = '  backupTemplate: {backupType: full, br: {cluster: basic}, s3: {provider: aws, bucket: b, prefix: p}}';

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const run = await runCliCaptured(argv);
  return { ...run, err: run.err.join('\n') };
}

/** manifest writes a BackupSchedule with the given spec lines and returns its path. */
function manifest(name: string, specLines: string[]): string {
  mkdirSync(TMP, { recursive: true });
  const file = join(TMP, `${name}.yaml`);
  writeFileSync(file, ['apiVersion: pingcap.com/v1alpha1', 'kind: BackupSchedule', `metadata: {name: ${name}, namespace: ns}`, 'spec:', ...specLines, ''].join('\n'));
  return file;
}

describe('cli preview of a spec that does nothing', function () {
  this.timeout(60_000);

  const invalid: Array<{ name: string; spec: string[]; says: RegExp }> = [
    { name: 'hour-25', spec: ['  schedule: "0 25 * * *"', TEMPLATE], says: /spec\.schedule: "0 25 \* \* \*": hour field "25": 25 is above 23/ },
    { name: 'offset-zone', spec: ['  schedule: "0 2 * * *"', '  timeZone: "+02:00"', TEMPLATE], says: /spec\.timeZone "\+02:00"/ },
    { name: 'misspelt-retention', spec: ['  schedule: "0 2 * * *"', '  retention: {keepDayly: 3}', TEMPLATE], says: /did you mean keepDaily/ },
    { name: 'two-retentions', spec: ['  schedule: "0 2 * * *"', '  maxBackups: 3', '  retention: {keepDaily: 3}', TEMPLATE], says: /retention/ },
    { name: 'no-template', spec: ['  schedule: "0 2 * * *"'], says: /spec\.backupTemplate is missing/ },
    { name: 'no-schedule', spec: ['  maxBackups: 3', TEMPLATE], says: /spec\.schedule is missing/ },
    { name: 'two-problems', spec: ['  schedule: "0 25 * * *"'], says: /, e\.g\. "2", "\*\/6" or "9-17"; spec\.backupTemplate is missing or not an object/ },
  ];
  for (const c of invalid) {
    it(`refuses an invalid spec with the hook's message and exits 1: ${c.name}`, async () => {
      const { code, out, err } = await cli(['preview', '-f', manifest(c.name, c.spec), '--for', '3d', '--from', '2024-05-01T00:00:00Z']);
      assert.equal(code, 1);
      assert.deepEqual(out, []);
      assert.match(err, /the spec is invalid, so the hook would create and delete nothing \(Ready=False, reason InvalidSpec\)/);
      assert.match(err, c.says);
    });
  }

  const quiet: Array<{ name: string; spec: string[]; forSpan: string; says: RegExp }> = [
    { name: 'paused', spec: ['  schedule: "0 2 * * *"', '  pause: true', TEMPLATE], forSpan: '3d', says: /no Backup between 2024-05-01T00:00:00Z and 2024-05-04T00:00:00Z: spec\.pause is true/ },
    { name: 'never', spec: ['  schedule: "0 0 30 2 *"', TEMPLATE], forSpan: '3d', says: /the schedule "0 0 30 2 \*" never fires/ },
    { name: 'later', spec: ['  schedule: "0 2 * * *"', TEMPLATE], forSpan: '1h', says: /no Backup between 2024-05-01T00:00:00Z and 2024-05-01T01:00:00Z: the schedule's first tick is at 2024-05-01T02:00:00Z; give a longer --for/ },
    { name: 'every-later', spec: ['  schedule: "@every 6h"', TEMPLATE], forSpan: '5h', says: /the schedule's first tick is at 2024-05-01T06:00:00Z/ },
  ];
  for (const c of quiet) {
    it(`says why nothing happens in the window, exit 0: ${c.name}`, async () => {
      const { code, out, err } = await cli(['preview', '-f', manifest(c.name, c.spec), '--for', c.forSpan, '--from', '2024-05-01T00:00:00Z']);
      assert.equal(code, 0);
      assert.deepEqual(out, []);
      assert.match(err, c.says);
    });
  }

  it('adds no note when the window has Backups', async () => {
    const { code, out, err } = await cli(['preview', '-f', manifest('ticks', ['  schedule: "0 2 * * *"', TEMPLATE]), '--for', '1d', '--from', '2024-05-01T00:00:00Z']);
    assert.equal(code, 0);
    assert.equal(out.length, 2);
    assert.equal(err, '');
  });
});

describe('the note on a preview window without a Backup', () => {
  const spec = readPreviewSpec(readManifests(join(import.meta.dirname, '..', 'fixtures', 'cli', 'nightly.yaml'))[0]!); // 0 2 * * *
  const from = Date.parse('2024-05-01T00:00:00Z');

  it('is none for a window the schedule ticks in, its last instant included', () => {
    assert.equal(emptyWindowNote(spec, { from, to: Date.parse('2024-05-01T02:00:00Z') }), null);
  });

  it("names the first tick after a window that ends before it", () => {
    assert.match(emptyWindowNote(spec, { from, to: Date.parse('2024-05-01T01:59:59Z') }) ?? '', /the schedule's first tick is at 2024-05-01T02:00:00Z; give a longer --for$/);
  });
});

describe('cli input files', function () {
  this.timeout(60_000);

  const files: Array<{ name: string; text: string; says: RegExp | null }> = [
    { name: 'list.yaml', text: `apiVersion: v1\nkind: List\nitems:\n${NIGHTLY.replace(/^/gm, '    ').replace(/^ {4}/, '  - ')}`, says: null },
    { name: 'two.yaml', text: `${NIGHTLY}---\n${NIGHTLY.replace('name: nightly', 'name: other')}`, says: /two\.yaml holds 2 BackupSchedules; this previews the first, tidb-cluster\/nightly/ },
    { name: 'configmap-first.yaml', text: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n${NIGHTLY}`, says: null },
    { name: 'bom.yaml', text: `\uFEFF${NIGHTLY}`, says: null },
  ];
  for (const f of files) {
    it(`previews the schedule in ${f.name}`, async () => {
      mkdirSync(TMP, { recursive: true });
      const file = join(TMP, f.name);
      writeFileSync(file, f.text);
      const { code, out, err } = await cli(['preview', '-f', file, '--for', '1d', '--from', '2024-05-01T00:00:00Z']);
      assert.equal(code, 0);
      assert.deepEqual(out, FIRST_DAY);
      if (f.says === null) assert.equal(err, '');
      else assert.match(err, f.says);
    });
  }

  it('skips empty documents and list items that are not objects', async () => {
    mkdirSync(TMP, { recursive: true });
    const file = join(TMP, 'sparse.yaml');
    const list = `apiVersion: v1\nkind: List\nitems:\n  - null\n  - just text\n  - 3\n${NIGHTLY.replace(/^/gm, '    ').replace(/^ {4}/, '  - ')}`;
    writeFileSync(file, `---\n--- 7\n---\n${list}`);
    const { code, out, err } = await cli(['preview', '-f', file, '--for', '1d', '--from', '2024-05-01T00:00:00Z']);
    assert.deepEqual({ code, out, err }, { code: 0, out: FIRST_DAY, err: '' });
  });

  it('reads the items of a kind: List only, not of a list of another kind', async () => {
    mkdirSync(TMP, { recursive: true });
    const file = join(TMP, 'typed-list.yaml');
    writeFileSync(file, `apiVersion: pingcap.com/v1alpha1\nkind: BackupScheduleList\nitems:\n${NIGHTLY.replace(/^/gm, '    ').replace(/^ {4}/, '  - ')}`);
    const { code, err } = await cli(['preview', '-f', file, '--for', '1d', '--from', '2024-05-01T00:00:00Z']);
    assert.equal(code, 1);
    assert.equal(err, `backup-schedule-hook: ${file} holds no object with kind: BackupSchedule`);
  });

  it('says a file is not YAML, with the parser’s reason, exit 1', async () => {
    mkdirSync(TMP, { recursive: true });
    const file = join(TMP, 'broken.yaml');
    writeFileSync(file, 'kind: BackupSchedule\nspec: {schedule: [\n');
    const { code, err } = await cli(['preview', '-f', file, '--for', '1d']);
    assert.equal(code, 1);
    assert.match(err, new RegExp(`^backup-schedule-hook: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not YAML or JSON: \\S`));
  });

  it('says a request file is not JSON, with the parser’s reason, exit 1', async () => {
    const { code, err } = await cli(['replay', '-f', join(import.meta.dirname, '..', 'fixtures', 'cli', 'nightly.yaml'), '--at', '2024-05-01T00:00:00Z']);
    assert.equal(code, 1);
    assert.match(err, /^backup-schedule-hook: \S+nightly\.yaml is not JSON: \S/);
  });

  it('drops only a leading byte order mark', () => {
    mkdirSync(TMP, { recursive: true });
    const file = join(TMP, 'inner-bom.txt');
    writeFileSync(file, '\uFEFFname: a\uFEFFb\n');
    assert.equal(readText(file), 'name: a\uFEFFb\n');
    writeFileSync(file, 'name: a\uFEFFb\n'); // no leading mark: nothing dropped
    assert.equal(readText(file), 'name: a\uFEFFb\n');
  });

  it('titles the picture of a manifest without a namespace as in default', async () => {
    mkdirSync(TMP, { recursive: true });
    const file = join(TMP, 'no-namespace.yaml');
    writeFileSync(file, NIGHTLY.replace(/^( +)namespace: .*\n/m, ''));
    const { code, out, err } = await cli(['preview', '-f', file, '--for', '1d', '--from', '2024-05-01T00:00:00Z', '--format', 'svg']);
    assert.deepEqual({ code, err }, { code: 0, err: '' });
    assert.match(out.join('\n'), /<title>default\/nightly: 2024-05-01T00:00:00Z to 2024-05-02T00:00:00Z<\/title>/);
  });

  it('names the first of several schedules by what its manifest has, a name or not', async () => {
    mkdirSync(TMP, { recursive: true });
    const file = join(TMP, 'two-first-unnamed.yaml');
    writeFileSync(file, `apiVersion: pingcap.com/v1alpha1\nkind: BackupSchedule\nmetadata: {namespace: ns}\nspec: {schedule: "0 2 * * *"}\n---\n${NIGHTLY}`);
    const { code, err } = await cli(['preview', '-f', file, '--for', '1d', '--from', '2024-05-01T00:00:00Z']);
    assert.equal(code, 1);
    assert.match(err, /holds 2 BackupSchedules; this previews the first, ns\/ \(give each its own file/);
  });

  it('replays a request saved with a byte order mark as /sync would without it', async () => {
    mkdirSync(TMP, { recursive: true });
    const file = join(TMP, 'bom-request.json');
    writeFileSync(file, `\uFEFF${readFileSync('hooks/examples/sync-request.json', 'utf8')}`);
    const withBom = await cli(['replay', '-f', file, '--at', '2024-05-01T12:00:05Z']);
    const without = await cli(['replay', '-f', 'hooks/examples/sync-request.json', '--at', '2024-05-01T12:00:05Z']);
    assert.equal(withBom.code, 0);
    assert.deepEqual(withBom.out, without.out);
  });

  const fixtures: Array<{ name: string; json: string; says: RegExp }> = [
    { name: 'empty-scenario', json: '{"invariants":[1],"scenario":{}}', says: /^backup-schedule-hook: the scenario in \S+empty-scenario\.json cannot run \(.+\); write it like the fixtures in test\/fixtures\/sim\// },
    { name: 'null-scenario', json: '{"invariants":[1],"scenario":null}', says: /the file is not a simulator fixture: it needs "invariants"/ },
    { name: 'null', json: 'null', says: /the file is not a simulator fixture/ },
    { name: 'string-scenario', json: '{"invariants":[1],"scenario":"nightly"}', says: /^backup-schedule-hook: the file is not a simulator fixture: it needs "invariants"/ },
  ];
  for (const f of fixtures) {
    it(`simulate says what a broken fixture lacks, exit 1: ${f.name}`, async () => {
      mkdirSync(TMP, { recursive: true });
      const file = join(TMP, `${f.name}.json`);
      writeFileSync(file, f.json);
      const { code, err } = await cli(['simulate', '-f', file]);
      assert.equal(code, 1);
      assert.match(err, f.says);
    });
  }

  it('simulate runs a fixture: what it created and the violations, none here, exit 0', async () => {
    const { code, out, err } = await cli(['simulate', '-f', 'test/fixtures/sim/two-backup-now-tokens-in-quick-succession.json']);
    assert.deepEqual({ code, err }, { code: 0, err: '' });
    assert.deepEqual(out, ['140 Backups created, 1659 syncs, 0 violations']);
  });

  it('simulate lists each violation with its invariant, exit 1 (upstream on the seed incident)', async () => {
    mkdirSync(TMP, { recursive: true });
    const file = join(TMP, 'upstream-seed.json');
    const fixture = JSON.parse(readFileSync('test/fixtures/sim/seed-incident.json', 'utf8')) as { scenario: { controller: string } };
    fixture.scenario.controller = 'upstream-release-1x';
    writeFileSync(file, JSON.stringify(fixture));
    const { code, out } = await cli(['simulate', '-f', file]);
    assert.equal(code, 1);
    assert.match(out[0] ?? '', /^\d+ Backups created, \d+ syncs, [1-9]\d* violations$/);
    assert.equal(out.length - 1, Number(/, (\d+) violations$/.exec(out[0] ?? '')?.[1]));
    assert.match(out[1] ?? '', /^\[3: the answered status is never behind the request; lastBackup never lost\] 2024-05-01T\d\d:\d\d:\d\d\.\d{3}Z \S/);
  });

  it('names stdin "stdin" in its messages', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'replay', '-f', '-', '--at', '2024-05-01T12:00:05Z'], { input: '', encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^backup-schedule-hook: stdin is not JSON: /);
  });

  it('writes the usage to stderr, exit 2, when no command is given; to stdout, exit 0, for --help', async () => {
    const none = await cli([]);
    assert.equal(none.code, 2);
    assert.deepEqual(none.out, []);
    assert.match(none.err, /^usage:\n {2}backup-schedule-hook preview/);
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out.join('\n'), /^usage:\n {2}backup-schedule-hook preview/);
    assert.equal(help.err, '');
  });

  it('previews a live object (with a status) as a new schedule, and says its status is ignored', async () => {
    mkdirSync(TMP, { recursive: true });
    const file = join(TMP, 'live.yaml');
    const status = ['status:', '  lastBackup: nightly-2024-04-30t02-00-00', '  lastBackupTime: "2024-04-30T02:00:00Z"', '  scheduleHash: "0000000000000000"', ''];
    writeFileSync(file, NIGHTLY.trimEnd() + '\n' + status.join('\n'));
    const { code, out, err } = await cli(['preview', '-f', file, '--for', '1d', '--from', '2024-05-01T00:00:00Z']);
    assert.equal(code, 0);
    assert.deepEqual(out.slice(0, 2), FIRST_DAY);
    assert.match(err, /the manifest's status is ignored: the preview creates the schedule at --from, with none of its Backups/);
  });

  it('says a hashed schedule without a namespace is drawn as in default, and previews it at that time', async () => {
    mkdirSync(TMP, { recursive: true });
    const lines = (metadata: string) => ['apiVersion: pingcap.com/v1alpha1', 'kind: BackupSchedule', `metadata: ${metadata}`, 'spec:', '  schedule: "H H(0-2) * * *"', TEMPLATE, ''];
    const bare = join(TMP, 'hashed-bare.yaml');
    writeFileSync(bare, lines('{name: nightly}').join('\n'));
    const inDefault = join(TMP, 'hashed-default.yaml');
    writeFileSync(inDefault, lines('{name: nightly, namespace: default}').join('\n'));
    const window = ['--for', '1d', '--from', '2024-05-01T00:00:00Z'];
    const unnamed = await cli(['preview', '-f', bare, ...window]);
    const named = await cli(['preview', '-f', inDefault, ...window]);
    assert.equal(unnamed.code, 0);
    assert.match(unnamed.err, /names no namespace, so its hashed times are drawn as in namespace default \(default\/nightly\)/);
    assert.equal(named.err, '');
    assert.deepEqual(unnamed.out, named.out);
    assert.match(named.out[0] ?? '', /^2024-05-01T0[0-2]:\d\d:00Z {2}CREATE/);
  });

  // The note, whole, only for a hashed schedule whose manifest names no namespace; a manifest without metadata is refused for its name.
  const NOTE =
    'backup-schedule-hook: the manifest names no namespace, so its hashed times are drawn as in namespace default (default/nightly); ' +
    'created in another namespace (kubectl apply -n), the schedule runs at other times: add metadata.namespace to preview those';
  const notes: { metadata: string | null; schedule: string; code: number; err: string | RegExp }[] = [
    { metadata: '{name: nightly}', schedule: 'H H(0-2) * * *', code: 0, err: NOTE },
    { metadata: '{name: nightly, namespace: ""}', schedule: '@daily-random', code: 0, err: NOTE },
    { metadata: '{name: nightly}', schedule: '0 2 * * *', code: 0, err: '' },
    { metadata: '{name: nightly, namespace: prod}', schedule: 'H H(0-2) * * *', code: 0, err: '' },
    { metadata: null, schedule: '0 2 * * *', code: 1, err: /^backup-schedule-hook: the manifest has no metadata.name; give the BackupSchedule a name$/ },
    { metadata: null, schedule: 'H H(0-2) * * *', code: 1, err: /\nbackup-schedule-hook: the manifest has no metadata.name; give the BackupSchedule a name$/ },
  ];
  for (const { metadata, schedule, code, err } of notes) {
    it(`${err === '' ? 'says nothing of namespaces' : code === 0 ? 'notes the namespace the times are drawn in' : 'asks for a name'} for ${schedule} with metadata ${metadata}`, async () => {
      mkdirSync(TMP, { recursive: true });
      const file = join(TMP, 'namespace-note.yaml');
      const lines = ['apiVersion: pingcap.com/v1alpha1', 'kind: BackupSchedule', ...(metadata === null ? [] : [`metadata: ${metadata}`]), 'spec:', `  schedule: "${schedule}"`, TEMPLATE, ''];
      writeFileSync(file, lines.join('\n'));
      const run = await cli(['preview', '-f', file, '--for', '1d', '--from', '2024-05-01T00:00:00Z']);
      assert.equal(run.code, code, run.err);
      if (typeof err === 'string') assert.equal(run.err, err);
      else assert.match(run.err, err);
    });
  }

  it('says which slots the hook skipped, once each, between the Backups it creates (RESYNC_EVERY set or not: Metacontroller resyncs)', async () => {
    const file = manifest('tight', ['  schedule: "*/10 * * * *"', '  startingDeadlineSeconds: 60', '  maxBackups: 10', TEMPLATE]);
    const argv = ['preview', '-f', file, '--for', '1h', '--from', '2024-05-01T00:00:00Z', '--backup-duration', '25m'];
    const { code, out } = await cli(argv);
    assert.deepEqual((await runCliCaptured(argv, { env: { RESYNC_EVERY: '1m' } })).out, out);
    assert.equal(code, 0);
    assert.deepEqual(out, [
      '2024-05-01T00:10:00Z  CREATE    tight-2024-05-01t00-10-00  slot 2024-05-01T00:10:00Z',
      '2024-05-01T00:21:00Z  MISSED    tight-2024-05-01t00-20-00  the slot 2024-05-01T00:20:00Z was not started within spec.startingDeadlineSeconds (60) and does not run; ' +
        'until then the gate was closed: waiting for Backup tight-2024-05-01t00-10-00 to finish (Complete, Failed or Invalid)',
      '2024-05-01T00:31:00Z  MISSED    tight-2024-05-01t00-30-00  the slot 2024-05-01T00:30:00Z was not started within spec.startingDeadlineSeconds (60) and does not run; ' +
        'until then the gate was closed: waiting for Backup tight-2024-05-01t00-10-00 to finish (Complete, Failed or Invalid)',
      '2024-05-01T00:35:00Z  COMPLETE  tight-2024-05-01t00-10-00  after 25m0s',
      '2024-05-01T00:40:00Z  CREATE    tight-2024-05-01t00-40-00  slot 2024-05-01T00:40:00Z',
      '2024-05-01T00:51:00Z  MISSED    tight-2024-05-01t00-50-00  the slot 2024-05-01T00:50:00Z was not started within spec.startingDeadlineSeconds (60) and does not run; ' +
        'until then the gate was closed: waiting for Backup tight-2024-05-01t00-40-00 to finish (Complete, Failed or Invalid)',
    ]);
  });
});
