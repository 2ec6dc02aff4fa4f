import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createLogger } from '../../src/core/logger.js';
import { type RunningSandbox, startSandboxMode } from '../../src/sandbox-mode.js';

/**
 * The sandbox as `npm start` runs it (stand-ins, real bot, page) on a free
 * port, and Debian's Chromium driving the page headless. One browser per
 * test file keeps the suite quick; SANDBOX_SPEED keeps launches short.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

export interface SandboxPage extends AsyncDisposable {
  sandbox: RunningSandbox;
  page: Page;
  /** What the bot logged, one JSON line each (to read when a test fails). */
  log: string[];
  /** The text box at the bottom of the channel. */
  type(command: string): Promise<void>;
}

export async function openSandboxPage(
  browser: Browser,
  options: { speed?: number } = {},
): Promise<SandboxPage> {
  const log: string[] = [];
  const sandbox = await startSandboxMode({
    env: { PORT: '0', SANDBOX_SPEED: String(options.speed ?? 60) },
    logger: createLogger({ secrets: [], write: (line) => log.push(line) }),
    writeLog: (line) => log.push(line),
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  // Below the test's own timeout, so that a failure names the thing that never appeared.
  context.setDefaultTimeout(10_000);
  await page.goto(sandbox.url.replace('localhost', '127.0.0.1'));
  await page.getByText('Bot connected').waitFor();
  const close = async () => {
    await context.close();
    await sandbox.stop();
  };
  return {
    sandbox,
    page,
    log,
    async type(command) {
      const box = page.getByRole('textbox', { name: 'Message' });
      await box.fill(command);
      await box.press('Enter');
    },
    [Symbol.asyncDispose]: close,
  };
}
