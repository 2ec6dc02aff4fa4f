import type { App } from '@slack/bolt';
import { AcknowledgedFirst } from '../acknowledged-first.js';
import { COMMAND } from '../ids.js';
import type { SlackServices } from '../services.js';
import { handleReviewAppCommand } from './review-app.js';

export function registerCommands(app: App, services: SlackServices): void {
  const acknowledged = new AcknowledgedFirst();
  app.command(COMMAND, (args) => handleReviewAppCommand(services, args, acknowledged));
}
