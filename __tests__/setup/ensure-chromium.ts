import { execFileSync, spawnSync } from 'node:child_process';

/**
 * Jest global setup: the browser suites drive Debian's Chromium through playwright-core, which
 * downloads nothing. So that `npm test` needs no step first on a fresh machine, install the
 * package when it is missing and we may (root with apt-get, as on CI); otherwise the browser
 * suites fail with a message that says what to install.
 */
export default function ensureChromium(): void {
  const found = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' });
  if (found.stdout.trim()) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
  if (!isRoot || !hasApt) return;
  process.stderr.write(
    "\nchromium is missing: installing Debian's package for the browser tests\n",
  );
  execFileSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq chromium'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
