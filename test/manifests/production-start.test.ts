import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseDockerfile, type Instruction } from './dockerfile.js';
import { REPO_ROOT } from './variants.js';

/** The runtime stage's working directory, where its COPY destinations are relative to. */
const IMAGE_WORKDIR = '/app';

/**
 * Lays out `target` as the Dockerfile's runtime stage would: every COPY of the last stage, with
 * `/app/...` of an earlier stage taken from `buildRoot` (fresh compiler output) or else the
 * repository. Returns what was copied, image-relative.
 */
function layOutRuntime(target: string, buildRoot: string): string[] {
  const dockerfile = parseDockerfile(fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8'));
  const runtime = dockerfile.stages.at(-1);
  assert.ok(runtime, 'the Dockerfile has a stage');
  const copied: string[] = [];
  for (const copy of runtime.instructions.filter((instruction: Instruction) => instruction.keyword === 'COPY')) {
    const parts = copy.args.split(/\s+/);
    const written = parts.pop() ?? '.';
    const destination = path.posix.resolve(IMAGE_WORKDIR, written);
    const intoDirectory = written.endsWith('/') || written === '.' || parts.length > 1;
    for (const source of parts) {
      let from: string;
      if (copy.flags['from'] === undefined) from = path.join(REPO_ROOT, source);
      else {
        const relative = path.posix.relative(IMAGE_WORKDIR, source);
        from = fs.existsSync(path.join(buildRoot, relative)) ? path.join(buildRoot, relative) : path.join(REPO_ROOT, relative);
      }
      // A file goes into a directory destination; a directory's contents go to the destination.
      const into = intoDirectory && fs.statSync(from).isFile() ? path.posix.join(destination, path.basename(source)) : destination;
      linkTree(from, path.join(target, path.posix.relative(IMAGE_WORKDIR, into)));
      copied.push(path.posix.relative(IMAGE_WORKDIR, into));
    }
  }
  return copied;
}

/**
 * Copies a file or directory tree as hard links (node_modules is large; pruning the copy only
 * unlinks, so the originals stay intact). Falls back to copying across file systems.
 */
function linkTree(from: string, to: string): void {
  const stat = fs.lstatSync(from);
  if (stat.isDirectory()) {
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from)) linkTree(path.join(from, entry), path.join(to, entry));
  } else if (stat.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(from), to);
  } else {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    try {
      fs.linkSync(from, to);
    } catch {
      fs.copyFileSync(from, to);
    }
  }
}

/** Resolves with the first stdout JSON log line that carries the listening address's port. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    lines.on('line', (line) => {
      try {
        const port = (JSON.parse(line) as { address?: { port?: number } }).address?.port;
        if (typeof port === 'number') resolve(port);
      } catch {
        // not a JSON log line
      }
    });
    child.once('exit', (code) => reject(new Error(`the service exited with ${String(code)} before listening: ${stderr}`)));
  });
}

describe('production start from the image layout (dev dependencies pruned)', function () {
  this.timeout(60_000);
  let workdir = '';
  let copied: string[] = [];
  let command: string[] = [];

  before(function () {
    if (!fs.existsSync(path.join(REPO_ROOT, 'src', 'main.ts'))) this.skip(); // the service entry point is not written yet
    // Under the repository's .tmp/, on the same file system as node_modules, so links work.
    fs.mkdirSync(path.join(REPO_ROOT, '.tmp'), { recursive: true });
    workdir = fs.mkdtempSync(path.join(REPO_ROOT, '.tmp', 'production-start-'));
    const buildRoot = path.join(workdir, 'build');
    const image = path.join(workdir, 'app');
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(buildRoot, 'dist')], { cwd: REPO_ROOT, stdio: 'pipe' });
    fs.mkdirSync(image);
    copied = layOutRuntime(image, buildRoot);
    // The deps stage ran `npm ci --omit=dev`; the same tree results from pruning a copy offline.
    fs.copyFileSync(path.join(REPO_ROOT, 'package-lock.json'), path.join(image, 'package-lock.json'));
    execFileSync('npm', ['prune', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: image, stdio: 'pipe' });
    fs.rmSync(path.join(image, 'package-lock.json'));
    const dockerfile = parseDockerfile(fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8'));
    command = dockerfile.stages.at(-1)?.instructions.filter((instruction) => instruction.keyword === 'CMD').at(-1)?.exec ?? [];
    workdir = image;
  });

  after(() => {
    if (workdir !== '') fs.rmSync(path.dirname(workdir), { recursive: true, force: true });
  });

  it('holds compiled JavaScript, package.json and production dependencies only', () => {
    assert.deepEqual([...copied].sort(), ['dist', 'node_modules', 'package.json']);
    assert.ok(fs.existsSync(path.join(workdir, 'node_modules', 'express')), 'a production dependency is there');
    for (const devDependency of ['typescript', 'mocha', 'tsx']) {
      assert.equal(fs.existsSync(path.join(workdir, 'node_modules', devDependency)), false, `${devDependency} was pruned`);
    }
    assert.equal(fs.readdirSync(path.join(workdir, 'dist'), { recursive: true, encoding: 'utf8' }).some((file) => file.endsWith('.ts')), false);
  });

  it('serves /healthz, /readyz and /sync, and exits 0 on SIGTERM', async () => {
    const [executable, ...args] = command;
    assert.equal(executable, 'node');
    const child = spawn(process.execPath, args, {
      cwd: workdir,
      env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${await listeningPort(child)}`;
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      const request = fs.readFileSync(path.join(REPO_ROOT, 'hooks', 'examples', 'sync-request.json'), 'utf8');
      const response = await fetch(`${base}/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: request });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { status?: unknown; children?: unknown };
      assert.ok(Array.isArray(body.children), 'the answer lists the desired children');
      assert.equal(typeof body.status, 'object');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
