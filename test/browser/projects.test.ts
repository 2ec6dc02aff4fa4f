import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  channelOf,
  launchBrowser,
  openChannel,
  openSandboxPage,
  runningThread,
  worldOf,
} from '../support/browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * Follows the launch of `reference` (shop!1) to its running thread, and opens the app's
 * page from the thread's link: what the app says about itself.
 */
async function runningApp(page: Page, reference: string): Promise<string> {
  const thread = await runningThread(page, reference);
  const href = await thread.getByRole('link', { name: /review\.localhost/ }).getAttribute('href');
  const app = await page.context().newPage();
  await app.goto(href as string);
  const heading = (await app.getByRole('heading', { name: /review app/ }).textContent()) ?? '';
  const facts = (await app.locator('table').textContent()) ?? '';
  await app.close();
  return `${heading} ${facts}`;
}

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
  it('launches in #shop as acme/shop and in #api as acme/api: each channel’s own project, its own app', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;
    await openChannel(page, 'shop');
    await sandbox.type('/review-app 1');
    const shopApp = await runningApp(page, 'shop!1');
    expect(shopApp).toContain('acme/shop — review app');
    expect(shopApp).toContain('!1 Checkout page');
    expect(shopApp).toContain('registry.example.test/acme/shop:');
    await tasksOf(page, 'acme/shop')
      .locator('.card', { hasText: '!1 ·' })
      .getByText('RUNNING')
      .waitFor();

    await openChannel(page, 'api');
    await sandbox.type('/review-app 11');
    const apiApp = await runningApp(page, 'api!11');
    expect(apiApp).toContain('acme/api — review app');
    expect(apiApp).toContain('!11 Rate limits');
    // acme/api's image, from acme/api's registry; its task under acme/api only.
    expect(apiApp).toContain('registry.example.test/acme/api:');
    await tasksOf(page, 'acme/api')
      .locator('.card', { hasText: '!11 ·' })
      .getByText('RUNNING')
      .waitFor();
    expect(await tasksOf(page, 'acme/shop').locator('.card', { hasText: '!11 ·' }).count()).toBe(0);
  });

  it('in #reviews, shared by both, launches shop!1 by name, and asks which project a bare number means', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;
    await openChannel(page, 'reviews');
    await sandbox.type('/review-app shop!1');
    expect(await runningApp(page, 'shop!1')).toContain('acme/shop — review app');

    await sandbox.type('/review-app 2');
    const question = channelOf(page)
      .locator('article', { hasText: 'Only visible to you' })
      .filter({ hasText: /Which project.s !2\?/ });
    await question.waitFor();
    expect(await question.getByRole('button', { name: /^Launch / }).allTextContents()).toEqual([
      'Launch shop!2',
      'Launch api!2',
    ]);
    // Nothing started before the person chose.
    expect(await tasksOf(page, 'acme/shop').locator('.card', { hasText: '!2 ·' }).count()).toBe(0);
    // The choice launches in that project, in a thread of its own in this channel.
    await question.getByRole('button', { name: 'Launch shop!2' }).click();
    expect(await runningApp(page, 'shop!2')).toContain('acme/shop — review app');
    await tasksOf(page, 'acme/shop')
      .locator('.card', { hasText: '!2 ·' })
      .getByText('RUNNING')
      .waitFor();
  });
});
