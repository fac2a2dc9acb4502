// Builds dist/ for both module systems from src/:
//   dist/esm  ES module bundle + declarations (the package is "type": "module")
//   dist/cjs  CommonJS bundle + declarations, marked by its own package.json {"type":"commonjs"}
// so each `exports` branch has types of its own flavour. axios stays external (a peer); p-memoize
// and mimic-function, which ship as ES modules only, are bundled so that `require` works on every
// Node 20 release.
//
// p-memoize dresses the memoized function up as the original (name, toString) through
// mimic-function. Ours is private to the session and never looked at, so the bundle replaces
// mimic-function with the identity: about 1 kB less for every user, same behaviour.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const dist = `${root}dist`;
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const bundledLicence = ['p-memoize']
  .map((name) => {
    const manifest = readFileSync(`${root}node_modules/${name}/package.json`, 'utf8');
    return `${name} ${JSON.parse(manifest).version} (MIT, Sindre Sorhus)`;
  })
  .join('; ');

rmSync(dist, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

const common = {
  entryPoints: [`${root}src/index.ts`],
  bundle: true,
  platform: 'neutral',
  target: 'es2022',
  external: ['axios'],
  banner: { js: `/*! axios-bearer-refresh ${version} (MIT). Bundles ${bundledLicence}. */` },
  legalComments: 'inline',
  plugins: [
    {
      name: 'mimic-function-identity',
      setup(build) {
        build.onResolve({ filter: /^mimic-function$/ }, () => ({
          path: 'mimic-function',
          namespace: 'identity',
        }));
        build.onLoad({ filter: /.*/, namespace: 'identity' }, () => ({
          contents: 'export default function mimicFunction(to) { return to; }',
          loader: 'js',
        }));
      },
    },
  ],
  logLevel: 'warning',
};

for (const [format, dir] of [
  ['esm', 'esm'],
  ['cjs', 'cjs'],
]) {
  mkdirSync(`${dist}/${dir}`, { recursive: true });
  await build({ ...common, format, outfile: `${dist}/${dir}/index.js` });
  cpSync(`${dist}/types`, `${dist}/${dir}`, { recursive: true });
}
writeFileSync(`${dist}/cjs/package.json`, '{ "type": "commonjs" }\n');
rmSync(`${dist}/types`, { recursive: true, force: true });
console.log(`built ${dist}/esm and ${dist}/cjs`);
