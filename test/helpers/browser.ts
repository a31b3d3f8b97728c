import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { skipLoudly } from './skip-loudly.ts';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it when missing). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here (Chromium is not installed), or false: skipped loudly,
 * failed on CI (./skip-loudly.ts). Pass it as the suite's `skip` option.
 */
export function browserTestsSkipped(): string | false {
  if (fs.existsSync(CHROMIUM)) return false;
  return skipLoudly(`Chromium is not installed at ${CHROMIUM}`, {
    what: 'the browser tests of the Link journey',
    fix: 'Install it (apt-get install -y chromium, or set CHROMIUM_PATH) and run `npm test` again.',
  });
}

/**
 * Headless Chromium that talks to nothing but the test servers. Playwright gives every launch a
 * fresh profile directory of its own (mkdtemp) and deletes it on close, so `--user-data-dir` is
 * not passed (Playwright refuses it on `launch`).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const ARTIFACTS = new URL('../../test-artifacts/link/', import.meta.url);

/**
 * Saves numbered full-page screenshots under test-artifacts/link/ (git-ignored), one series per
 * test. They are a record for people, not an assertion: one Chromium could not capture (a page
 * closing, a loaded machine) is reported and the test goes on.
 */
export function screenshotter(series: string): (page: Page, name: string) => Promise<void> {
  const dir = ARTIFACTS.pathname;
  fs.mkdirSync(dir, { recursive: true });
  const prefix = series.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  let n = 0;
  return async (page, name) => {
    const file = path.join(dir, `${prefix}-${String(++n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch((err: Error) => process.stderr.write(`screenshot ${file} not taken: ${err.message.split('\n')[0]}\n`));
  };
}
