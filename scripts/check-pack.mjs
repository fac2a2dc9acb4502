// Checks the package exactly as npm would publish it: builds dist/, packs the tarball into a
// temporary directory, then
//   - lists the tarball and fails on a missing entry file or on a file outside dist/ that npm
//     would not add by itself (package.json, README, LICENCE);
//   - runs publint on the tarball, failing on any message, suggestions included;
//   - runs @arethetypeswrong/cli on the tarball (profile strict: node10, node16 from CJS,
//     node16 from ESM, bundler), failing on any problem.
// Usage: node scripts/check-pack.mjs [--keep]   (--keep leaves the tarball and prints its path)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const keep = process.argv.includes('--keep');
const problems = [];

execFileSync(process.execPath, [`${root}scripts/build.mjs`], { cwd: root, stdio: 'inherit' });

const dest = mkdtempSync(join(tmpdir(), 'abr-check-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const [packed] = JSON.parse(
  execFileSync(npm, ['pack', '--json', '--pack-destination', dest], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }),
);
const tarball = join(dest, packed.filename);
const files = packed.files.map((file) => file.path).sort();
console.log(
  `packed ${packed.filename}: ${files.length} files, ${packed.size} B packed, ${packed.unpackedSize} B unpacked`,
);

// 1. Contents.
const required = [
  'package.json',
  'LICENSE',
  'dist/esm/index.js',
  'dist/esm/index.d.ts',
  'dist/cjs/index.js',
  'dist/cjs/index.d.ts',
  'dist/cjs/package.json',
];
for (const file of required) {
  if (!files.includes(file)) problems.push(`tarball: ${file} is missing`);
}
if (!files.includes('README.md')) console.warn('warning: tarball has no README.md');
for (const file of files) {
  if (!file.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(file)) {
    problems.push(`tarball: unexpected file ${file}`);
  }
}

// 2. publint, every level.
const tarballBytes = readFileSync(tarball);
const lint = await publint({
  pack: {
    tarball: tarballBytes.buffer.slice(
      tarballBytes.byteOffset,
      tarballBytes.byteOffset + tarballBytes.byteLength,
    ),
  },
  level: 'suggestion',
  strict: true,
});
for (const message of lint.messages) {
  problems.push(`publint ${message.type}: ${formatMessage(message, lint.pkg, { color: false })}`);
}
console.log(`publint: ${lint.messages.length} message(s)`);

// 3. Are the types wrong? (its package exports no path to the CLI, so go through its "bin")
function attwBin() {
  const manifestPath = require.resolve('@arethetypeswrong/cli/package.json');
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  return join(dirname(manifestPath), typeof bin === 'string' ? bin : bin.attw);
}
const attw = spawnSync(
  process.execPath,
  [attwBin(), tarball, '--profile', 'strict', '--format', 'table', '--no-emoji', '--no-color'],
  { cwd: root, stdio: 'inherit' },
);
if (attw.status !== 0) problems.push(`attw exited with ${attw.status ?? attw.signal}`);

if (keep) console.log(`tarball kept at ${tarball}`);
else rmSync(dest, { recursive: true, force: true });

if (problems.length > 0) {
  console.error(`check:pack: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log('check:pack: no problems');
}
