import type { ReviewApp } from '../../core/types.js';
import { plural } from '../../core/words.js';
/** mrkdwn helpers. Anything users or GitLab control goes through `escape` before Slack sees it. */

/** Slack's mrkdwn control characters; escaping them means `<!channel>` pings nobody. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut to `max` characters (code points, not halves of an emoji), marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Escaped and cut, so that the escaped text still fits `max`. */
export function plain(text: string, max: number): string {
  let cut = truncate(text.replace(/[\r\n]+/g, ' '), max);
  while (escapeMrkdwn(cut).length > max) cut = truncate(cut, Array.from(cut).length - 5);
  return escapeMrkdwn(cut);
}

/** Inline code that cannot be broken out of: backticks become quotes. */
export function code(text: string, max: number): string {
  return `\`${plain(text.replace(/`/g, "'"), max)}\``;
}

/** A link whose label is escaped; the URL is ours or GitLab's. */
export function link(url: string, label: string): string {
  return `<${url.replace(/[<>|]/g, encodeURIComponent)}|${label.replace(/\|/g, '¦')}>`;
}

/** A time shown in each reader's own time zone. */
export function slackTime(epochMs: number, format = '{time}'): string {
  const seconds = Math.floor(epochMs / 1000);
  const fallback = `${new Date(epochMs).toISOString().slice(11, 16)} UTC`;
  return `<!date^${seconds}^${format}|${fallback}>`;
}

/** "5 minutes" until the deadline (never less than none). */
export function minutesUntil(deadline: number, now: number): string {
  return plural(Math.max(0, Math.ceil((deadline - now) / 60_000)), 'minute');
}

export function minutesLeft(deadline: number, now: number): string {
  return `${minutesUntil(deadline, now)} left`;
}

/** Stop reasons name Slack users by id (see actorName: "stopped by U123 via Slack"); show them as mentions. */
export function mentionUsers(escapedText: string): string {
  return escapedText.replace(/\bby ([UW][A-Z0-9_]+) via Slack/g, 'by <@$1>');
}

/** Who launched an app: a mention for a Slack user, the plain (escaped) name for a CI job. */
export function requesterOf(meta: { requester: string; source: string }): string {
  return meta.source === 'slack' ? `<@${meta.requester}>` : escapeMrkdwn(meta.requester);
}

/**
 * How a message names its app's project: `shop`, when the bot serves several projects
 * (see ProjectCatalogue.nameOf); unset with one, where `!42` says it all.
 */
export interface Labelled {
  label?: string | undefined;
}

/** `!42`, or `shop!42` when the bot serves several projects. */
export function mrRef(mr: number, label?: string): string {
  return `${label ? escapeMrkdwn(label) : ''}!${mr}`;
}

/** An app as messages name it: `shop!42` when the bot serves several projects. */
export type LabelledApp = ReviewApp & Labelled;
