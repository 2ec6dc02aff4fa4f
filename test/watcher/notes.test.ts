import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/ids.js';
import {
  ALICE,
  type BotWorld,
  CHANNEL,
  clickButton,
  eventually,
  launchedFromSlack,
  shown,
  startBotWorld,
  watchAfter,
} from '../support/bot.js';
import { cli } from '../support/cli.js';
import { PROJECT_ID, startWorld, taskTags } from '../support/world.js';

const MINUTE = 60_000;
const NOTES_ON = { GITLAB_MR_NOTES: 'true' };

async function notesWorld(): Promise<BotWorld> {
  const w = await startBotWorld({ env: NOTES_ON });
  w.gitlab.setTokenScopes(['api', 'read_registry']);
  w.addMergeRequest(42);
  return w;
}

/** What a reviewer reads on !42, the Slack thread's link shown as THREAD. */
function notesOn42(w: BotWorld): string[] {
  return w.gitlab
    .notes(PROJECT_ID, 42)
    .map((note) => note.body.replace(/\]\(https:\/\/[^)]*\/archives\/[^)]*\)/g, '](THREAD)'));
}

const urlOf = (w: BotWorld, arn: string) => `http://${w.aws.networkInterface(arn)?.publicIp}:3000`;

/** The app's soft deadline as the note tells it ("12:31 UTC"). */
function until(w: BotWorld, arn: string): string {
  const deadline = taskTags(w.aws, arn)['review-app:soft-deadline'] as string;
  return `${deadline.slice(11, 16)} UTC`;
}

const running = (w: BotWorld, arn: string) =>
  `Review app running at ${urlOf(w, arn)} until ${until(w, arn)}, launched from Slack ([thread](THREAD)).`;

const noteCreations = (w: BotWorld) =>
  w.gitlab.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/notes')).length;

