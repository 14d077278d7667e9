/** The CLI: preview a manifest's timeline, replay a captured request exactly as /sync answers it. */

import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { pino } from 'pino';
import request from 'supertest';
import { parse } from 'yaml';

import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import { loadFixtures } from '../support/fixtures.js';
import { runCliCaptured } from '../support/run-cli.js';
import type { CliRun } from '../support/run-cli.js';

const MANIFEST = join(import.meta.dirname, '..', 'fixtures', 'cli', 'nightly.yaml');
const TMP = join(process.cwd(), '.tmp', 'cli-test');

function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCliCaptured(argv, { env });
}

async function viaSync(body: unknown, at: string, env: NodeJS.ProcessEnv = {}): Promise<{ status: number; text: string }> {
  const config = loadConfig(env);
  const app = createApp({ config, logger: pino({ level: 'silent' }), now: () => Date.parse(at) });
  const res = await request(app).post('/sync').set('content-type', 'application/json').send(JSON.stringify(body));
  return { status: res.status, text: res.text };
}

describe('cli preview', function () {
  this.timeout(60_000);

  it('prints one event per line: time, kind, Backup name and why', async () => {
    const { code, out } = await cli(['preview', '-f', MANIFEST, '--for', '4d', '--from', '2024-05-01T00:00:00Z']);
    assert.equal(code, 0);
    assert.deepEqual(out, [
      '2024-05-01T02:00:00Z  CREATE    nightly-2024-05-01t02-00-00  slot 2024-05-01T02:00:00Z',
      '2024-05-01T02:05:00Z  COMPLETE  nightly-2024-05-01t02-00-00  after 5m0s',
      '2024-05-02T02:00:00Z  CREATE    nightly-2024-05-02t02-00-00  slot 2024-05-02T02:00:00Z',
      '2024-05-02T02:05:00Z  COMPLETE  nightly-2024-05-02t02-00-00  after 5m0s',
      '2024-05-03T02:00:00Z  CREATE    nightly-2024-05-03t02-00-00  slot 2024-05-03T02:00:00Z',
      '2024-05-03T02:05:00Z  COMPLETE  nightly-2024-05-03t02-00-00  after 5m0s',
      '2024-05-03T02:05:00Z  DELETE    nightly-2024-05-01t02-00-00  maxBackups: beyond the newest 2 Complete',
      '2024-05-04T02:00:00Z  CREATE    nightly-2024-05-04t02-00-00  slot 2024-05-04T02:00:00Z',
      '2024-05-04T02:05:00Z  COMPLETE  nightly-2024-05-04t02-00-00  after 5m0s',
      '2024-05-04T02:05:00Z  DELETE    nightly-2024-05-02t02-00-00  maxBackups: beyond the newest 2 Complete',
    ]);
  });

  it('reads the same schedule from JSON, and takes the Backup duration', async () => {
    mkdirSync(TMP, { recursive: true });
    const json = join(TMP, 'nightly.json');
    writeFileSync(json, JSON.stringify(parse(await import('node:fs').then((fs) => fs.readFileSync(MANIFEST, 'utf8')))));
    const { code, out } = await cli(['preview', '-f', json, '--for', '1d', '--from', '2024-05-01T00:00:00Z', '--backup-duration', '90m']);
    assert.equal(code, 0);
    assert.deepEqual(out, [
      '2024-05-01T02:00:00Z  CREATE    nightly-2024-05-01t02-00-00  slot 2024-05-01T02:00:00Z',
      '2024-05-01T03:30:00Z  COMPLETE  nightly-2024-05-01t02-00-00  after 1h30m0s',
    ]);
  });

  it('starts now without --from', async () => {
    const { out } = await cli(['preview', '-f', MANIFEST, '--for', '1d']);
    assert.equal(out[0], '2030-01-01T02:00:00Z  CREATE    nightly-2030-01-01t02-00-00  slot 2030-01-01T02:00:00Z');
  });

  const mistakes: Array<{ argv: string[]; code: number; says: RegExp }> = [
    { argv: ['preview', '-f', MANIFEST], code: 2, says: /--for is required/ },
    { argv: ['preview', '-f', MANIFEST, '--for', 'soon'], code: 2, says: /--for "soon" is not a length of time; write it like 30d/ },
    { argv: ['preview', '-f', MANIFEST, '--for', '1d', '--from', 'yesterday'], code: 2, says: /--from "yesterday" is not an RFC 3339 instant/ },
    { argv: ['preview', '-f', 'package.json', '--for', '1d'], code: 1, says: /holds no object with kind: BackupSchedule/ },
    { argv: ['preview', '-f', 'no-such-file.yaml', '--for', '1d'], code: 1, says: /cannot read no-such-file.yaml/ },
    { argv: ['replay', '-f', 'hooks/examples/sync-request.json'], code: 2, says: /--at is required/ },
    { argv: ['frobnicate'], code: 2, says: /unknown command "frobnicate"/ },
  ];
  for (const m of mistakes) {
    it(`says what to fix for: ${m.argv.join(' ')}`, async () => {
      const { code, err } = await cli(m.argv);
      assert.equal(code, m.code);
      assert.match(err.join('\n'), m.says);
    });
  }

  it('reads its settings from the environment as the server does, and rejects a bad one', async () => {
    const { code, err } = await cli(['preview', '-f', MANIFEST, '--for', '1d'], { STALE_VIEW_GRACE: 'a while' });
    assert.equal(code, 1);
    assert.match(err.join('\n'), /STALE_VIEW_GRACE/);
  });
});

