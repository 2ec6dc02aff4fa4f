import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/ids.js';
import {
  ALICE,
  BOB,
  CHANNEL,
  eventually,
  shown,
  startBotWorld,
  watchAfter,
} from '../support/bot.js';
import {
  API_CHANNEL,
  API_PROJECT,
  answerTo,
  click,
  clickPrivate,
  command,
  runningIn,
  SHARED_CHANNEL,
  SHOP_CHANNEL,
  startProjectsWorld,
  taskOf,
  twoProjects,
} from '../support/projects.js';
import { seedRunningApps } from '../support/seed.js';
import { PROJECT_PATH, taskTags } from '../support/world.js';

/** The task definition family a task was started from (each project has its own base). */
function familyOf(
  w: { aws: { tasks(): { taskArn?: string; taskDefinitionArn?: string }[] } },
  arn?: string,
) {
  const task = w.aws.tasks().find((t) => t.taskArn === arn);
  return /task-definition\/([^:]+):/.exec(task?.taskDefinitionArn ?? '')?.[1];
}

describe('one bot, several projects, in Slack', () => {
  it('launches `/review-app 1` in the project of the channel, each with its own task definition, and names it', async () => {
    await using w = await startProjectsWorld();
    w.addMergeRequest(1, { title: 'Shop cart' });
    w.addApiMergeRequest(1, 'API pagination');

    await command(w, SHOP_CHANNEL, '1');
    const shop = await runningIn(w, SHOP_CHANNEL, 'shop!1');
    expect(shown(shop.parent)).toContain('Shop cart');
    await command(w, API_CHANNEL, '1');
    const api = await runningIn(w, API_CHANNEL, 'api!1');
    expect(shown(api.parent)).toContain('API pagination');

    const shopTask = taskOf(w, PROJECT_PATH, 1);
    const apiTask = taskOf(w, API_PROJECT.path, 1);
    expect(familyOf(w, shopTask?.taskArn)).toMatch(/^shop-web/);
    expect(familyOf(w, apiTask?.taskArn)).toMatch(/^api-web/);
    expect(taskTags(w.aws, apiTask?.taskArn)['review-app:slack-channel']).toBe(API_CHANNEL);
  });

  it('gives each project’s apps its own settings: acme/api’s TTL of an hour, acme/shop’s default 30 minutes', async () => {
    await using w = await startProjectsWorld({
      file: twoProjects({ api: ['REVIEW_APP_TTL: 1h'] }),
    });
    w.addMergeRequest(1);
    w.addApiMergeRequest(1);
    await command(w, SHOP_CHANNEL, '1');
    await runningIn(w, SHOP_CHANNEL, 'shop!1');
    await command(w, API_CHANNEL, '1');
    await runningIn(w, API_CHANNEL, 'api!1');
    const lifetime = (project: string) => {
      const tags = taskTags(w.aws, taskOf(w, project, 1)?.taskArn);
      return (
        Date.parse(tags['review-app:soft-deadline'] ?? '') -
        Date.parse(tags['review-app:launched-at'] ?? '')
      );
    };
    expect(lifetime(PROJECT_PATH)).toBe(30 * 60_000);
    expect(lifetime(API_PROJECT.path)).toBe(60 * 60_000);

    // At 31 minutes only acme/shop's app has expired.
    await watchAfter(w, 31 * 60_000);
    await eventually(() => expect(taskOf(w, PROJECT_PATH, 1)?.desiredStatus).toBe('STOPPED'));
    expect(taskOf(w, API_PROJECT.path, 1)?.desiredStatus).toBe('RUNNING');
  });

  it('asks which project a bare number means in a channel of several, and the button launches there', async () => {
    await using w = await startProjectsWorld();
    w.addMergeRequest(1, { title: 'Shop cart' });
    w.addApiMergeRequest(1, 'API pagination');

    const question = await answerTo(w, SHARED_CHANNEL, '1');
    expect(shown(question)).toContain("Which project's !1?");
    expect(shown(question)).toContain('Launch shop!1');
    expect(shown(question)).toContain('Launch api!1');
    // Nothing started before the person chose.
    expect(w.aws.tasks()).toHaveLength(0);

    await clickPrivate(w, SHARED_CHANNEL, question, ACTIONS.retry, API_PROJECT.path);
    const api = await runningIn(w, SHARED_CHANNEL, 'api!1');
    expect(shown(api.parent)).toContain('API pagination');
    expect(taskOf(w, API_PROJECT.path, 1)).toBeDefined();
    expect(taskOf(w, PROJECT_PATH, 1)).toBeUndefined();
  });

  it('takes `shop!2`, `acme/api!2` and an MR URL in a shared channel', async () => {
    await using w = await startProjectsWorld();
    w.addMergeRequest(2, { title: 'Shop search' });
    w.addApiMergeRequest(2, 'API search');
    w.addApiMergeRequest(3, 'API auth');

    await command(w, SHARED_CHANNEL, 'shop!2');
    await runningIn(w, SHARED_CHANNEL, 'shop!2');
    await command(w, SHARED_CHANNEL, 'acme/api!2');
    await runningIn(w, SHARED_CHANNEL, 'api!2');
    await command(w, SHARED_CHANNEL, `${w.gitlab.url}/acme/api/-/merge_requests/3`);
    await runningIn(w, SHARED_CHANNEL, 'api!3');
    expect(taskOf(w, PROJECT_PATH, 2)).toBeDefined();
    expect(taskOf(w, API_PROJECT.path, 2)).toBeDefined();
    expect(taskOf(w, API_PROJECT.path, 3)).toBeDefined();
  });

  it('refuses a project it does not serve, naming those it does, and starts nothing', async () => {
    await using w = await startProjectsWorld();
    const byUrl = await answerTo(
      w,
      SHARED_CHANNEL,
      `${w.gitlab.url}/acme/billing/-/merge_requests/4`,
    );
    expect(shown(byUrl)).toContain('acme/billing, which this bot does not serve');
    expect(shown(byUrl)).toContain('acme/shop, acme/api');

    expect(shown(await answerTo(w, SHARED_CHANNEL, 'billing!4'))).toContain(
      '"billing" is not a project this bot serves',
    );
    expect(w.aws.tasks()).toHaveLength(0);
  });

  it('routes every button to its own project when both have a !1 in one channel', async () => {
    await using w = await startProjectsWorld();
    w.addMergeRequest(1, { title: 'Shop cart' });
    w.addApiMergeRequest(1, 'API pagination');
    await command(w, SHARED_CHANNEL, 'shop!1');
    await runningIn(w, SHARED_CHANNEL, 'shop!1');
    await command(w, SHARED_CHANNEL, 'api!1');
    const api = await runningIn(w, SHARED_CHANNEL, 'api!1');

    await click(w, SHARED_CHANNEL, api.status, ACTIONS.stop, API_PROJECT.path);
    await eventually(() => expect(taskOf(w, API_PROJECT.path, 1)?.desiredStatus).toBe('STOPPED'));
    expect(taskOf(w, PROJECT_PATH, 1)?.desiredStatus).toBe('RUNNING');
  });

  it('lists every project’s apps, each named by its project, and help names the channel’s projects', async () => {
    await using w = await startProjectsWorld();
    w.addMergeRequest(1, { title: 'Shop cart' });
    w.addApiMergeRequest(5, 'API pagination');
    await command(w, SHOP_CHANNEL, '1');
    await runningIn(w, SHOP_CHANNEL, 'shop!1');
    await command(w, API_CHANNEL, '5');
    await runningIn(w, API_CHANNEL, 'api!5');

    const list = shown(await answerTo(w, SHOP_CHANNEL, 'list'));
    expect(list).toContain('2 review apps are running');
    expect(list).toContain('shop!1 Shop cart');
    expect(list).toContain('api!5 API pagination');

    const help = shown(await answerTo(w, SHARED_CHANNEL, 'help'));
    expect(help).toContain('This channel has several projects (`shop`, `api`)');
    expect(shown(await answerTo(w, API_CHANNEL, 'help'))).toContain(
      'In this channel, 42 means `api`',
    );
  });

  it('asks which project `stop 1` means in a shared channel, with Stop buttons of each', async () => {
    await using w = await startProjectsWorld();
    w.addMergeRequest(1);
    w.addApiMergeRequest(1);
    await command(w, SHARED_CHANNEL, 'shop!1');
    await runningIn(w, SHARED_CHANNEL, 'shop!1');

    const question = await answerTo(w, SHARED_CHANNEL, 'stop 1');
    expect(shown(question)).toContain('Stop shop!1');
    await clickPrivate(w, SHARED_CHANNEL, question, ACTIONS.stop, PROJECT_PATH);
    await eventually(() => expect(taskOf(w, PROJECT_PATH, 1)?.desiredStatus).toBe('STOPPED'));
  });

  it('applies each project’s own access lists and running-app limit, and one per-person limit across projects', async () => {
    await using w = await startProjectsWorld({
      file: twoProjects({
        defaults: ['MAX_APPS_PER_USER: 1'],
        api: ['ALLOWED_USER_IDS: U_BOB', 'MAX_RUNNING_APPS: 1'],
      }),
    });
    w.addMergeRequest(1);
    w.addMergeRequest(2);
    w.addApiMergeRequest(1);
    w.addApiMergeRequest(2);

    // acme/api lets Bob alone act on its apps.
    expect(shown(await answerTo(w, API_CHANNEL, '1', ALICE))).toContain('You are not allowed');
    // In the shared channel, Alice is not even asked about a project she may not use.
    await command(w, SHARED_CHANNEL, '1', ALICE);
    await runningIn(w, SHARED_CHANNEL, 'shop!1');

    // One app a person, whatever the project: Alice's shop!1 counts when she launches shop!2...
    expect(shown(await answerTo(w, SHOP_CHANNEL, '2', ALICE))).toContain(
      'the most allowed per person (1)',
    );
    // ...and Bob's api!1 when he launches in acme/shop.
    await command(w, API_CHANNEL, '1', BOB);
    await runningIn(w, API_CHANNEL, 'api!1');
    expect(shown(await answerTo(w, SHOP_CHANNEL, '2', BOB))).toContain(
      'the most allowed per person (1)',
    );
    // acme/api runs one app at most; acme/shop's own limit (10) is another.
    expect(shown(await answerTo(w, API_CHANNEL, '2', BOB))).toContain(
      'the most allowed at once (1)',
    );
    expect(taskOf(w, PROJECT_PATH, 2)).toBeUndefined();
    expect(taskOf(w, API_PROJECT.path, 2)).toBeUndefined();
  });

  it('reads the cluster no more often for a launch than a one-project bot does', async () => {
    const listings = async (
      w: Awaited<ReturnType<typeof startBotWorld>>,
      channel: string,
      ref: string,
    ) => {
      const before = w.aws.callsTo('ListTasks').length;
      await command(w, channel, '1');
      await runningIn(w, channel, ref);
      return w.aws.callsTo('ListTasks').length - before;
    };
    await using one = await startBotWorld();
    one.addMergeRequest(1);
    await using two = await startProjectsWorld({
      file: twoProjects({ defaults: ['MAX_APPS_PER_USER: 2'] }),
    });
    two.addMergeRequest(1);
    // The per-person limit across projects counts from the launch's own listing.
    expect(await listings(two, SHOP_CHANNEL, 'shop!1')).toBe(await listings(one, CHANNEL, '!1'));
  });

  it('adopts the apps a one-project bot launched: listed, named and ended by their own project', async () => {
    await using w = await startProjectsWorld();
    // Tasks tagged as a one-project bot for acme/shop tagged them, before the file existed.
    const oneProjectBot = { GITLAB_PROJECT: PROJECT_PATH, ECS_TASK_DEFINITION: 'shop-web' };
    await seedRunningApps({ ...w, env: { ...w.env, ...oneProjectBot } }, 2);
    const list = shown(await answerTo(w, SHARED_CHANNEL, 'list'));
    expect(list).toContain('2 review apps are running');
    expect(list).toContain('shop!1 MR 1');
    expect(list).toContain('shop!2 MR 2');

    await watchAfter(w, 31 * 60_000);
    await eventually(() =>
      expect(w.aws.tasks().filter((task) => task.desiredStatus === 'STOPPED')).toHaveLength(2),
    );
  });
});

