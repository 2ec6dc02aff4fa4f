import { describe, expect, it } from 'vitest';
import { ReviewAppError } from '../../src/core/errors.js';
import type { ReviewApp } from '../../src/core/types.js';
import { escapeMrkdwn, plain, truncate } from '../../src/slack/messages/format.js';
import {
  alreadyRunningMessage,
  endedNotice,
  errorText,
  extendedMessage,
  listMessage,
  warningMessage,
} from '../../src/slack/messages/notices.js';
import { parentMessage } from '../../src/slack/messages/parent.js';
import { statusMessage } from '../../src/slack/messages/status.js';
import { runningApp } from '../support/apps.js';

const hostile = `<!channel> <@U123> & *bold* _it_ \`code\` ${'🎉'.repeat(50)}\u202Eevil ${'x'.repeat(10_000)}`;
const now = Date.UTC(2026, 10, 27, 12, 0, 0);

function app(overrides: Partial<ReviewApp['meta']> = {}): ReviewApp {
  return runningApp(now, { title: hostile, branch: hostile, ...overrides });
}

/** Every text in a message, as Slack would read it. */
function texts(message: { text: string; blocks: unknown[] }): string[] {
  const out = [message.text];
  JSON.stringify(message.blocks, (key, value) => {
    if (key === 'text' && typeof value === 'string') out.push(value);
    return value;
  });
  return out;
}

function checkLimits(message: { text: string; blocks: unknown[] }) {
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  for (const block of message.blocks as {
    type: string;
    text?: { text: string };
    elements?: { text?: { text?: string } | string; value?: string }[];
  }[]) {
    if (block.type === 'section') expect(block.text?.text.length).toBeLessThanOrEqual(3000);
    for (const element of block.elements ?? []) {
      const text = typeof element.text === 'string' ? element.text : element.text?.text;
      if (block.type === 'actions') expect(Array.from(text ?? '').length).toBeLessThanOrEqual(75);
      if (block.type === 'context') expect((text ?? '').length).toBeLessThanOrEqual(3000);
      if (element.value) expect(element.value.length).toBeLessThanOrEqual(2000);
    }
  }
  for (const text of texts(message)) {
    expect(text).not.toMatch(/<!(channel|here|everyone)>/);
    expect(text).not.toContain('<@U123>');
  }
}

describe('message builders', () => {
  it('escapes only &, < and >', () => {
    expect(escapeMrkdwn('<a> & "b"')).toBe('&lt;a&gt; &amp; "b"');
  });

  it('cuts without splitting an emoji, and escaped text still fits', () => {
    expect(truncate('🎉🎉🎉', 2)).toBe('🎉…');
    expect(plain('&'.repeat(100), 20).length).toBeLessThanOrEqual(20);
  });

  it.each([
    [
      'parent',
      () =>
        parentMessage(
          {
            mr: 42,
            title: hostile,
            webUrl: 'https://gitlab.example.com/acme/shop/-/merge_requests/42',
            branch: hostile,
            requester: 'U_ALICE',
            source: 'slack',
          },
          { kind: 'running', until: now },
        ),
    ],
    [
      'running',
      () => statusMessage({ iid: 42 }, { kind: 'running', app: app(), cost: '$0.01' }, now),
    ],
    ['failed', () => statusMessage({ iid: 42 }, { kind: 'failed', message: hostile }, now)],
    [
      'ended',
      () =>
        statusMessage(
          { iid: 42 },
          {
            kind: 'ended',
            explanation: { kind: 'crashed', summary: hostile, hint: hostile, unexpected: true },
          },
          now,
        ),
    ],
    [
      'list',
      () =>
        listMessage(
          Array.from({ length: 60 }, () => app()),
          now,
          () => '$0.01',
          '$0.60',
        ),
    ],
    [
      'already running',
      () => alreadyRunningMessage(app(), 'https://x.slack.com/archives/C1/p1', now),
    ],
    ['warning', () => warningMessage(app(), now)],
    [
      'ended notice',
      () => endedNotice(app(), { kind: 'hard-cap', summary: hostile, unexpected: true }),
    ],
  ])('keeps the %s message within Block Kit limits and pings nobody', (_name, build) => {
    checkLimits(build());
  });

  it('shows the expiry as a Slack date token, with minutes left', () => {
    const text = texts(
      statusMessage({ iid: 42 }, { kind: 'running', app: app() }, now + 5 * 60_000),
    ).join('\n');
    expect(text).toContain(`<!date^${Math.floor((now + 30 * 60_000) / 1000)}^{time}|12:30 UTC>`);
    expect(text).toContain('25 minutes left');
  });

  it('speaks English: "expires in 5 minutes", "1 review app is running", times as date tokens, never ISO strings', () => {
    const soon = app({ softDeadline: now + 5 * 60_000 });
    const warning = warningMessage(soon, now);
    expect(warning.text).toBe('The review app for !42 expires in 5 minutes.');
    const one = listMessage([app()], now, () => undefined);
    expect(one.text).toBe('1 review app is running.');
    expect(texts(one).join('\n')).toContain('*1 review app is running*');
    expect(listMessage([app(), app({ mr: 43 })], now, () => undefined).text).toBe(
      '2 review apps are running.',
    );
    const lastMinute = texts(
      statusMessage({ iid: 42 }, { kind: 'running', app: app() }, now + 29.5 * 60_000),
    ).join('\n');
    expect(lastMinute).toContain('1 minute left');
    const extended = extendedMessage(app(), 'U_BOB', false, now);
    for (const message of [warning, one, extended]) {
      expect(JSON.stringify(message)).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    }
    expect(extended.text).toContain('<!date^');
  });
});

describe('errorText: an error as a Slack user reads it', () => {
  const error = (hint?: { person?: string; operator?: string }) =>
    new ReviewAppError('GITLAB_UNAVAILABLE', 'GitLab could not answer.', {}, hint ? { hint } : {});

  it('the message alone when the raise site gave no advice, whatever the code', () => {
    expect(errorText(error())).toBe('GitLab could not answer.');
  });

  it("adds the asker's advice as written where the error was raised", () => {
    expect(errorText(error({ person: 'Try again in a minute.' }))).toBe(
      'GitLab could not answer. Try again in a minute.',
    );
  });

  it("says the operator was told instead of showing the operator's fix", () => {
    const text = errorText(error({ person: 'Ask a maintainer.', operator: 'Set GITLAB_URL.' }));
    expect(text).toBe('GitLab could not answer. Ask a maintainer. The operator has been told.');
    expect(text).not.toContain('GITLAB_URL');
  });
});
