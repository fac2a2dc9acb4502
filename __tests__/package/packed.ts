/**
 * Packs this package as npm would publish it, for tests that install it into fresh projects.
 * Builds dist/ first when it is missing or older than its sources. Test files run in parallel
 * workers and may all ask for the tarball: a lock directory serialises building and packing, so no
 * worker packs a dist/ that another is rebuilding.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const repoRoot = resolve(__dirname, '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Files dist/ is made of; a missing one means dist/ must be built. */
const distFiles = [
  'dist/esm/index.js',
  'dist/esm/index.d.ts',
  'dist/cjs/index.js',
  'dist/cjs/index.d.ts',
  'dist/cjs/package.json',
];
/** What dist/ is made from. */
const sources = [
  'src',
  'scripts/build.mjs',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
];

function newestMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce(
    (newest, entry) => Math.max(newest, newestMtime(join(path, entry))),
    stats.mtimeMs,
  );
}

/** Whether dist/ is missing a file or older than any of its sources. */
export function distIsStale(): boolean {
  const paths = distFiles.map((file) => join(repoRoot, file));
  if (!paths.every((path) => existsSync(path))) return true;
  const built = Math.min(...paths.map((path) => statSync(path).mtimeMs));
  const changed = Math.max(
    ...sources
      .map((source) => join(repoRoot, source))
      .filter(existsSync)
      .map(newestMtime),
  );
  return changed > built;
}

const lockDir = join(repoRoot, '.tmp', 'pack.lock');
const lockWaitMs = 90_000;
/** A lock older than this was left by a killed process. */
const staleLockMs = 120_000;

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (existsSync(lockDir) ? statSync(lockDir).mtimeMs : Date.now());
      if (age > staleLockMs) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`packed: ${lockDir} held for too long`);
      else await new Promise((done) => setTimeout(done, 200));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Builds dist/ when stale and packs the package into a new temporary directory.
 * Resolves with the absolute path of the tarball; the caller removes its directory.
 */
export async function packTarball(): Promise<string> {
  return withLock(async () => {
    if (distIsStale()) {
      await run(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot });
    }
    const destination = mkdtempSync(join(tmpdir(), 'abr-tarball-'));
    const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', destination], {
      cwd: repoRoot,
    });
    const [packed] = JSON.parse(stdout) as [{ filename: string }];
    return join(destination, packed.filename);
  });
}

/** The version of an installed package of this repository (e.g. `axios`, `axios-oldest`). */
export function installedVersion(name: string): string {
  const manifest = readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}