describe('the launch modal with several projects', () => {
  type Options = { options: { text: { text: string }; value: string }[] };
  type View = { id: string; private_metadata?: string; blocks?: unknown[] };
  const mrBlock = (view: View) =>
    ((view.blocks ?? []) as { type: string; block_id?: string }[]).find(
      (block) => block.type === 'input',
    )?.block_id as string;

  it('offers the channel’s projects, lists the chosen project’s MRs, and launches there', async () => {
    await using w = await startProjectsWorld();
    w.addMergeRequest(1, { title: 'Shop cart' });
    w.addApiMergeRequest(7, 'API pagination');

    await command(w, API_CHANNEL, '');
    const opened = await eventually(() => {
      const [view] = w.slack.views();
      expect(view).toBeDefined();
      return view as unknown as View;
    });
    const choice = (
      (opened.blocks ?? []) as {
        accessory?: { options: { value: string }[]; initial_option: { value: string } };
      }[]
    )
      .map((block) => block.accessory)
      .find(Boolean);
    // The channel's project first and chosen; the other one offered too.
    expect(choice?.options.map((option) => option.value)).toEqual(['acme/api', 'acme/shop']);
    expect(choice?.initial_option.value).toBe('acme/api');
    const picker = async (view: View) =>
      (
        (
          await w.slack.sendOptionsRequest(w.eventsUrl, {
            action_id: ACTIONS.pickMr,
            block_id: mrBlock(view),
            value: '',
            view_id: view.id,
          })
        ).options as Options
      ).options.map((option) => option.text.text);
    expect(await picker(opened)).toEqual(['!7 API pagination']);

    // Choosing acme/shop makes the modal again, for acme/shop's MRs.
    await w.slack.sendBlockAction(w.eventsUrl, {
      user_id: ALICE,
      view_id: opened.id,
      actions: [
        {
          action_id: ACTIONS.pickProject,
          type: 'static_select',
          selected_option: { text: { type: 'plain_text', text: 'acme/shop' }, value: 'acme/shop' },
        },
      ],
    });
    const updated = await eventually(() => {
      const view = w.slack.views().find((v) => v.id === opened.id) as unknown as View;
      expect(view.private_metadata).toContain('acme/shop');
      return view;
    });
    expect(mrBlock(updated)).not.toBe(mrBlock(opened));
    expect(await picker(updated)).toEqual(['!1 Shop cart']);

    await w.slack.sendViewSubmission(w.eventsUrl, {
      user_id: ALICE,
      view_id: opened.id,
      view: {
        state: {
          values: {
            [mrBlock(updated)]: {
              [ACTIONS.pickMr]: {
                type: 'external_select',
                selected_option: { text: { type: 'plain_text', text: '!1' }, value: '1' },
              },
            },
          },
        },
      },
    });
    await runningIn(w, API_CHANNEL, 'shop!1');
    expect(taskOf(w, PROJECT_PATH, 1)).toBeDefined();
  });
});

