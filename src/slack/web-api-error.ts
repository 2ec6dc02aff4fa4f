/** The code of a Web API call Slack refused (`not_in_channel`, `invalid_auth`...), when it answered. */
export function slackErrorCode(error: unknown): string | undefined {
  return (error as { data?: { error?: string } }).data?.error;
}

/** Codes that mean the bot is not in the channel, or cannot see it: inviting it is the fix. */
export function isNotInChannel(code: string | undefined): boolean {
  return code === 'not_in_channel' || code === 'channel_not_found';
}

/** A one-to-one direct message conversation: Slack's ids for them start with D. */
export function isDirectMessage(channel: string): boolean {
  return channel.startsWith('D');
}
