import type { AccessSettings } from './settings.js';

/** Why someone may not act here: they are not on the list, or this channel is not. */
export type Refusal = 'user' | 'channel';

/**
 * Who may launch or change review apps: empty lists mean everyone, everywhere.
 * A refused user hears about themselves first: another channel would not help them.
 */
export function refusalOf(
  access: AccessSettings,
  user: string,
  channel: string | undefined,
): Refusal | undefined {
  if (access.allowedUsers.length > 0 && !access.allowedUsers.includes(user)) return 'user';
  const channelOk =
    access.allowedChannels.length === 0 ||
    (channel !== undefined && access.allowedChannels.includes(channel));
  return channelOk ? undefined : 'channel';
}

export function isAllowed(
  access: AccessSettings,
  user: string,
  channel: string | undefined,
): boolean {
  return refusalOf(access, user, channel) === undefined;
}