describe('the review app on its merge request (GITLAB_MR_NOTES=true)', () => {
  it('keeps one note that follows the app through launch, extend, relaunch and expiry', async () => {
    await using w = await notesWorld();
    const app = await launchedFromSlack(w, 42);
    await eventually(() => expect(notesOn42(w)).toEqual([running(w, app.arn)]));
    // The link opens the app's Slack thread.
    const link = /\((https:[^)]+)\)/.exec(w.gitlab.notes(PROJECT_ID, 42)[0]?.body ?? '')?.[1];
    expect(link).toContain(`/archives/${CHANNEL}/p${app.parent.ts.replace('.', '')}`);

    const before = until(w, app.arn);
    await clickButton(w, app.status, ACTIONS.extend, 42);
    await eventually(() => expect(until(w, app.arn)).not.toBe(before));
    await eventually(() => expect(notesOn42(w)).toEqual([running(w, app.arn)]));

    await clickButton(w, app.status, ACTIONS.relaunch, 42);
    await eventually(() => expect(w.aws.tasks()).toHaveLength(2));
    const relaunched = w.aws.tasks().at(-1)?.taskArn as string;
    await eventually(() => expect(notesOn42(w)).toEqual([running(w, relaunched)]));
    expect(urlOf(w, relaunched)).not.toBe(urlOf(w, app.arn));

    await watchAfter(w, 31 * MINUTE);
    expect(notesOn42(w)).toEqual([
      `Review app ended (it was at ${urlOf(w, relaunched)}): The review app expired and was stopped. It can be relaunched from its [Slack thread](THREAD).`,
    ]);
    expect(noteCreations(w)).toBe(1);
  });

  it('a relaunch from the end notice takes the same note over', async () => {
    await using w = await notesWorld();
    const app = await launchedFromSlack(w, 42);
    await watchAfter(w, 31 * MINUTE);
    await eventually(() => expect(notesOn42(w)[0]).toContain('expired'));

    await clickButton(w, app.status, ACTIONS.retry, 42);
    await eventually(() => expect(w.aws.tasks()).toHaveLength(2));
    const newest = w.aws.tasks().at(-1)?.taskArn as string;
    await eventually(() => expect(notesOn42(w)).toEqual([running(w, newest)]));
    expect(noteCreations(w)).toBe(1);
  });

  it('a relaunch that fails to start leaves the note saying so, not showing the replaced app', async () => {
    await using w = await notesWorld();
    const app = await launchedFromSlack(w, 42);
    await eventually(() => expect(notesOn42(w)).toEqual([running(w, app.arn)]));
    w.aws.setLaunchBehaviour({
      failToStart: { stoppedReason: 'CannotPullContainerError: pull access denied' },
    });
    await clickButton(w, app.status, ACTIONS.relaunch, 42);
    await eventually(() =>
      expect(notesOn42(w)).toEqual([
        expect.stringMatching(
          /^Review app ended: The review app failed to start: CannotPullContainerError: pull access denied\./,
        ),
      ]),
    );
    expect(noteCreations(w)).toBe(1);
  });

  it('a restarted bot edits the same note', async () => {
    await using w = await notesWorld();
    const app = await launchedFromSlack(w, 42);
    await eventually(() => expect(notesOn42(w)).toHaveLength(1));
    await w.restart();
    await w.bot.watcher.recover();

    await clickButton(w, app.status, ACTIONS.stop, 42);
    await eventually(() =>
      expect(notesOn42(w)).toEqual([
        `Review app ended (it was at ${urlOf(w, app.arn)}): The review app was stopped by someone in Slack. It can be relaunched from its [Slack thread](THREAD).`,
      ]),
    );
    expect(noteCreations(w)).toBe(1);
  });

  it('says why a crashed app ended, and that a merged MR stopped it', async () => {
    await using w = await notesWorld();
    w.addMergeRequest(43);
    const crashing = await launchedFromSlack(w, 42);
    await launchedFromSlack(w, 43);
    w.aws.exitContainer(crashing.arn, 'web', 1, 'Error: listen EADDRINUSE');
    w.gitlab.updateMergeRequest(PROJECT_ID, 43, {
      state: 'merged',
      actor: { username: 'max', name: 'Max Merger' },
    });
    await watchAfter(w, MINUTE);

    expect(notesOn42(w)[0]).toMatch(
      /^Review app ended \(it was at http:\/\/[\d.]+:3000\): The app container web exited on its own \(exit code 1; Error: listen EADDRINUSE; Essential container in task exited\)\./,
    );
    expect(w.gitlab.notes(PROJECT_ID, 43).map((n) => n.body)).toEqual([
      expect.stringMatching(
        /^Review app ended \(it was at http:\/\/[\d.]+:3000\): The merge request was merged by Max Merger, so its review app was stopped\.$/,
      ),
    ]);
  });

  it('writes a new note when someone deleted the old one', async () => {
    await using w = await notesWorld();
    const app = await launchedFromSlack(w, 42);
    await eventually(() => expect(notesOn42(w)).toHaveLength(1));
    w.gitlab.removeNote(PROJECT_ID, 42, w.gitlab.notes(PROJECT_ID, 42)[0]?.id as number);

    await clickButton(w, app.status, ACTIONS.extend, 42);
    await eventually(() => expect(notesOn42(w)).toEqual([running(w, app.arn)]));
  });

  it.each([
    ['a read_api token', (w: BotWorld) => w.gitlab.setTokenScopes(['read_api', 'read_registry'])],
    ['a Guest of the private project', (w: BotWorld) => w.gitlab.setTokenRole('guest')],
  ])(
    'a note GitLab refuses (%s) leaves the launch working, with a warning logged',
    async (_, refuse) => {
      await using w = await notesWorld();
      refuse(w);
      const app = await launchedFromSlack(w, 42);
      expect(shown(app.status)).toContain(urlOf(w, app.arn));
      expect(w.gitlab.notes(PROJECT_ID, 42)).toEqual([]);
      await eventually(() =>
        expect(
          w.logs.some(
            (line) =>
              line.includes('could not write the review app note on the merge request') &&
              line.includes('"mr":42'),
          ),
        ).toBe(true),
      );
      await clickButton(w, app.status, ACTIONS.stop, 42, ALICE);
      await eventually(() => expect(w.aws.task(app.arn)?.desiredStatus).toBe('STOPPED'));
    },
  );

  it('a CLI launch is told with who launched it, and its stop edits the note', async () => {
    await using world = await startWorld();
    world.gitlab.setTokenScopes(['api', 'read_registry']);
    world.addMergeRequest(42);
    const env = { ...NOTES_ON, GITLAB_USER_LOGIN: 'carol' };
    expect((await cli(world, ['launch', '42', '--wait'], env)).code).toBe(0);
    expect(world.gitlab.notes(PROJECT_ID, 42).map((n) => n.body)).toEqual([
      expect.stringMatching(
        /^Review app running at http:\/\/[\d.]+:3000 until \d\d:\d\d UTC, launched by carol from the command line\.$/,
      ),
    ]);
    expect((await cli(world, ['stop', '42'], env)).code).toBe(0);
    expect(world.gitlab.notes(PROJECT_ID, 42).map((n) => n.body)).toEqual([
      expect.stringContaining('The review app was stopped by carol (CLI).'),
    ]);
  });
});
