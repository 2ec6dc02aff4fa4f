import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  openChannel,
  openSandboxPage,
  runningThread,
  type SandboxPage,
} from '../support/browser.js';

/**
 * The sandbox runs the bot with the shared load balancer, which the page server plays:
 * a review app opens at its name under review.localhost on the page's port, which
 * Chromium sends to this machine without any DNS. Every app here is opened by its name.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const mrCard = (page: Page, project: string, iid: number) =>
  page
    .getByRole('complementary', { name: 'The world' })
    .locator('#mrs')
    .getByRole('region', { name: project })
    .locator(`[data-mr="${iid}"]`);

/** The link the newest "Running at" reply holds. */
async function postedLink(thread: Locator): Promise<string> {
  const link = thread
    .locator('article', { hasText: 'Running at' })
    .last()
    .getByRole('link', { name: /review\.localhost/ });
  return (await link.getAttribute('href')) ?? '';
}

/** What a browser shows at `href`: the status, the heading and the facts (or the text). */
async function open(sandbox: SandboxPage, href: string) {
  const tab = await sandbox.page.context().newPage();
  try {
    const response = await tab.goto(href);
    const body = (await tab.locator('body').textContent()) ?? '';
    return { status: response?.status(), body, title: await tab.title() };
  } finally {
    await tab.close();
  }
}

const portOf = (sandbox: SandboxPage) => new URL(sandbox.sandbox.url).port;

describe('the sandbox page: review apps at their names on the load balancer', {
  timeout: 60_000,
}, () => {
  it('opens each project’s app at its own name on the page’s port: shop-mr-1, api-mr-11', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;
    await sandbox.type('/review-app 1');
    const shopLink = await postedLink(await runningThread(page, 'shop!1'));
    // No TLS in the sandbox: the listener is plain HTTP on the page's own port.
    expect(shopLink).toBe(`http://shop-mr-1.review.localhost:${portOf(sandbox)}/`);
    const shop = await open(sandbox, shopLink);
    expect(shop.status).toBe(200);
    expect(shop.body).toContain('acme/shop — review app');
    expect(shop.body).toContain('!1 Checkout page');

    await page.getByRole('button', { name: 'Close thread' }).click();
    await openChannel(page, 'api');
    await sandbox.type('/review-app 11');
    const apiLink = await postedLink(await runningThread(page, 'api!11'));
    expect(apiLink).toBe(`http://api-mr-11.review.localhost:${portOf(sandbox)}/`);
    const api = await open(sandbox, apiLink);
    expect(api.body).toContain('acme/api — review app');
    expect(api.body).toContain('!11 Rate limits');
    // One load balancer, two names: shop's still leads to shop's app.
    expect((await open(sandbox, shopLink)).body).toContain('!1 Checkout page');
    // A name nobody was given answers the listener's default.
    const none = await open(sandbox, `http://shop-mr-9.review.localhost:${portOf(sandbox)}/`);
    expect(none.status).toBe(404);
    expect(none.body).toBe('Not found');
  });

  it('keeps the name across a relaunch, with the new commit behind it; after Stop the name shows the ended page', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;
    await sandbox.type('/review-app 1');
    const thread = await runningThread(page, 'shop!1');
    const name = await postedLink(thread);
    const first = await open(sandbox, name);
    expect(first.body).toContain('!1 Checkout page');

    const card = mrCard(page, 'acme/shop', 1);
    const shaOf = async () =>
      /@ ([0-9a-f]{8})/.exec((await card.locator('.facts').textContent()) ?? '')?.[1] ?? '';
    const before = await shaOf();
    await card.getByRole('button', { name: 'Push a commit' }).click();
    await expect.poll(shaOf).not.toBe(before);
    const sha = await shaOf();
    await card.getByRole('button', { name: 'Finish pipeline' }).click();
    await thread.getByRole('button', { name: `Relaunch with ${sha}` }).click();
    await thread.getByText('The review app was relaunched by @alice.').first().waitFor();
    // The status reply reaches running again, now with the new commit.
    await thread
      .locator('article', { hasText: 'Running at' })
      .filter({ hasText: `commit ${sha}` })
      .waitFor();
    expect(await postedLink(thread)).toBe(name);
    // The same name, the new task: the app shows the pushed commit.
    const relaunched = await open(sandbox, name);
    expect(relaunched.body).toContain('!1 Checkout page');
    expect(relaunched.body).toContain(sha);
    expect(first.body).not.toContain(sha);

    await thread.getByRole('button', { name: 'Stop' }).first().click();
    await thread.getByText('The review app was stopped by @alice.').first().waitFor();
    // The rule now answers the ended page (410) until its time is up.
    await expect.poll(async () => (await open(sandbox, name)).status).toBe(410);
    const ended = await open(sandbox, name);
    expect(ended.body).toMatch(
      /^The review app for acme\/shop!1 ended at \d\d:\d\d UTC: stopped\. Relaunch it from Slack\.$/,
    );
  });
});
