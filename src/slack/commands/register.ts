import type { App } from '@slack/bolt';
import { COMMAND } from '../ids.js';
import type { SlackServices } from '../services.js';
import { handleReviewAppCommand } from './review-app.js';

export function registerCommands(app: App, services: SlackServices): void {
  app.command(COMMAND, (args) => handleReviewAppCommand(services, args));
}
