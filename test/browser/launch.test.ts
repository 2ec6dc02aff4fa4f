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

describe('the sandbox page: launching from the composer', { timeout: 60_000 }, () => {
  it('shows the thread reach running with a link to an app that answers; Extend and Stop work', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;

    await sandbox.type('/review-app 1');
    const channel = page.getByRole('region', { name: 'Channel messages' });
    await channel.getByText(/review app for shop!1 /i).waitFor();
    await channel.getByRole('button', { name: /1 repl/ }).click();

    const thread = page.getByRole('region', { name: 'Thread' });
    await thread.getByText('Running at').waitFor();
    // The app's name on the load balancer the page server plays (see load-balancer.test.ts).
    const link = thread.getByRole('link', { name: /review\.localhost/ });
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^http:\/\/shop-mr-1\.review\.localhost:[0-9]+\/$/);

    const app = await page.context().newPage();
    await app.goto(href as string);
    await app.getByRole('heading', { name: /review app/ }).waitFor();
    const facts = await app.locator('table').textContent();
    expect(facts).toContain('!1 Checkout page');
    expect(facts).toContain('feature/checkout');
    await app.close();

    await thread.getByRole('button', { name: 'Extend' }).first().click();
    await thread.getByText(/@alice extended the review app for shop!1 until/).waitFor();

    await thread.getByRole('button', { name: 'Stop' }).first().click();
    await thread.getByText('The review app was stopped by @alice.').first().waitFor();
    // The app's name no longer leads to it once its task has stopped: its ended page answers.
    const ended = await page.context().newPage();
    await expect.poll(async () => (await ended.goto(href as string))?.status()).toBe(410);
    await ended.close();
  });

  it('tells the channel when an app crashes (side panel), with a Relaunch button', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;

    await sandbox.type('/review-app 2');
    const world = page.getByRole('complementary', { name: 'The world' });
    const crash = world.getByRole('button', { name: 'Crash (out of memory)' });
    await expect.poll(() => crash.isEnabled()).toBe(true);
    await crash.click();

    const channel = page.getByRole('region', { name: 'Channel messages' });
    const notice = channel.locator('article', { hasText: 'replied to a thread' });
    await notice.getByText(/The review app for shop!2 Dark mode has stopped/).waitFor();
    await notice
      .getByText(/The app \(container web\) ran out of memory \(the task's 512 MiB\)/)
      .waitFor();
    await notice.getByRole('button', { name: 'Relaunch' }).waitFor();
  });

  it.each(WIDTHS)(
    'at %i px /review-app logs shows what the app printed, and a crash its last lines in the thread',
    async (width) => {
      await using sandbox = await openSandboxPage(browser, { width, height: 768 });
      const { page } = sandbox;
      await sandbox.type('/review-app 2');
      const channel = page.getByRole('region', { name: 'Channel messages' });
      await channel.getByRole('button', { name: /1 repl/ }).click();
      const thread = page.getByRole('region', { name: 'Thread' });
      await thread.getByText('Running at').waitFor();
      // Someone opens the app: it answers, and prints that it did.
      const href = await thread
        .getByRole('link', { name: /review\.localhost/ })
        .getAttribute('href');
      const app = await page.context().newPage();
      expect((await app.goto(href as string))?.status()).toBe(200);
      await app.close();

      await sandbox.type('/review-app logs 2');
      const privately = channel.locator('article', {
        hasText: 'The last lines of the review app for shop!2',
      });
      await privately.getByText('Only visible to you').waitFor();
      const logged = privately.locator('pre');
      for (const line of ['Ready: accepting HTTP requests', 'GET / 200']) {
        await logged.getByText(line, { exact: false }).waitFor();
      }

      const world = page.getByRole('complementary', { name: 'The world' });
      await world.getByRole('button', { name: 'Crash (out of memory)' }).click();
      const notice = thread.locator('article', { hasText: 'The last lines it logged:' });
      await notice.getByText(/The app \(container web\) ran out of memory/).waitFor();
      await notice
        .locator('pre')
        .getByText('Warning: memory use 497 MiB of the task’s 512 MiB', { exact: false })
        .waitFor();
      await notice.getByRole('button', { name: 'Logs' }).waitFor();
    },
  );

  it('lets an app launched at SANDBOX_SPEED=300 expire on the sandbox clock, with its notice and Relaunch', async () => {
    // The 30-minute lifetime passes on the sandbox's own clock, 300 times real time (6 s):
    // nothing here sleeps. Not faster: the 10-minute launch timeout runs on that clock too.
    await using sandbox = await openSandboxPage(browser, { speed: 300 });
    const { page } = sandbox;
    await page.getByText('(300× speed)').waitFor();

    await sandbox.type('/review-app 1');
    const channel = page.getByRole('region', { name: 'Channel messages' });
    const notice = channel.locator('article', { hasText: 'replied to a thread' });
    await notice
      .getByText('The review app for shop!1 Checkout page has expired.')
      .waitFor({ timeout: 20_000 });
    await notice.getByRole('button', { name: 'Relaunch' }).waitFor();
    // Posted half an hour after the launch, as the page's times (on the sandbox clock) show.
    const launchedAt = await channel.locator('article .when').first().textContent();
    const expiredAt = await notice.locator('.when').textContent();
    expect(minutesBetween(launchedAt ?? '', expiredAt ?? '')).toBeGreaterThanOrEqual(30);

    await channel.getByRole('button', { name: /repl/ }).click();
    const thread = page.getByRole('region', { name: 'Thread' });
    // Why is said once, in the notice; the status only ends.
    await thread.getByText('The review app for shop!1 Checkout page has expired.').waitFor();
    await thread.getByText(/^⏹️ Ended at .*: why is said below\./).waitFor();
  }, 40_000);
});

/** Minutes from one `h:mm AM` time on the page to a later one (across midnight too). */
function minutesBetween(from: string, to: string): number {
  const minutes = (time: string) => {
    const [, h, m, half] = /(\d+):(\d\d)\s*([AP]M)?/i.exec(time) ?? [];
    const hour = (Number(h) % 12) + (half?.toUpperCase() === 'PM' ? 12 : 0);
    return half ? hour * 60 + Number(m) : Number(h) * 60 + Number(m);
  };
  return (minutes(to) - minutes(from) + 24 * 60) % (24 * 60);
}
