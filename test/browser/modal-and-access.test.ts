import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openSandboxPage, WIDTHS } from '../support/browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the sandbox page: the modal and the access rules', { timeout: 60_000 }, () => {
  it('opens the modal, searches the picker (options from the bot) and launches on submit', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;

    await sandbox.type('/review-app');
    const modal = page.getByRole('dialog', { name: 'Launch a review app' });
    const picker = modal.getByRole('combobox', { name: 'Merge request' });
    await picker.fill('dark');
    const options = modal.getByRole('option');
    await options.filter({ hasText: 'Dark mode' }).waitFor();
    await options.filter({ hasText: 'Checkout page' }).waitFor({ state: 'detached' });
    await options.filter({ hasText: 'Dark mode' }).click();
    await modal.getByRole('button', { name: 'Launch' }).click();

    await modal.waitFor({ state: 'detached' });
    const channel = page.getByRole('region', { name: 'Channel messages' });
    await channel.getByText(/review app for !2 Dark mode/i).waitFor();
  });

  it.each(WIDTHS)(
    'at %i px: Cancel and Launch take one click with the menu open, Escape closes, the keyboard picks',
    async (width) => {
      await using sandbox = await openSandboxPage(browser, { width, height: 768 });
      const { page } = sandbox;
      const modal = page.getByRole('dialog', { name: 'Launch a review app' });
      const picker = modal.getByRole('combobox', { name: 'Merge request' });
      const menu = modal.getByRole('listbox');
      const options = modal.getByRole('option');

      // Cancel, clicked once while the menu of a search is open, closes the modal.
      await sandbox.type('/review-app');
      await picker.fill('mode');
      await options.filter({ hasText: 'Dark mode' }).waitFor();
      await modal.getByRole('button', { name: 'Cancel' }).click();
      await modal.waitFor({ state: 'detached' });

      // Escape closes the open menu first, then the modal.
      await sandbox.type('/review-app');
      await picker.fill('mode');
      await options.filter({ hasText: 'Checkout page' }).waitFor({ state: 'detached' });
      await options.filter({ hasText: 'Dark mode' }).waitFor();
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'hidden' });
      expect(await modal.isVisible()).toBe(true);
      await page.keyboard.press('Escape');
      await modal.waitFor({ state: 'detached' });

      // Arrow keys move the highlight over the open MRs, Enter picks the highlighted one.
      await sandbox.type('/review-app');
      await picker.focus();
      await expect.poll(() => options.count()).toBe(3);
      const highlighted = modal.getByRole('option', { selected: true });
      expect(await highlighted.textContent()).toBe(await options.nth(0).textContent());
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowUp');
      const second = (await options.nth(1).textContent()) ?? '';
      expect(await highlighted.textContent()).toBe(second);
      await page.keyboard.press('Enter');
      await menu.waitFor({ state: 'hidden' });
      expect(await picker.inputValue()).toBe(second);
      // Enter picked the option; it did not submit the modal.
      expect(await modal.isVisible()).toBe(true);

      // Launch, clicked once while the menu is open again, launches what was picked.
      await page.keyboard.press('ArrowDown');
      await menu.waitFor();
      await modal.getByRole('button', { name: 'Launch' }).click();
      await modal.waitFor({ state: 'detached' });
      const mr = /^!([0-9]+) /.exec(second)?.[1];
      const channel = page.getByRole('region', { name: 'Channel messages' });
      // The channel message says "is launching", then "running": either names the MR.
      await channel
        .locator('article', { hasText: new RegExp(`review app for !${mr} `, 'i') })
        .first()
        .waitFor();
    },
  );

  it('refuses a user who is not allowed, and a channel where the bot is not allowed', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;
    const channel = page.getByRole('region', { name: 'Channel messages' });
    await page.getByRole('combobox', { name: 'You are' }).selectOption('U_EVE');
    await sandbox.type('/review-app 1');
    const privately = channel.locator('article', { hasText: 'Only visible to you' });
    await privately
      .getByText('You are not allowed to launch or change review apps.', { exact: false })
      .waitFor();

    await page.getByRole('combobox', { name: 'You are' }).selectOption('U_ALICE');
    await page.getByRole('button', { name: /# random/ }).click();
    await sandbox.type('/review-app 1');
    await privately
      .getByText(
        'Review apps cannot be launched or changed in this channel. Use #shop, #api, #reviews.',
        {
          exact: false,
        },
      )
      .waitFor();
    // Nothing was launched: alice sees no status message in #shop either.
    await page.getByRole('button', { name: /# shop/ }).click();
    await channel.getByText('Nothing here yet.', { exact: false }).waitFor();
  });
});
