import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inView, launchBrowser, openSandboxPage, WIDTHS } from '../support/browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

// A launch up to running on a shared machine: room for a locator's own timeout (10 s) to name
// what never appeared before the test's runs out.
describe('the sandbox page fits the window', { timeout: 60_000 }, () => {
  it.each(WIDTHS)(
    'at %i px an open thread sits beside the channel, and the composer stays in the window',
    async (width) => {
      await using sandbox = await openSandboxPage(browser, { width, height: 768 });
      const { page } = sandbox;
      await sandbox.type('/review-app 1');
      const channel = page.getByRole('region', { name: 'Channel messages' });
      // The channel message says launching, then running: either way it names the review app.
      const parent = channel.locator('article', { hasText: /review app for/i });
      await parent.getByRole('button', { name: /1 repl/ }).click();
      const thread = page.getByRole('region', { name: 'Thread' });
      await thread.getByText('Running at').waitFor();

      // Polled: the page redraws its messages on every update, which may land mid-look.
      const composer = page.getByRole('textbox', { name: 'Message' });
      await expect.poll(() => inView(composer)).toBe(true);
      await expect.poll(() => inView(page.getByRole('button', { name: 'Send' }))).toBe(true);
      // The channel is not hidden under the thread: its message and its replies link show.
      await expect.poll(() => inView(parent.getByText(/running/).first())).toBe(true);
      await expect.poll(() => inView(parent.getByRole('button', { name: /1 repl/ }))).toBe(true);
      // Nor is the thread cut off: every button of the running app can be clicked.
      for (const name of ['Open app', 'Extend', 'Relaunch', 'Stop']) {
        await expect.poll(() => inView(thread.getByRole('button', { name }).first())).toBe(true);
      }
      await expect
        .poll(() => inView(page.getByRole('button', { name: 'Close thread' })))
        .toBe(true);
      const world = page.getByRole('complementary', { name: 'The world' });
      await expect
        .poll(() => inView(world.getByRole('button', { name: 'Crash (out of memory)' })))
        .toBe(true);

      // And it is still usable: a command typed with the thread open reaches the bot.
      await sandbox.type('/review-app list');
      await channel.getByText('Only visible to you').waitFor();
    },
  );
});
