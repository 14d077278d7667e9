#!/usr/bin/env node
/**
 * npm run audit: `npm audit --omit=dev` when the registry's advisory endpoint answers; when it cannot be reached
 * (some proxies refuse its POST), a fallback that still says something true about the production tree: every
 * installed package is the newest release of its major line and none is deprecated. The fallback is not an audit:
 * it exits 2 so that a release pipeline cannot mistake it for one.
 */

import { execFileSync, spawnSync } from 'node:child_process';

const audit = spawnSync('npm', ['audit', '--omit=dev'], { encoding: 'utf8' });
if (audit.status === 0 || !/audit endpoint returned an error|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|405/.test(audit.stderr + audit.stdout)) {
  process.stdout.write(audit.stdout);
  process.stderr.write(audit.stderr);
  process.exit(audit.status ?? 1);
}

console.log('npm audit could not reach the advisory endpoint:');
console.log(`  ${(audit.stderr.split('\n').find((l) => /405|error/.test(l)) ?? '').trim()}`);
console.log('Fallback (not an audit): is every production package the newest of its major line, and none deprecated?\n');

const tree = JSON.parse(execFileSync('npm', ['ls', '--omit=dev', '--all', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
const installed = new Map();
(function walk(deps) {
  for (const [name, node] of Object.entries(deps ?? {})) {
    if (node.version !== undefined) installed.set(`${name}@${node.version}`, { name, version: node.version });
    walk(node.dependencies);
  }
})(tree.dependencies);

/** compareVersions orders plain x.y.z versions numerically. */
function compareVersions(a, b) {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i += 1) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** deprecationOf reads a version's deprecation notice ('' for none). */
function deprecationOf(spec) {
  return execFileSync('npm', ['view', spec, 'deprecated'], { encoding: 'utf8' }).trim();
}

// Some registry mirrors drop deprecation notices: ask about a version npmjs.org marks deprecated first.
const deprecationsServed = deprecationOf('request@2.88.2') !== '';
let behind = 0;
let deprecated = 0;
const rows = [];
for (const { name, version } of [...installed.values()].sort((a, b) => a.name.localeCompare(b.name))) {
  const [major, minor] = version.split('.');
  const sameLine = (v) => /^\d+\.\d+\.\d+$/.test(v) && v.split('.')[0] === major && (major !== '0' || v.split('.')[1] === minor);
  const versions = [JSON.parse(execFileSync('npm', ['view', '--json', name, 'versions'], { encoding: 'utf8' }))].flat();
  const newest = versions.filter(sameLine).sort(compareVersions).pop() ?? version;
  const note = deprecationsServed ? deprecationOf(`${name}@${version}`) : '';
  const isBehind = compareVersions(newest, version) > 0;
  behind += isBehind ? 1 : 0;
  deprecated += note === '' ? 0 : 1;
  rows.push(`${isBehind || note !== '' ? '!' : ' '} ${name}@${version}${isBehind ? `  newest of its line: ${newest}` : ''}${note === '' ? '' : `  DEPRECATED: ${note}`}`);
}
console.log(rows.join('\n'));
console.log(`\n${installed.size} production packages: ${behind} behind the newest of their major line (0.x: minor line), ` +
  (deprecationsServed ? `${deprecated} deprecated.` : 'deprecation not checked: this registry serves no deprecation notices.'));
console.log('Run `npm audit --omit=dev` where the advisory endpoint is reachable before a release.');
process.exit(2);
