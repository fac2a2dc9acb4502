/**
 * Builds the page under test from the package as npm publishes it, and launches the browser.
 *
 * - `buildPageFromPackedPackage` packs the package with the packaging tests' `packTarball` (which
 *   builds dist/ when stale, under a lock shared by parallel jest workers), unpacks the tarball into
 *   `<tmp>/node_modules/axios-bearer-refresh` beside a copy of the installed axios, copies the page
 *   sources to `<tmp>/page` and bundles them with esbuild for the browser. Nothing resolves to
 *   this repository's src/ or dist/: the bundle's inputs are returned so a test can check that.
 * - `launchBrowser` starts Debian's Chromium (`command -v chromium`) through playwright-core,
 *   headless, with a fresh profile, and maps every host name but 127.0.0.1 to nothing. It records
 *   every URL any page requests.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { packTarball, repoRoot as root } from '../package/packed.js';
import type { PageConfig, PageTokens } from './page/api.js';

export interface PageBundle {
  /** The page script (an IIFE). */
  script: string;
  /** The files esbuild bundled, relative to the temporary project. */
  inputs: string[];
  /** The name of the packed tarball. */
  tarball: string;
}

export async function buildPageFromPackedPackage(): Promise<PageBundle> {
  const tarball = await packTarball();
  const work = mkdtempSync(join(tmpdir(), 'abr-browser-'));
  try {
    const installed = join(work, 'node_modules', 'axios-bearer-refresh');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
    cpSync(join(root, 'node_modules', 'axios'), join(work, 'node_modules', 'axios'), {
      recursive: true,
    });
    cpSync(join(__dirname, 'page'), join(work, 'page'), { recursive: true });

    const result = await build({
      entryPoints: [join(work, 'page', 'app.ts')],
      absWorkingDir: work,
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    return {
      script: result.outputFiles[0]!.text,
      inputs: Object.keys(result.metafile.inputs),
      tarball: basename(tarball),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(dirname(tarball), { recursive: true, force: true });
  }
}

export interface LaunchedBrowser {
  /** Every URL a page of this browser requested. */
  requestedUrls: string[];
  /** A fresh context (its own storage) whose requests are recorded in `requestedUrls`. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

function chromiumPath(): string {
  const path = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  if (!path) throw new Error('chromium is not installed: apt-get install -y chromium');
  return path;
}

export async function launchBrowser(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
  const requestedUrls: string[] = [];
  return {
    requestedUrls,
    async newContext() {
      const context = await browser.newContext();
      context.on('request', (request) => void requestedUrls.push(request.url()));
      return context;
    },
    close: () => browser.close(),
  };
}

/**
 * Opens the app in `context` and starts its session; page errors are pushed to `errors`. With
 * `stored`, that token set is written to localStorage first, as an earlier visit would have.
 */
export async function openApp(
  context: BrowserContext,
  appOrigin: string,
  config: PageConfig,
  errors: string[],
  stored?: PageTokens,
): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => void errors.push(error.message));
  await page.goto(`${appOrigin}/`);
  if (stored) {
    await page.evaluate(
      (tokens) => localStorage.setItem('axios-bearer-refresh', JSON.stringify(tokens)),
      stored,
    );
  }
  await page.evaluate((pageConfig) => window.abr.init(pageConfig), config);
  return page;
}

/** Requested URLs that are not on 127.0.0.1 (there must be none). */
export function nonLocal(urls: string[]): string[] {
  return urls.filter((url) => !url.startsWith('http://127.0.0.1:'));
}
