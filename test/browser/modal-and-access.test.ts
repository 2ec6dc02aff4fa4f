import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { launchBrowser, openSandboxPage } from '../support/browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the sandbox page: the modal and the access rules', () => {
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
      .getByText('Review apps cannot be launched or changed in this channel. Use #reviews.', {
        exact: false,
      })
      .waitFor();
    // Nothing was launched: alice sees no status message in #reviews either.
    await page.getByRole('button', { name: /# reviews/ }).click();
    await channel.getByText('Nothing here yet.', { exact: false }).waitFor();
  });
});
