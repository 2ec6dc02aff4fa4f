import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelOf, launchBrowser, openSandboxPage, threadOf, WIDTHS } from '../support/browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** The merge request's card in the side panel. */
const mrCard = (page: Page, iid: number) =>
  page.getByRole('complementary', { name: 'The world' }).locator(`[data-mr="${iid}"]`);

/** Opens the thread of the launch of !iid from its "N replies" link. */
async function openThread(page: Page, iid: number): Promise<Locator> {
  await channelOf(page)
    // The channel message says "is launching", then "running": either names the MR.
    .locator('article', { hasText: new RegExp(`review app for shop!${iid} `, 'i') })
    .filter({ hasNotText: 'replied to a thread' })
    .getByRole('button', { name: /repl/ })
    .click();
  return threadOf(page);
}

/** The head commit the card shows, as the bot abbreviates it. */
async function shortSha(page: Page, iid: number): Promise<string> {
  const facts = (await mrCard(page, iid).locator('.facts').textContent()) ?? '';
  return /@ ([0-9a-f]{8})/.exec(facts)?.[1] ?? '';
}

/** A `:shortcode:` left as text: Slack would have drawn an emoji. */
const RAW_EMOJI = /:[a-z_]+:/;

// Tests launch more than once: room enough for a locator's own timeout (10 s) to name what
// never appeared before the test's runs out.
describe('the sandbox page: the world panel', { timeout: 60_000 }, () => {
  it('Merge and Close stop the MR’s app: a notice in the channel, its status ends, its task stops', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;
    const channel = channelOf(page);
    await sandbox.type('/review-app 1');
    await channel.getByText(/review app for shop!1 /i).waitFor();
    await sandbox.type('/review-app 2');
    const thread = await openThread(page, 1);
    await thread.getByText('Running at').waitFor();
    await openThread(page, 2);
    await thread.getByText('Running at').waitFor();

    await mrCard(page, 1).getByRole('button', { name: 'Merge' }).click();
    await mrCard(page, 2).getByRole('button', { name: 'Close' }).click();

    const merged = channel.locator('article', { hasText: 'replied to a thread' }).filter({
      hasText:
        'The review app for shop!1 Checkout page has stopped: The merge request was merged by Dev Eloper, so its review app was stopped.',
    });
    await merged.waitFor();
    // A merged MR cannot be launched again: nothing to click under its notice.
    expect(await merged.getByRole('button', { name: 'Relaunch' }).count()).toBe(0);
    await channel
      .getByText(/The review app for shop!2 Dark mode has stopped: The merge request was closed/)
      .waitFor();

    await openThread(page, 1);
    await thread.getByText(/^⏹️ Ended at .*: why is said below\./).waitFor();
    expect(await thread.getByText('Running at').count()).toBe(0);
    expect(await thread.getByRole('button', { name: 'Extend' }).count()).toBe(0);
    expect(await thread.getByRole('button', { name: 'Relaunch' }).count()).toBe(0);

    const tasks = page.getByRole('complementary', { name: 'The world' }).locator('#tasks');
    await tasks.locator('.card', { hasText: '!1 ·' }).getByText('STOPPED').waitFor();
    await tasks.locator('.card', { hasText: '!2 ·' }).getByText('STOPPED').waitFor();
    expect(await mrCard(page, 1).getByText('merged', { exact: true }).count()).toBe(1);
    expect(await mrCard(page, 1).getByRole('button', { name: 'Merge' }).isDisabled()).toBe(true);
  });

  it.each(WIDTHS)(
    'at %i px a task being stopped shows its own status, and can no longer crash',
    async (width) => {
      // At real speed the task's wind-down (ECS's 30-second stop timeout) stays in view.
      await using sandbox = await openSandboxPage(browser, { width, height: 768, speed: 1 });
      const { page } = sandbox;
      await sandbox.type('/review-app 2');
      const thread = await openThread(page, 2);
      const world = page.getByRole('complementary', { name: 'The world' });
      const card = world.locator('#tasks .card', { hasText: '!2 ·' });
      const crash = card.getByRole('button', { name: 'Crash (out of memory)' });
      await card.getByText('RUNNING', { exact: true }).waitFor();
      expect(await crash.isEnabled()).toBe(true);

      // Stopped as soon as it runs: the link would wait for the load balancer's health
      // check (5 s, in real time here), which this is not about.
      await sandbox.type('/review-app stop 2');
      await card.getByText(/^(DEACTIVATING|STOPPING)$/).waitFor();
      await card.getByText('→ STOPPED').waitFor();
      expect(await card.getByText('RUNNING', { exact: true }).count()).toBe(0);
      expect(await crash.isDisabled()).toBe(true);
      await thread.getByText('The review app was stopped by @alice.').first().waitFor();
    },
  );

  it('Push a commit: the thread hears of its pipeline, then offers “Relaunch with <sha>”, which runs it', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;
    await sandbox.type('/review-app 1');
    const thread = await openThread(page, 1);
    await thread.getByText('Running at').waitFor();
    const before = await shortSha(page, 1);

    await mrCard(page, 1).getByRole('button', { name: 'Push a commit' }).click();
    await expect.poll(() => shortSha(page, 1)).not.toBe(before);
    const sha = await shortSha(page, 1);
    await thread
      .getByText(`🚧 New commit ${sha} on shop!1: its pipeline is running. I will say here`)
      .waitFor();

    await mrCard(page, 1).getByRole('button', { name: 'Finish pipeline' }).click();
    await thread.getByText(`📦 New commit ${sha} on shop!1 is built.`).waitFor();
    await thread.getByRole('button', { name: `Relaunch with ${sha}` }).click();

    await thread.getByText('The review app was relaunched by @alice.').first().waitFor();
    const running = thread.locator('article', { hasText: 'Running at' });
    await running.waitFor();
    expect(await running.textContent()).toContain(`commit ${sha}`);
    expect(await thread.textContent()).not.toMatch(RAW_EMOJI);
  });

  it('Next launch: image pull fails: the launch says why, and Try again launches', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;
    await page.getByRole('button', { name: 'Next launch: image pull fails' }).click();
    await page
      .getByRole('alert')
      .getByText('The next task ECS starts will fail to pull its image.')
      .waitFor();

    await sandbox.type('/review-app 2');
    const thread = await openThread(page, 2);
    await thread
      .getByText(
        /could not be launched: The review app failed to start: CannotPullContainerError: .* The image could not be pulled: check that it exists and that the task can reach the registry/,
      )
      .waitFor();
    await thread.getByRole('button', { name: 'Try again' }).click();
    await thread.getByText('Running at').waitFor();
  });

  it('Throttle Slack: the next launch still gets through to running', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;
    await page.getByRole('button', { name: 'Throttle Slack (a few 429s)' }).click();
    await page
      .getByRole('alert')
      .getByText(/Slack will answer the next 2 chat.postMessage and 3 chat.update calls with 429/)
      .waitFor();

    await sandbox.type('/review-app 1');
    // Each 429 makes the bot wait its Retry-After (1 s) in real time, whatever SANDBOX_SPEED.
    const thread = await openThread(page, 1);
    await thread.getByText('Running at').waitFor({ timeout: 15_000 });
    await thread.getByRole('button', { name: 'Stop' }).waitFor();
  });

  it('Finish and Fail pipeline: a building MR launches once its pipeline finished; a failed one says so', async () => {
    await using sandbox = await openSandboxPage(browser);
    const { page } = sandbox;
    await sandbox.type('/review-app 3');
    const thread = await openThread(page, 3);
    await thread
      .getByText(
        /!3 Search suggestions could not be launched: The image for !3 is not built yet: pipeline #\d+ is running/,
      )
      .waitFor();
    await mrCard(page, 3).getByRole('button', { name: 'Finish pipeline' }).click();
    await mrCard(page, 3).getByText('image pushed').waitFor();
    await thread.getByRole('button', { name: 'Try again' }).click();
    await thread.getByText('Running at').waitFor();

    await mrCard(page, 2).getByRole('button', { name: 'Push a commit' }).click();
    await mrCard(page, 2).getByRole('button', { name: 'Fail pipeline' }).click();
    await mrCard(page, 2).getByText('failed', { exact: true }).waitFor();
    await sandbox.type('/review-app 2');
    await (await openThread(page, 2))
      .getByText(/could not be launched: No image for !2: pipeline #\d+ failed\. Fix the pipeline/)
      .waitFor();
  });
});
