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

describe('the sandbox page fits the window', () => {
  it.each(WIDTHS)(
    'at %i px an open thread sits beside the channel, and the composer stays in the window',
    async (width) => {
      await using sandbox = await openSandboxPage(browser, { width, height: 768 });
      const { page } = sandbox;
      await sandbox.type('/review-app 1');
      const channel = page.getByRole('region', { name: 'Channel messages' });
      const launching = channel.locator('article', { hasText: 'is launching a review app for' });
      await launching.getByRole('button', { name: /1 repl/ }).click();
      const thread = page.getByRole('region', { name: 'Thread' });
      await thread.getByText('Running at').waitFor();

      const composer = page.getByRole('textbox', { name: 'Message' });
      expect(await inView(composer)).toBe(true);
      expect(await inView(page.getByRole('button', { name: 'Send' }))).toBe(true);
      // The channel is not hidden under the thread: its message and its replies link show.
      expect(await inView(launching.getByText('is launching a review app for'))).toBe(true);
      expect(await inView(launching.getByRole('button', { name: /1 repl/ }))).toBe(true);
      // Nor is the thread cut off: every button of the running app can be clicked.
      for (const name of ['Open app', 'Extend', 'Relaunch', 'Stop']) {
        expect(await inView(thread.getByRole('button', { name }).first())).toBe(true);
      }
      expect(await inView(page.getByRole('button', { name: 'Close thread' }))).toBe(true);
      const world = page.getByRole('complementary', { name: 'The world' });
      expect(await inView(world.getByRole('button', { name: 'Crash (out of memory)' }))).toBe(true);

      // And it is still usable: a command typed with the thread open reaches the bot.
      await sandbox.type('/review-app list');
      await channel.getByText('Only visible to you').waitFor();
    },
  );
});