describe('cli replay', function () {
  this.timeout(60_000);

  for (const fixture of loadFixtures()) {
    it(`prints exactly what /sync answers: ${fixture.name}`, async () => {
      const file = join(fixture.dir, 'request.json');
      const { code, out } = await cli(['replay', '-f', file, '--at', fixture.now]);
      const expected = await viaSync(fixture.request, fixture.now);
      assert.equal(code, 0);
      assert.equal(expected.status, 200);
      assert.deepEqual(out, [expected.text]);
    });
  }

  it('uses STALE_VIEW_GRACE from the environment, as the server does', async () => {
    const fixture = loadFixtures().find((f) => f.name === 'stale-last-backup-missing-within-grace');
    assert.ok(fixture);
    const env = { STALE_VIEW_GRACE: '0s' };
    const withEnv = await cli(['replay', '-f', join(fixture.dir, 'request.json'), '--at', fixture.now], env);
    const without = await cli(['replay', '-f', join(fixture.dir, 'request.json'), '--at', fixture.now]);
    assert.deepEqual(withEnv.out, [(await viaSync(fixture.request, fixture.now, env)).text]);
    assert.notDeepEqual(withEnv.out, without.out, 'the grace changes this decision');
  });

  it('prints /sync’s 400 answer for a request that is not Metacontroller’s, and exits 1', async () => {
    const { code, out } = await cli(['replay', '-f', 'package.json', '--at', '2024-05-01T00:00:00Z']);
    const expected = await viaSync(JSON.parse(await import('node:fs').then((fs) => fs.readFileSync('package.json', 'utf8'))), '2024-05-01T00:00:00Z');
    assert.equal(code, 1);
    assert.equal(expected.status, 400);
    assert.deepEqual(out, [expected.text]);
  });

  it('stops quietly, exit 0, when the reader of its output goes away (preview … | head)', async () => {
    mkdirSync(TMP, { recursive: true });
    const often = join(TMP, 'often.json');
    const spec = { schedule: '@every 1m', maxBackups: 2, backupTemplate: { backupType: 'full', br: { cluster: 'basic' }, s3: { provider: 'aws', bucket: 'b', prefix: 'p' } } };
    writeFileSync(often, JSON.stringify({ apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name: 'often', namespace: 'ns' }, spec }));
    // Some 380 kB of timeline: far more than a pipe holds, so the command is still writing when the reader leaves.
    const argv = ['--import', 'tsx', 'src/cli/main.ts', 'preview', '-f', often, '--for', '1d', '--from', '2024-05-01T00:00:00Z', '--backup-duration', '30s'];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.match(first, /^2024-05-01T00:01:00Z {2}CREATE {4}often-2024-05-01t00-01-00/);
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });

  it('says so, exit 1, when its output cannot be written for another reason than a reader gone (a full disk)', async function () {
    if (!existsSync('/dev/full')) this.skip();
    const out = openSync('/dev/full', 'w');
    try {
      const argv = ['--import', 'tsx', 'src/cli/main.ts', 'replay', '-f', 'hooks/examples/sync-request.json', '--at', '2024-05-01T12:00:05Z'];
      const run = spawnSync(process.execPath, argv, { stdio: ['ignore', out, 'pipe'], encoding: 'utf8' });
      assert.equal(run.status, 1);
      assert.match(run.stderr, /^backup-schedule-hook: cannot write the output: .*ENOSPC/);
    } finally {
      closeSync(out);
    }
  });

  it('runs nothing when imported rather than run', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', "await import('./src/cli/main.ts')", 'replay'], { encoding: 'utf8' });
    assert.deepEqual({ status: run.status, stdout: run.stdout, stderr: run.stderr }, { status: 0, stdout: '', stderr: '' });
  });

  it('runs as a command (the package bin) and exits 0', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'replay', '-f', 'hooks/examples/sync-request.json', '--at', '2024-05-01T12:00:05Z', '--pretty']);
    const answer = JSON.parse(stdout) as { status: { lastBackup: string } };
    assert.equal(answer.status.lastBackup, 'nightly-2024-05-01t12-00-00');
  });
});

