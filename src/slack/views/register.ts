import type { App, ViewSubmitAction } from '@slack/bolt';
import { ACTIONS, VIEWS } from '../ids.js';
import type { SlackServices } from '../services.js';
import { handleLaunchSubmission, handleMergeRequestOptions } from './launch-modal.js';

export function registerViews(app: App, services: SlackServices): void {
  app.options<'block_suggestion'>({ action_id: ACTIONS.pickMr, type: 'block_suggestion' }, (args) =>
    handleMergeRequestOptions(services, args),
  );
  app.view<ViewSubmitAction>({ callback_id: VIEWS.launch, type: 'view_submission' }, (args) =>
    handleLaunchSubmission(services, args),
  );
}
