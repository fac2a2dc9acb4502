/**
 * The package as users get it: packed by npm, installed with axios into fresh projects outside
 * this repository, and used by its name from Node ESM, Node CommonJS, TypeScript (module
 * resolution node16, nodenext, bundler and node10) and an esbuild browser bundle.
 *
 * Two projects cover the supported axios range: an ES module project ("type": "module") with the
 * newest axios and a CommonJS project with the oldest (axios-oldest's version). Installs use
 * npm's local cache (filled by `npm ci`), going to the registry only for what it lacks.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import * as source from '../../src/index.js';
import { browserEntry, cjsProgram, esmProgram, typedUsage } from './fixtures.js';
import { installedVersion, packTarball, repoRoot } from './packed.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');

interface Project {
  name: 'esm-app' | 'cjs-app';
  dir: string;
  axiosVersion: string;
}

let workspace: string;
let tarball: string;
let projects: Record<Project['name'], Project>;

// --- The API and token server the installed programs talk to, on 127.0.0.1 only. ----------------

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

const seen: Record<string, Seen[]> = {};
let server: Server;
let origin: string;

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', origin);
    const [, app = '', route = ''] = url.pathname.split('/');
    const body = Buffer.concat(chunks).toString('utf8');
    (seen[app] ??= []).push({
      method: req.method ?? '',
      path: `/${route}`,
      authorization: req.headers.authorization,
      body,
    });
    if (route === 'token') {
      const { refreshToken } = JSON.parse(body) as { refreshToken?: string };
      if (refreshToken === 'refresh-1') {
        reply(res, 200, {
          accessToken: 'fresh-access',
          refreshToken: 'refresh-2',
          expiresIn: 3600,
        });
      } else {
        reply(res, 400, { error: 'invalid_grant' });
      }
      return;
    }
    if (req.headers.authorization !== 'Bearer fresh-access') {
      reply(res, 401, { error: 'invalid_token' });
      return;
    }
    if (route === 'data') reply(res, 200, { app, i: url.searchParams.get('i') });
    else if (route === 'echo') reply(res, 200, { echoed: body });
    else reply(res, 404, {});
  });
}

// --- Projects. ------------------------------------------------------------------------------------

async function createProject(name: Project['name'], axiosVersion: string): Promise<Project> {
  const dir = join(workspace, name);
  mkdirSync(dir);
  const manifest = {
    name,
    private: true,
    version: '1.0.0',
    ...(name === 'esm-app' ? { type: 'module' } : {}),
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  await run(
    npm,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
      tarball,
      `axios@${axiosVersion}`,
    ],
    { cwd: dir, timeout: 60_000 },
  );
  return { name, dir, axiosVersion };
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'abr-installed-'));
  server = createServer(handle);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  tarball = await packTarball();
  const [esmApp, cjsApp] = await Promise.all([
    createProject('esm-app', installedVersion('axios')),
    createProject('cjs-app', installedVersion('axios-oldest')),
  ]);
  projects = { 'esm-app': esmApp, 'cjs-app': cjsApp };
}, 110_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((closed) => (server ? server.close(closed) : closed(undefined)));
  if (workspace) rmSync(workspace, { recursive: true, force: true });
  if (tarball) rmSync(dirname(tarball), { recursive: true, force: true });
});

// --- Node. ----------------------------------------------------------------------------------------

interface ScenarioResult {
  resolved: string;
  axiosVersion: string;
  exports: string[];
  refreshesForStorm: number;
  refreshCalls: number;
  results: unknown[];
  tokensAfterRefresh: unknown;
  attachTwice: string;
  ended: {
    name: string;
    code: string;
    reason: string;
    guard: boolean;
    sessionEndedClass: boolean;
    baseClass: boolean;
    text: string;
  };
  tokensAtEnd: unknown;
}

async function runScenario(project: Project, file: string, program: string) {
  writeFileSync(join(project.dir, file), program);
  const { stdout } = await run(process.execPath, [file], {
    cwd: project.dir,
    env: { ...process.env, API_URL: `${origin}/${project.name}/` },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as ScenarioResult;
}

function expectScenario(result: ScenarioResult, project: Project): void {
  expect(result.axiosVersion).toBe(project.axiosVersion);
  expect(result.exports).toEqual(Object.keys(source).sort());
  expect(result.refreshesForStorm).toBe(1);
  expect(result.refreshCalls).toBe(2);
  expect(result.results).toEqual([
    { app: project.name, i: '1' },
    { app: project.name, i: '2' },
    { app: project.name, i: '3' },
    { app: project.name, i: '4' },
    { echoed: '{"text":"héllo","n":[1,2]}' },
  ]);
  expect(result.tokensAfterRefresh).toMatchObject({
    accessToken: 'fresh-access',
    refreshToken: 'refresh-2',
    expiresAt: expect.any(Number),
  });
  expect(result.attachTwice).toBe('TypeError');
  expect(result.ended).toMatchObject({
    name: 'SessionEndedError',
    code: 'ERR_SESSION_ENDED',
    reason: 'refresh-refused',
    guard: true,
    sessionEndedClass: true,
    baseClass: true,
  });
  for (const secret of ['stale-again', 'revoked-refresh', 'fresh-access', 'refresh-2']) {
    expect(result.ended.text).not.toContain(secret);
  }
  expect(result.tokensAtEnd).toBeNull();

  const wire = seen[project.name] ?? [];
  const calls = (path: string) => wire.filter((request) => request.path === path);
  expect(calls('/token').map((request) => [request.authorization, request.body])).toEqual([
    [undefined, '{"refreshToken":"refresh-1"}'],
    [undefined, '{"refreshToken":"revoked-refresh"}'],
  ]);
  const apiCalls = wire.filter((request) => request.path !== '/token');
  const tally = (authorization: string) =>
    apiCalls.filter((request) => request.authorization === authorization).length;
  expect(tally('Bearer stale-access')).toBe(5);
  expect(tally('Bearer fresh-access')).toBe(5);
  expect(tally('Bearer stale-again')).toBe(1);
  expect(apiCalls).toHaveLength(11);
  expect(calls('/echo').map((request) => request.body)).toEqual([
    '{"text":"héllo","n":[1,2]}',
    '{"text":"héllo","n":[1,2]}',
  ]);
}

test('is imported by name from a Node ES module and shares one refresh among concurrent 401s', async () => {
  const project = projects['esm-app'];
  const result = await runScenario(project, 'main.mjs', esmProgram);
  expect(result.resolved).toMatch(/\/node_modules\/axios-bearer-refresh\/dist\/esm\/index\.js$/);
  expectScenario(result, project);
}, 40_000);

test('is required by name from Node CommonJS with the oldest supported axios', async () => {
  const project = projects['cjs-app'];
  const result = await runScenario(project, 'main.js', cjsProgram);
  expect(result.resolved).toMatch(/\/node_modules\/axios-bearer-refresh\/dist\/cjs\/index\.js$/);
  expectScenario(result, project);
}, 40_000);

// --- TypeScript. ----------------------------------------------------------------------------------

const resolutions = {
  // .mts and .cts: both module formats of node16/nodenext, whatever the project's "type".
  node16: {
    options: { module: 'node16', moduleResolution: 'node16' },
    files: ['check.mts', 'check.cts'],
  },
  nodenext: {
    options: { module: 'nodenext', moduleResolution: 'nodenext' },
    files: ['check.mts', 'check.cts'],
  },
  bundler: { options: { module: 'esnext', moduleResolution: 'bundler' }, files: ['check.ts'] },
  node10: { options: { module: 'commonjs', moduleResolution: 'node10' }, files: ['check.ts'] },
} as const;

async function typeCheck(project: Project, resolution: keyof typeof resolutions) {
  const { options, files } = resolutions[resolution];
  for (const file of ['check.ts', 'check.mts', 'check.cts']) {
    writeFileSync(join(project.dir, file), typedUsage);
  }
  const config = `tsconfig.${resolution}.json`;
  writeFileSync(
    join(project.dir, config),
    JSON.stringify({
      compilerOptions: {
        ...options,
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types: [],
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        esModuleInterop: true,
        // Check the declarations of this package and axios, not TypeScript's own lib files.
        skipLibCheck: false,
        skipDefaultLibCheck: true,
        noEmit: true,
      },
      files,
    }),
  );
  try {
    await run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], {
      cwd: project.dir,
      timeout: 60_000,
    });
    return '';
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}` || String(error);
  }
}

describe.each(Object.keys(resolutions) as (keyof typeof resolutions)[])(
  'TypeScript with module resolution %s',
  (resolution) => {
    test('type-checks skipAuth, skipRefresh, the session and the errors with newest and oldest axios, no casts', async () => {
      const [esm, cjs] = await Promise.all([
        typeCheck(projects['esm-app'], resolution),
        typeCheck(projects['cjs-app'], resolution),
      ]);
      expect({ 'esm-app': esm, 'cjs-app': cjs }).toEqual({ 'esm-app': '', 'cjs-app': '' });
    }, 60_000);
  },
);

// --- Browser bundle. ------------------------------------------------------------------------------

test('bundles for the browser with esbuild: ES module entry, no Node built-ins', async () => {
  const project = projects['esm-app'];
  writeFileSync(join(project.dir, 'browser-entry.js'), browserEntry);
  const result = await build({
    absWorkingDir: project.dir,
    entryPoints: ['browser-entry.js'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);

  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs).toContain('node_modules/axios-bearer-refresh/dist/esm/index.js');
  expect(inputs.filter((input) => input.includes('axios-bearer-refresh/dist/cjs'))).toEqual([]);
  expect(inputs.filter((input) => /axios\/lib\/adapters\/http\.js$/.test(input))).toEqual([]);

  const code = result.outputFiles[0]?.text ?? '';
  expect(code).toContain('function createAuthSession(');
  expect(code).not.toMatch(/\bfrom\s*["']node:/);
  expect(code).not.toMatch(/\bimport\s*\(\s*["']node:/);
  expect(code).not.toMatch(/\brequire\s*\(\s*["'](node:)?async_hooks["']\s*\)/);
  expect(code).not.toMatch(/\brequire\s*\(\s*["']node:/);
  expect(code).not.toMatch(/__require\b/);
}, 30_000);
