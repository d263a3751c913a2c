import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';

/** Debian's chromium package; CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Chromium flags for a machine without internet access: no background networking, component
 * updates or sync. playwright-core 1.65 passes several of them by default too, and they are
 * repeated here so the launch does not depend on its defaults.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Register a suite that drives a real browser, or register it as skipped with the reason. */
export function describeWithChromium(title: string, suite: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(`${title} [Chromium]`, suite);
    return;
  }
  const reason = `no Chromium at ${CHROMIUM_PATH}; install Debian's chromium package or set CHROMIUM_PATH`;
  process.stderr.write(`Browser suite "${title}" skipped: ${reason}.\n`);
  describe.skip(`${title} [Chromium] (skipped: ${reason})`, suite);
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launch headless Chromium with a fresh profile directory that close() removes. */
export async function launchChromium(): Promise<Browser> {
  const profileDir = mkdtempSync(join(tmpdir(), 'chat-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}
