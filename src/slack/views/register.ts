import type { App, BlockStaticSelectAction, ViewSubmitAction } from '@slack/bolt';
import { ACTIONS, VIEWS } from '../ids.js';
import type { SlackServices } from '../services.js';
import {
  handleLaunchSubmission,
  handleMergeRequestOptions,
  handleProjectChoice,
} from './launch-modal.js';

export function registerViews(app: App, services: SlackServices): void {
  app.options<'block_suggestion'>({ action_id: ACTIONS.pickMr, type: 'block_suggestion' }, (args) =>
    handleMergeRequestOptions(services, args),
  );
  app.action<BlockStaticSelectAction>(ACTIONS.pickProject, (args) =>
    handleProjectChoice(services, args),
  );
  app.view<ViewSubmitAction>({ callback_id: VIEWS.launch, type: 'view_submission' }, (args) =>
    handleLaunchSubmission(services, args),
  );
}
