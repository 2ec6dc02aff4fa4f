import { existsSync } from 'node:fs';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
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

/** The window sizes the page must work at: a laptop's and a desktop's. */
export const WIDTHS = [1024, 1440] as const;

export async function openSandboxPage(
  browser: Browser,
  options: { speed?: number; width?: number; height?: number } = {},
): Promise<SandboxPage> {
  const log: string[] = [];
  const sandbox = await startSandboxMode({
    env: { PORT: '0', SANDBOX_SPEED: String(options.speed ?? 60) },
    logger: createLogger({ secrets: [], write: (line) => log.push(line) }),
    writeLog: (line) => log.push(line),
  });
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
  });
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

/**
 * Whether a person sees the whole element: its box lies inside the window, and what is drawn at
 * its corners and centre is the element itself, not something laid over it.
 */
export async function inView(locator: Locator): Promise<boolean> {
  await locator.waitFor();
  return locator.evaluate((node) => {
    // Runs in the page; the project's TypeScript has no DOM library, so the window is typed here.
    const page = globalThis as unknown as {
      innerWidth: number;
      innerHeight: number;
      document: { elementFromPoint(x: number, y: number): typeof node | null };
    };
    const box = node.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    if (box.left < 0 || box.top < 0) return false;
    if (box.right > page.innerWidth || box.bottom > page.innerHeight) return false;
    const inset = 2;
    const points = [
      [box.left + inset, box.top + inset],
      [box.right - inset, box.top + inset],
      [box.left + inset, box.bottom - inset],
      [box.right - inset, box.bottom - inset],
      [box.left + box.width / 2, box.top + box.height / 2],
    ];
    return points.every(([x, y]) => {
      const hit = page.document.elementFromPoint(x as number, y as number);
      return hit !== null && (node === hit || node.contains(hit));
    });
  });
}

/** The sandbox page's regions, as a screen reader names them. */
export const channelOf = (page: Page) => page.getByRole('region', { name: 'Channel messages' });
export const threadOf = (page: Page) => page.getByRole('region', { name: 'Thread' });
export const worldOf = (page: Page) => page.getByRole('complementary', { name: 'The world' });

/** Switches to a channel by its name in the sidebar. */
export async function openChannel(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: `# ${name}`, exact: true }).click();
  await page.getByRole('heading', { name: `#${name}`, exact: true }).waitFor();
}

/** Opens the thread of the launch of `reference` (shop!1) and waits for its link. */
export async function runningThread(page: Page, reference: string): Promise<Locator> {
  await channelOf(page)
    .locator('article', { hasText: new RegExp(`review app for ${reference} `, 'i') })
    .filter({ hasNotText: 'replied to a thread' })
    .getByRole('button', { name: /repl/ })
    .click();
  const thread = threadOf(page);
  await thread.getByText('Running at').waitFor();
  return thread;
}
