import type { SlackConfig } from '../config/config.js';
import type { SlackServices } from './launch-flow.js';

/** What every listener gets: the engine, time, logging, and who may act. */
export interface ListenerServices extends SlackServices {
  access: Pick<SlackConfig, 'allowedUsers' | 'allowedChannels'>;
}
