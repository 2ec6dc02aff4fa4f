import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../ids.js';
import type { SlackServices } from '../services.js';
import { handleExtend } from './extend.js';
import { handleLogs } from './logs.js';
import { handleRelaunch } from './relaunch.js';
import { handleStop } from './stop.js';

export function registerActions(app: App, services: SlackServices): void {
  // A link button still sends an action; it only needs acknowledging.
  app.action(ACTIONS.open, async ({ ack }) => ack());
  app.action<BlockButtonAction>(ACTIONS.extend, (args) => handleExtend(services, args));
  app.action<BlockButtonAction>(ACTIONS.relaunch, (args) => handleRelaunch(services, args));
  app.action<BlockButtonAction>(ACTIONS.retry, (args) => handleRelaunch(services, args, false));
  app.action<BlockButtonAction>(ACTIONS.stop, (args) => handleStop(services, args));
  app.action<BlockButtonAction>(ACTIONS.stopAnyway, (args) => handleStop(services, args, true));
  app.action<BlockButtonAction>(ACTIONS.logs, (args) => handleLogs(services, args));
}