describe('cli commands and flags', function () {
  this.timeout(60_000);
  const REQUEST = 'hooks/examples/sync-request.json';
  const AT = '2024-05-01T12:00:05Z';

  it('seed prints the seed incident’s table, a row per controller, exit 0', async () => {
    const { code, out, err } = await cli(['seed']);
    assert.deepEqual({ code, err }, { code: 0, err: [] });
    const lines = out.join('\n').split('\n');
    assert.match(lines[0] ?? '', /^controller +lost lastBackup +overlapping backups/);
    assert.deepEqual(lines.slice(2).map((l) => l.split(/ {2,}/)[0]), ['upstream, seed era', 'upstream, release-1.x', 'this hook, without spec.backupTimeout', 'this hook, with spec.backupTimeout: 2h']);
  });

  it('answers -h, --help and help alike: the usage on stdout, exit 0', async () => {
    for (const flag of ['-h', '--help', 'help']) {
      const { code, out, err } = await cli([flag]);
      assert.deepEqual({ code, err }, { code: 0, err: [] }, flag);
      assert.match(out.join('\n'), /^usage:\n {2}backup-schedule-hook preview/, flag);
    }
  });

  it('follows a usage mistake with the usage, exit 2; a failure of the command with no usage, exit 1', async () => {
    const mistake = await cli(['frobnicate']);
    assert.equal(mistake.code, 2);
    assert.equal(mistake.err[0], 'backup-schedule-hook: unknown command "frobnicate"');
    assert.match(mistake.err.slice(1).join('\n'), /^usage:\n {2}backup-schedule-hook preview/);
    const failure = await cli(['preview', '-f', 'no-such-file.yaml', '--for', '1d']);
    assert.equal(failure.code, 1);
    assert.equal(failure.err.length, 1, failure.err.join('\n'));
  });

  const refused: Array<{ argv: string[]; says: string }> = [
    { argv: ['preview', MANIFEST, '--for', '1d'], says: `backup-schedule-hook: Unexpected argument '${MANIFEST}'. This command does not take positional arguments` },
    { argv: ['preview', '-f', MANIFEST, '--for', '1d', '--frm', '2024-05-01T00:00:00Z'], says: "backup-schedule-hook: Unknown option '--frm'" },
    { argv: ['preview', '-f', MANIFEST, '--for', ''], says: 'backup-schedule-hook: --for is required' },
    { argv: ['replay', '-f', REQUEST, '--at', 'yesterday'], says: 'backup-schedule-hook: --at "yesterday" is not an RFC 3339 instant; write it like 2024-05-01T00:00:00Z' },
  ];
  for (const r of refused) {
    it(`refuses, exit 2: ${r.argv.slice(1).join(' ')}`, async () => {
      const { code, out, err } = await cli(r.argv);
      assert.deepEqual({ code, out, first: err[0] }, { code: 2, out: [], first: r.says });
    });
  }

  it('replay --pretty prints /sync’s answer indented, and nothing on stderr', async () => {
    const plain = await cli(['replay', '-f', REQUEST, '--at', AT]);
    const pretty = await cli(['replay', '-f', REQUEST, '--at', AT, '--pretty']);
    assert.deepEqual({ code: plain.code, err: plain.err }, { code: 0, err: [] });
    assert.deepEqual({ code: pretty.code, err: pretty.err }, { code: 0, err: [] });
    assert.deepEqual(pretty.out, [JSON.stringify(JSON.parse(plain.out[0] ?? ''), null, 2)]);
  });

  it('replay of a request /sync refuses says so on stderr, after the answer on stdout', async () => {
    const { code, out, err } = await cli(['replay', '-f', 'package.json', '--at', AT]);
    assert.equal(code, 1);
    assert.match(out[0] ?? '', /^\{"error":"not a Metacontroller sync request/);
    assert.deepEqual(err, ['backup-schedule-hook: /sync would answer 400']);
  });
});
