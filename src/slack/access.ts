import type { SlackConfig } from '../config/config.js';

/** Who may launch or change review apps: empty lists mean everyone, everywhere. */
export function isAllowed(
  config: Pick<SlackConfig, 'allowedUsers' | 'allowedChannels'>,
  user: string,
  channel: string | undefined,
): boolean {
  const userOk = config.allowedUsers.length === 0 || config.allowedUsers.includes(user);
  const channelOk =
    config.allowedChannels.length === 0 ||
    (channel !== undefined && config.allowedChannels.includes(channel));
  return userOk && channelOk;
}
