import type { StopExplanation } from '../../core/diagnosis.js';
import { HEALTH_CHECKS_STATUS } from '../../core/route-health.js';
import type { ReviewApp, ReviewAppMeta } from '../../core/types.js';
import { ACTIONS, type ButtonTarget } from '../ids.js';
import { actions, button, context, type SlackMessage, section } from './blocks.js';
import {
  code,
  escapeMrkdwn,
  type Labelled,
  link,
  mentionUsers,
  minutesLeft,
  mrRef,
  plain,
  slackTime,
} from './format.js';

/** What a status reply can show. */
export type Stage =
  | { kind: 'looking-up' }
  | { kind: 'starting'; status: string; image?: string }
  | { kind: 'running'; app: ReviewApp; cost?: string }
  /** `toldBelow`: a notice in the thread says why, with the buttons; the status only ends. */
  | { kind: 'failed'; message: string; toldBelow?: boolean }
  | { kind: 'ended'; explanation: StopExplanation; cost?: string; toldBelow?: boolean };

const TITLE_MAX = 150;

/** The task's own IP, where the link is a name: people debugging inside the VPC still ask for it. */
function taskIpLine(app: ReviewApp, url: string): string | undefined {
  const ip = app.address?.privateIp;
  return ip && !url.includes(ip) ? `task IP ${code(ip, 45)}` : undefined;
}

/** `!42 Title` (`shop!42 Title` with several projects), from a merge request or an app's meta. */
export function mrLabel(
  mr: ({ iid: number; title: string } | { mr: number; title: string }) & Labelled,
  max = TITLE_MAX,
): string {
  const iid = 'iid' in mr ? mr.iid : mr.mr;
  return `${mrRef(iid, mr.label)} ${plain(mr.title, max)}`;
}

/** The MR a status reply speaks of: its number, its project (for the buttons) and label. */
export type StatusSubject = { iid: number; project?: string | undefined } & Labelled;

function imageLine(meta: Pick<ReviewAppMeta, 'image' | 'sha'>): string {
  const tag = meta.image.includes('@')
    ? meta.image.split('@')[1]
    : (meta.image.split(':').pop() ?? '');
  return `Image ${code(tag ?? meta.image, 80)} · commit ${code(meta.sha.slice(0, 8), 8)}`;
}

/** The status reply in the thread, kept up to date from lookup to the end. */
export function statusMessage(mr: StatusSubject, stage: Stage, now: number): SlackMessage {
  const ref = mrRef(mr.iid, mr.label);
  const target = { mr: mr.iid, project: mr.project };
  switch (stage.kind) {
    case 'looking-up':
      return {
        text: `Looking up the image for ${ref}…`,
        blocks: [section(`:mag: Looking up the image for ${ref}…`)],
      };
    case 'starting':
      if (stage.status === HEALTH_CHECKS_STATUS) {
        return {
          text: `Starting the review app for ${ref}: waiting for the load balancer's health checks…`,
          blocks: [
            section(
              `:hourglass_flowing_sand: Starting the review app for ${ref}: the task runs; waiting for the load balancer's health checks before posting the link…`,
            ),
            ...(stage.image ? [context(`Image ${code(stage.image, 200)}`)] : []),
          ],
        };
      }
      return {
        text: `Starting the review app for ${ref} (${stage.status})…`,
        blocks: [
          section(
            `:hourglass_flowing_sand: Starting the review app for ${ref}: task ${code(stage.status, 20)}…`,
          ),
          ...(stage.image ? [context(`Image ${code(stage.image, 200)}`)] : []),
        ],
      };
    case 'running': {
      const { meta } = stage.app;
      const url = meta.url ?? '';
      const left = minutesLeft(meta.softDeadline, now);
      return {
        text: `The review app for ${ref} is running at ${url} (${left}).`,
        blocks: [
          section(
            // "as of": a countdown the bot could no longer refresh must not look current.
            `:large_green_circle: *Running* at ${link(url, escapeMrkdwn(url))}\nExpires at ${slackTime(meta.softDeadline)} (${left}) · as of ${slackTime(now, '{date_short_pretty} {time}')}`,
          ),
          context(
            [
              imageLine(meta),
              taskIpLine(stage.app, url),
              stage.cost ? `cost so far ${stage.cost}` : undefined,
              `at most until ${slackTime(meta.hardDeadline)}`,
            ]
              .filter(Boolean)
              .join(' · '),
          ),
          actions([
            { ...button('Open app', ACTIONS.open, target, 'primary'), url },
            button('Extend', ACTIONS.extend, target),
            button('Relaunch', ACTIONS.relaunch, target),
            button('Stop', ACTIONS.stop, target, 'danger'),
          ]),
        ],
      };
    }
    case 'failed':
      if (stage.toldBelow) {
        return {
          text: `Could not launch ${ref}.`,
          blocks: [section(`:x: Could not launch ${ref}: why is said below.`)],
        };
      }
      return {
        text: `Could not launch ${ref}: ${plain(stage.message, 500)}`,
        blocks: [
          section(`:x: Could not launch ${ref}: ${mentionUsers(plain(stage.message, 2800))}`),
          actions([button('Try again', ACTIONS.retry, target)]),
        ],
      };
    case 'ended':
      if (stage.toldBelow) {
        return {
          text: `The review app for ${ref} has ended.`,
          blocks: [
            section(`:black_square_for_stop: Ended at ${slackTime(now)}: why is said below.`),
            ...(stage.cost ? [context(`Cost ${stage.cost}`)] : []),
          ],
        };
      }
      return {
        text: `The review app for ${ref} has ended: ${plain(stage.explanation.summary, 500)}`,
        blocks: [
          section(
            `:black_square_for_stop: ${mentionUsers(plain(stage.explanation.summary, 1500))}`,
          ),
          ...(stage.explanation.hint ? [context(plain(stage.explanation.hint, 1000))] : []),
          ...(stage.cost ? [context(`Cost ${stage.cost}`)] : []),
          ...relaunchButtons(target, stage.explanation).map((b) => actions([b])),
        ],
      };
  }
}

/**
 * The Relaunch button of an ended app, unless its MR was merged or closed (it cannot be
 * launched again) or it was relaunched (the new app's status has its own buttons).
 */
export function relaunchButtons(target: ButtonTarget, explanation: StopExplanation) {
  return explanation.kind === 'mr-merged' ||
    explanation.kind === 'mr-closed' ||
    explanation.kind === 'relaunched'
    ? []
    : [button('Relaunch', ACTIONS.retry, target, 'primary')];
}
