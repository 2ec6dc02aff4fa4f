import type { AccessSettings } from './settings.js';

/** Who may launch or change review apps: empty lists mean everyone, everywhere. */
export function isAllowed(
  access: AccessSettings,
  user: string,
  channel: string | undefined,
): boolean {
  const userOk = access.allowedUsers.length === 0 || access.allowedUsers.includes(user);
  const channelOk =
    access.allowedChannels.length === 0 ||
    (channel !== undefined && access.allowedChannels.includes(channel));
  return userOk && channelOk;
}
