/**
 * The shipped PrometheusRule under Prometheus's own rule engine: `promtool check rules` (expressions and
 * annotation templates) and `promtool test rules` with the scenarios of promtool-alerts.yaml. Skipped
 * where promtool is not installed (Debian: `apt-get install prometheus`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { stringify } from 'yaml';

import { REPO_ROOT, findOne, renderVariant } from './variants.js';

/** Runs promtool with `args`; null when promtool is not installed. */
function promtool(args: string[]): { status: number | null; output: string } | null {
  const run = spawnSync('promtool', args, { encoding: 'utf8' });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return null;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('PrometheusRule under promtool', function () {
  const dir = path.join(REPO_ROOT, '.tmp', 'promtool');

  before(function () {
    if (promtool(['--version']) === null) this.skip();
    const rule = findOne(renderVariant('monitoring'), 'PrometheusRule') as unknown as { spec: { groups: unknown[] } };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: rule.spec.groups }));
    fs.copyFileSync(path.join(import.meta.dirname, 'promtool-alerts.yaml'), path.join(dir, 'alerts.yaml'));
  });

  it('passes promtool check rules: expressions and annotation templates', () => {
    const run = promtool(['check', 'rules', path.join(dir, 'rules.yaml')]);
    assert.equal(run?.status, 0, run?.output);
  });

  it('fires exactly the expected alerts in every scenario of promtool-alerts.yaml', () => {
    const run = promtool(['test', 'rules', path.join(dir, 'alerts.yaml')]);
    assert.equal(run?.status, 0, run?.output);
  });
});
