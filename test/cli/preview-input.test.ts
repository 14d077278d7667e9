/** preview on specs the hook would refuse or that do nothing in the window: it says so, as the hook would, instead of printing nothing. */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { runCli } from '../../src/cli/main.js';

const TMP = join(process.cwd(), '.tmp', 'cli-preview-input-test');
const TEMPLATE = '  backupTemplate: {backupType: full, br: {cluster: basic}, s3: {provider: aws, bucket: b, prefix: p}}';

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env: {}, output: { out: (l) => out.push(l), err: (l) => err.push(l) }, now: () => Date.parse('2030-01-01T00:00:00Z') });
  return { code, out, err: err.join('\n') };
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
