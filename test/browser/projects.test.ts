import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openSandboxPage } from '../support/browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const worldOf = (page: Page) => page.getByRole('complementary', { name: 'The world' });
/** One project's merge requests in the side panel. */
const mergeRequestsOf = (page: Page, project: string) =>
  worldOf(page).locator('#mrs').getByRole('region', { name: project });
/** One project's tasks in the side panel. */
const tasksOf = (page: Page, project: string) =>
  worldOf(page).locator('#tasks').getByRole('region', { name: project });

describe('the sandbox page: one bot, two projects', { timeout: 60_000 }, () => {
  it('shows acme/shop and acme/api side by side, each with its channels, its MRs and its tasks', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;
    for (const name of ['# shop', '# api', '# reviews']) {
      await page.getByRole('button', { name, exact: true }).waitFor();
    }
    const shop = mergeRequestsOf(page, 'acme/shop');
    const api = mergeRequestsOf(page, 'acme/api');
    await shop.getByRole('heading', { name: 'acme/shop #shop #reviews' }).waitFor();
    await api.getByRole('heading', { name: 'acme/api #api #reviews' }).waitFor();
    await shop.getByText('!1 Checkout page').waitFor();
    await api.getByText('!11 Rate limits').waitFor();
    expect(await shop.getByText('Rate limits').count()).toBe(0);

    // The page opens in #shop, acme/shop's own channel: the launch is shop's, and so is its task.
    await sandbox.type('/review-app 1');
    await tasksOf(page, 'acme/shop').locator('.card', { hasText: '!1 ·' }).waitFor();
    expect(await tasksOf(page, 'acme/api').getByText('No tasks yet.').count()).toBe(1);
  });

  it('changes only the project it is asked to: merging acme/api !11 leaves acme/shop alone', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;
    const api = mergeRequestsOf(page, 'acme/api');
    await api.locator('[data-mr="11"]').getByRole('button', { name: 'Merge' }).click();
    await api.locator('[data-mr="11"]').getByText('merged', { exact: true }).waitFor();
    const shop = mergeRequestsOf(page, 'acme/shop');
    expect(await shop.getByText('merged', { exact: true }).count()).toBe(0);
    expect(
      await shop.locator('[data-mr="1"]').getByRole('button', { name: 'Merge' }).isEnabled(),
    ).toBe(true);
  });
});
