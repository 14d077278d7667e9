import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { dockerfileProblems, type ImageExpectations } from './dockerfile-checks.js';
import { parseDockerfile } from './dockerfile.js';
import { isIgnored, parseDockerignore } from './dockerignore.js';
import { REPO_ROOT, findOne, renderVariant } from './variants.js';

const dockerfileText = fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
const packageJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** What package.json, the Deployment and .dockerignore expect of the image. */
function expectations(): ImageExpectations {
  const pod = (findOne(renderVariant('base'), 'Deployment') as any).spec.template.spec;
  return {
    startCommand: packageJson.scripts['start'] ?? '',
    port: pod.containers[0].ports[0].containerPort,
    runAsUser: pod.securityContext.runAsUser,
    dockerignore: fs.readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8'),
  };
}

describe('Dockerfile', () => {
  it('builds in stages, runs compiled JavaScript with production dependencies as non-root, stops on SIGTERM, has no HEALTHCHECK', () => {
    assert.deepEqual(dockerfileProblems(parseDockerfile(dockerfileText), expectations()), []);
  });

  const mutations: Array<[description: string, from: string | RegExp, to: string, expected: RegExp]> = [
    ['an unpinned base', /node:\d+\.\d+\.\d+-alpine[\d.]*/, 'node:22-alpine', /pinned/],
    ['a latest base', /node:\d+\.\d+\.\d+-alpine[\d.]*/, 'node:latest', /pinned/],
    ['a Node 18 base', /node:\d+\.\d+\.\d+/, 'node:18.20.4', /Node.js 20/],
    ['root', 'USER 1000:1000', 'USER 0', /non-root/],
    ['a named user runAsNonRoot cannot verify', 'USER 1000:1000', 'USER node', /numeric/],
    ['no STOPSIGNAL', 'STOPSIGNAL SIGTERM', '', /STOPSIGNAL/],
    ['a HEALTHCHECK', 'STOPSIGNAL SIGTERM', 'STOPSIGNAL SIGTERM\nHEALTHCHECK CMD wget -q localhost:8080/healthz', /HEALTHCHECK/],
    ['dev dependencies at run time', '--omit=dev ', '', /without --omit=dev/],
    ['a shell-form command', 'CMD ["node", "dist/src/main.js"]', 'CMD node dist/src/main.js', /exec form/],
    ['sources in the runtime image', 'COPY package.json ./', 'COPY package.json ./\nCOPY src ./src', /copies sources/],
    ['no package.json at run time', 'COPY package.json ./\n', '', /package\.json/],
    ['a single stage', /^FROM \$\{NODE_IMAGE\} AS build$[\s\S]*(?=^FROM \$\{NODE_IMAGE\} AS runtime$)/m, '', /not a multi-stage build/],
  ];
  for (const [description, from, to, expected] of mutations) {
    it(`reports ${description}`, () => {
      const text = dockerfileText.replace(from, to);
      assert.notEqual(text, dockerfileText, 'the mutation applies');
      const problems = dockerfileProblems(parseDockerfile(text), expectations());
      assert.ok(problems.some((problem) => expected.test(problem)), JSON.stringify(problems));
    });
  }

  it('reports a .dockerignore that lets node_modules in or keeps src out', () => {
    const problems = dockerfileProblems(parseDockerfile(dockerfileText), { ...expectations(), dockerignore: '*\n!node_modules\n' });
    assert.ok(problems.some((problem) => /does not exclude node_modules/.test(problem)), JSON.stringify(problems));
    assert.ok(problems.some((problem) => /excludes src/.test(problem)), JSON.stringify(problems));
  });

  it('parses continuations, flags, exec form and global ARG defaults', () => {
    const parsed = parseDockerfile([
      '# syntax=docker/dockerfile:1', 'ARG BASE=node:22.1.0', 'FROM ${BASE} AS build',
      'RUN a \\', '  # a comment inside a continuation', '  && b', 'COPY --from=build --chown=1:1 /x ./y', 'FROM build', 'CMD ["node", "m.js"]',
    ].join('\n'));
    assert.deepEqual(parsed.stages.map((stage) => [stage.name, stage.base]), [['build', 'node:22.1.0'], [undefined, 'build']]);
    const [run, copy] = parsed.stages[0]?.instructions ?? [];
    assert.equal(run?.args, 'a  && b');
    assert.deepEqual(copy?.flags, { from: 'build', chown: '1:1' });
    assert.deepEqual(parsed.stages[1]?.instructions[0]?.exec, ['node', 'm.js']);
  });

  it("names the image's exact Node.js release, which CI fetches to run the HTTP and process tests on (tools/node-version/image.sh)", () => {
    const base = parseDockerfile(dockerfileText).stages.find((stage) => stage.name === 'runtime')?.base ?? '';
    const pinned = /^node:(\d+\.\d+\.\d+)-/.exec(base)?.[1];
    assert.ok(pinned !== undefined, `the runtime stage's base ${base} pins a Node.js release`);
    const printed = execFileSync('bash', [path.join(REPO_ROOT, 'tools/node-version/image.sh')], { encoding: 'utf8' }).trim();
    assert.equal(printed, pinned);
  });

  describe('.dockerignore matching', () => {
    const patterns = parseDockerignore('*\n!src/\n!package.json\nsrc/**/*.test.ts\n');
    const table: Array<[file: string, ignored: boolean]> = [
      ['node_modules/x/index.js', true], ['README.md', true], ['src/main.ts', false], ['src/core/a.ts', false],
      ['src/core/a.test.ts', true], ['package.json', false], ['package-lock.json', true],
    ];
    for (const [file, ignored] of table) {
      it(`${ignored ? 'leaves out' : 'sends'} ${file}`, () => {
        assert.equal(isIgnored(file, patterns), ignored);
      });
    }
  });
});
