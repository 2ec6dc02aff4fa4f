import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS, actionPattern } from '../ids.js';
import type { SlackServices } from '../services.js';
import { handleExtend } from './extend.js';
import { handleLogs } from './logs.js';
import { handleRelaunch } from './relaunch.js';
import { handleStop } from './stop.js';

/** Routed by pattern: a button's action_id names its MR too (see buttonActionId), and Bolt matches a RegExp. */
export function registerActions(app: App, services: SlackServices): void {
  // A link button still sends an action; it only needs acknowledging.
  app.action(actionPattern(ACTIONS.open), async ({ ack }) => ack());
  app.action<BlockButtonAction>(actionPattern(ACTIONS.extend), (args) =>
    handleExtend(services, args),
  );
  app.action<BlockButtonAction>(actionPattern(ACTIONS.relaunch), (args) =>
    handleRelaunch(services, args),
  );
  app.action<BlockButtonAction>(actionPattern(ACTIONS.retry), (args) =>
    handleRelaunch(services, args, false),
  );
  app.action<BlockButtonAction>(actionPattern(ACTIONS.stop), (args) => handleStop(services, args));
  app.action<BlockButtonAction>(actionPattern(ACTIONS.stopAnyway), (args) =>
    handleStop(services, args, true),
  );
  app.action<BlockButtonAction>(actionPattern(ACTIONS.logs), (args) => handleLogs(services, args));
}
