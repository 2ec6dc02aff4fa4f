import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { launchBrowser, openSandboxPage } from '../test/support/browser.js';

/**
 * `npm run screenshots`: a real run of the sandbox (stand-ins, the real bot,
 * the page) photographed into docs/screenshots/, for the README and
 * docs/sandbox.md. Needs Chromium (/usr/bin/chromium or CHROMIUM_PATH), and
 * an emoji font (fonts-noto-color-emoji) for the emoji to show.
 */

const OUT = new URL('../docs/screenshots/', import.meta.url);

async function shoot(page: Page, name: string): Promise<void> {
  // Let the last server-sent update land and the page settle before the picture.
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.screenshot({ path: new URL(`${name}.png`, OUT).pathname });
  process.stdout.write(`docs/screenshots/${name}.png\n`);
}

await mkdir(OUT, { recursive: true });
const browser = await launchBrowser();
try {
  await using sandbox = await openSandboxPage(browser, { speed: 60 });
  const { page } = sandbox;
  const channel = page.getByRole('region', { name: 'Channel messages' });
  const thread = page.getByRole('region', { name: 'Thread' });

  await sandbox.type('/review-app 1');
  await channel.getByRole('button', { name: /1 repl/ }).click();
  await thread.getByText('Running at').waitFor();
  await shoot(page, 'running');

  const href = await thread.getByRole('link', { name: /review\.localhost/ }).getAttribute('href');
  const app = await page.context().newPage();
  await app.setViewportSize({ width: 900, height: 520 });
  await app.goto(href as string);
  await shoot(app, 'review-app');
  await app.close();

  await thread.getByRole('button', { name: 'Extend' }).first().click();
  await thread.getByText(/extended the review app/).waitFor();
  await page.getByRole('button', { name: 'Close thread' }).click();

  await sandbox.type('/review-app list');
  await channel.getByText('Only visible to you').last().waitFor();
  await shoot(page, 'list');

  await sandbox.type('/review-app');
  const modal = page.getByRole('dialog', { name: 'Launch a review app' });
  await modal.getByRole('combobox', { name: 'Merge request' }).fill('mode');
  await modal.getByRole('option', { name: /Dark mode/ }).waitFor();
  await modal.getByRole('option', { name: /Checkout page/ }).waitFor({ state: 'detached' });
  await shoot(page, 'modal');
  await modal.getByRole('option', { name: /Dark mode/ }).click();
  await modal.getByRole('button', { name: 'Launch' }).click();
  await channel.getByText(/launching a review app for shop!2/).waitFor();

  const world = page.getByRole('complementary', { name: 'The world' });
  // Enabled once the task runs: wait for that, not for a while.
  const crash = world
    .locator('#tasks .card', { hasText: '!2 ·' })
    .locator('button:enabled', { hasText: 'Crash (out of memory)' });
  await crash.click();
  await channel
    .getByText(/ran out of memory/)
    .first()
    .waitFor();
  await shoot(page, 'crash-notice');

  await page.getByRole('combobox', { name: 'You are' }).selectOption('U_EVE');
  await sandbox.type('/review-app 2');
  await channel.getByText(/not allowed to launch/).waitFor();
  await shoot(page, 'refused');
} finally {
  await browser.close();
}
