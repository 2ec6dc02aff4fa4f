import type { CommitNews } from '../../watcher/follow.js';
import { ACTIONS } from '../ids.js';
import { actions, button, context, type SlackMessage, section } from './blocks.js';
import { code, type LabelledApp, mrRef, plain } from './format.js';

/** Commits are shown as GitLab shows them: the first eight characters. */
export function shortSha(sha: string): string {
  return sha.slice(0, 8);
}

/** What the thread hears when the MR's head commit moves. */
export function newCommitMessage(app: LabelledApp, news: CommitNews): SlackMessage {
  const mr = mrRef(app.meta.mr, app.label);
  const sha = shortSha(news.sha);
  const commit = `New commit ${code(sha, 8)} on ${mr}`;
  const running = context(`The review app keeps running ${code(shortSha(app.meta.sha), 8)}.`);
  switch (news.kind) {
    case 'building':
      return {
        text: `New commit ${sha} on ${mr}: its pipeline is running.`,
        blocks: [
          section(
            `:construction: ${commit}: its pipeline is running. I will say here when its image is ready.`,
          ),
          running,
        ],
      };
    case 'failed':
      return {
        text: `New commit ${sha} on ${mr}: no image. ${plain(news.message, 300)}`,
        blocks: [section(`:x: ${commit}: ${plain(news.message, 2500)}`), running],
      };
    case 'ready':
      if (news.auto) {
        return {
          text: `New commit ${sha} on ${mr} is built: relaunching with it.`,
          blocks: [section(`:arrows_counterclockwise: ${commit} is built: relaunching with it.`)],
        };
      }
      return {
        text: `New commit ${sha} on ${mr} is built.`,
        blocks: [
          section(`:package: ${commit} is built.`),
          running,
          actions([button(`Relaunch with ${sha}`, ACTIONS.relaunch, app.meta, 'primary')]),
        ],
      };
  }
}
