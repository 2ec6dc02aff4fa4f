import { checkMessageBlocks, checkModalView, problemMessages } from '@review-app-bot/sandbox';
import { describe, expect, it } from 'vitest';
import type { ReviewAppEngine } from '../../src/core/engine.js';
import { ReviewAppFleet } from '../../src/core/fleet.js';
import type { ReviewApp } from '../../src/core/types.js';
import { helpMessage, usageMessage } from '../../src/slack/commands/verbs.js';
import { ACTIONS } from '../../src/slack/ids.js';
import type { SlackMessage } from '../../src/slack/messages/blocks.js';
import { newCommitMessage } from '../../src/slack/messages/follow.js';
import { logsMessage } from '../../src/slack/messages/logs.js';
import {
  alreadyRunningMessage,
  chooseProjectMessage,
  endedNotice,
  errorMessage,
  extendedMessage,
  limitMessage,
  listMessage,
  stopAnywayMessage,
  warningMessage,
} from '../../src/slack/messages/notices.js';
import { parentMessage } from '../../src/slack/messages/parent.js';
import { statusMessage } from '../../src/slack/messages/status.js';
import type { SlackServices } from '../../src/slack/services.js';
import { launchModal, modalChoices } from '../../src/slack/views/launch-modal.js';
import { runningApp } from '../support/apps.js';

/**
 * Every message and view the bot builds, fed the worst it can be given, checked
 * with the Slack stand-in's own Block Kit rules: one that breaks them is
 * refused by Slack (`invalid_blocks`) and the person is told nothing.
 */

const long = `<!channel> & ${'🎉'.repeat(40)} ${'x'.repeat(10_000)}`;
const now = Date.UTC(2026, 10, 27, 12, 0, 0);

function app(mr: number, requester = 'U_ALICE'): ReviewApp {
  return runningApp(now, { mr, requester, title: long, branch: long });
}

const many = Array.from({ length: 60 }, (_, i) => app(i + 1, i % 2 === 0 ? 'U_ALICE' : 'U_BOB'));
const crashed = { kind: 'crashed' as const, summary: long, hint: long, unexpected: true };
const logLines = Array.from({ length: 500 }, (_, i) => `line ${i} \`\`\` ${long.slice(0, 400)}`);

/** GitLab paths may be 255 characters long; a bot may serve many projects. */
const longName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const projects = Array.from({ length: 120 }, (_, i) => ({
  path: `acme/${'p'.repeat(240)}${i}`,
  channels: ['C0SHARED'],
  access: { allowedUsers: [], allowedChannels: [] },
  engine: { gitlabUrl: 'https://gitlab.example.com' } as ReviewAppEngine,
}));
const manyProjects = {
  fleet: new ReviewAppFleet(projects),
  clock: { now: () => now },
} as unknown as SlackServices;
const labelled = many.map((one, i) => ({ ...one, label: longName(projects[i]?.path ?? '') }));

const messages: [string, () => SlackMessage][] = [
  [
    'parent',
    () =>
      parentMessage(
        {
          mr: 42,
          title: long,
          branch: long,
          webUrl: 'https://gitlab.example.com/acme/shop/-/merge_requests/42',
          requester: 'U_ALICE',
          source: 'slack',
        },
        { kind: 'running', until: now },
      ),
  ],
  ['status: looking up', () => statusMessage({ iid: 42 }, { kind: 'looking-up' }, now)],
  [
    'status: starting',
    () => statusMessage({ iid: 42 }, { kind: 'starting', status: long, image: long }, now),
  ],
  [
    'status: running',
    () => statusMessage({ iid: 42 }, { kind: 'running', app: app(42), cost: '$0.01' }, now),
  ],
  ['status: failed', () => statusMessage({ iid: 42 }, { kind: 'failed', message: long }, now)],
  [
    'status: ended',
    () => statusMessage({ iid: 42 }, { kind: 'ended', explanation: crashed, cost: '$1' }, now),
  ],
  ['list', () => listMessage(many, now, () => '$0.01', '$0.60')],
  [
    'limit refusal, with a Stop button for each of the asker’s apps',
    () => limitMessage(long, many, 'U_ALICE', now),
  ],
  ['already running', () => alreadyRunningMessage(app(42), 'https://x.slack.com/p1', now)],
  ['warning', () => warningMessage(app(42), now)],
  ['ended notice with logs', () => endedNotice(app(42), crashed, logLines)],
  ['extended', () => extendedMessage(app(42), 'U_BOB', true, now)],
  ['stop anyway?', () => stopAnywayMessage(app(42))],
  ['error', () => errorMessage(long)],
  ['logs', () => logsMessage(app(42), logLines)],
  [
    'new commit, built',
    () =>
      newCommitMessage(app(42), { kind: 'ready', sha: 'b'.repeat(40), image: long, auto: false }),
  ],
  [
    'new commit, failed',
    () => newCommitMessage(app(42), { kind: 'failed', sha: 'b'.repeat(40), message: long }),
  ],
  ['help', () => helpMessage()],
  ['help, with many projects of long names', () => helpMessage(manyProjects, 'C0SHARED')],
  [
    'which project, with every project of long names',
    () =>
      chooseProjectMessage(
        987_654,
        projects.map((project) => ({ path: project.path, label: longName(project.path) })),
        ACTIONS.stop,
        'logs',
      ),
  ],
  ['list, each app named by a long project name', () => listMessage(labelled, now, () => '$0.01')],
  ['limit refusal of several projects', () => limitMessage(long, labelled, 'U_ALICE', now)],
  ['usage', () => usageMessage(long)],
];

describe('Block Kit limits of what the bot posts', () => {
  it.each(messages)('the %s message is one Slack accepts', (_name, build) => {
    expect(problemMessages(checkMessageBlocks(build().blocks))).toEqual([]);
  });

  it('the launch modal is one Slack accepts', () => {
    expect(problemMessages(checkModalView(launchModal('C1')))).toEqual([]);
  });

  it('the launch modal with a choice of many projects of long names is one Slack accepts', () => {
    const view = launchModal('C0SHARED', modalChoices(manyProjects, projects));
    expect(problemMessages(checkModalView(view))).toEqual([]);
  });
});
