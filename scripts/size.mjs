// Prints the minified and gzipped size of what an application bundles from this package, axios
// excluded, and fails when the core goes over its budget. Measured on dist/esm (built first), the
// file `import` resolves to, bundled by esbuild for the browser as an application would.
//   core:       createAuthSession + attachBearerAuth (p-memoize included)
//   everything: every export of the package
// Usage: node scripts/size.mjs [--no-build]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const CORE_BUDGET_GZIP = 3 * 1024;

if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, [`${root}scripts/build.mjs`], { cwd: root, stdio: 'ignore' });
}

const entries = [
  {
    name: 'core',
    source: "export { createAuthSession, attachBearerAuth } from './dist/esm/index.js';",
    budget: CORE_BUDGET_GZIP,
  },
  { name: 'everything', source: "export * from './dist/esm/index.js';" },
];

async function measure(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['axios'],
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}

let failed = false;
console.log('entry        minified    gzipped   budget (gzipped)');
for (const entry of entries) {
  const { minified, gzipped } = await measure(entry.source);
  const over = entry.budget !== undefined && gzipped > entry.budget;
  failed ||= over;
  const budget = entry.budget === undefined ? '-' : `${entry.budget} B${over ? '  OVER' : '  ok'}`;
  console.log(
    `${entry.name.padEnd(10)} ${String(minified).padStart(8)} B ${String(gzipped).padStart(8)} B   ${budget}`,
  );
}
if (failed) {
  console.error(`size: the core is over its budget of ${CORE_BUDGET_GZIP} bytes gzipped`);
  process.exitCode = 1;
}