describe('notices with several projects', () => {
  it('tells the channel which project’s app expired', async () => {
    await using w = await startProjectsWorld();
    w.addApiMergeRequest(1, 'API pagination');
    await command(w, API_CHANNEL, '1');
    await runningIn(w, API_CHANNEL, 'api!1');
    await w.bot.watcher.round();
    await watchAfter(w, 31 * 60_000);
    await eventually(() => {
      const notice = w.slack.messages(API_CHANNEL).find((m) => shown(m).includes('has expired'));
      expect(notice && shown(notice)).toContain(
        'The review app for api!1 API pagination has expired',
      );
    });
  });
});

describe('several projects on one load balancer', () => {
  it('gives each project’s apps names of their own, and an ended page that names the project', async () => {
    await using w = await startProjectsWorld({
      loadBalancer: true,
      file: twoProjects({ defaults: ['REVIEW_APP_HOST_TEMPLATE: "{project}-mr-{mr}.{domain}"'] }),
    });
    w.addMergeRequest(1);
    w.addApiMergeRequest(1);
    await command(w, SHOP_CHANNEL, '1');
    const shop = await runningIn(w, SHOP_CHANNEL, 'shop!1');
    await command(w, API_CHANNEL, '1');
    const api = await runningIn(w, API_CHANNEL, 'api!1');
    expect(shown(shop.status)).toContain('https://shop-mr-1.review.example.com/');
    expect(shown(api.status)).toContain('https://api-mr-1.review.example.com/');

    await click(w, API_CHANNEL, api.status, ACTIONS.stop, API_PROJECT.path);
    const listener = w.loadBalancer?.listenerArn as string;
    await eventually(() =>
      expect(w.aws.listenerAnswer(listener, { host: 'api-mr-1.review.example.com' })).toMatchObject(
        {
          kind: 'fixed-response',
          body: expect.stringMatching(
            /^The review app for acme\/api!1 ended at \d\d:\d\d UTC: stopped\./,
          ),
        },
      ),
    );
    expect(w.aws.listenerAnswer(listener, { host: 'shop-mr-1.review.example.com' })).toMatchObject({
      kind: 'forward',
    });
  });
});
