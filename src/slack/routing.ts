import type { Resolution } from '../core/catalogue.js';
import type { ReviewAppFleet, ServedProject } from '../core/fleet.js';
import type { ReviewApp } from '../core/types.js';
import { type Refusal, refusalOf } from './access.js';
import type { ButtonTarget } from './ids.js';
import type { LabelledApp } from './messages/format.js';
import type { SlackProject, SlackServices } from './services.js';

/**
 * Which project a Slack request is about. One bot serves several projects: `/review-app 42`
 * means the channel's project, `shop!42`, `acme/shop!42` and an MR's URL name theirs, and a
 * button carries its project. A one-project bot routes everything to its project, as before.
 */

/** How messages name a project: `shop` with several projects (unique short names); unset with one. */
export function labelOf(services: SlackServices, project: SlackProject): string | undefined {
  return services.fleet.projects.length > 1 ? services.fleet.catalogue.nameOf(project) : undefined;
}

/** The label of the project whose path an app's tags carry (they are GitLab's, any case). */
export function labelOfPath(
  fleet: ReviewAppFleet<ServedProject>,
  path: string,
): string | undefined {
  if (fleet.projects.length < 2) return undefined;
  const project = fleet.projectOf({ meta: { project: path } });
  return project ? fleet.catalogue.nameOf(project) : path.slice(path.lastIndexOf('/') + 1);
}

/** The app as messages name it: labelled `shop` where the bot serves several projects. */
export function named(fleet: ReviewAppFleet<ServedProject>, app: ReviewApp): LabelledApp {
  const label = labelOfPath(fleet, app.meta.project);
  return label ? { ...app, label } : app;
}

/** `42`, `shop!42`, `acme/shop!42` or an MR's URL typed in `channel`: the project, or a choice. */
export async function resolveTyped(
  services: SlackServices,
  text: string,
  channel: string,
): Promise<Resolution<SlackProject>> {
  const { only } = services.fleet;
  // One project: the engine reads every form it always read (its numeric id's path too).
  if (only) return { kind: 'project', project: only, mr: await only.engine.parseReference(text) };
  return services.fleet.catalogue.resolve(text, channel);
}

/**
 * The project a button acts on: the one its value names, if the bot still serves it.
 * A button posted before the bot served several projects names none: it is the
 * channel's, when the channel has one project.
 */
export async function projectOfButton(
  services: SlackServices,
  target: ButtonTarget,
  channel: string,
): Promise<SlackProject | undefined> {
  const { fleet } = services;
  if (fleet.only) return fleet.only;
  if (target.project !== undefined) return fleet.project(target.project);
  const here = fleet.catalogue.inChannel(channel);
  return here.length === 1 ? here[0] : undefined;
}

/**
 * The projects this person may act on here, of `projects`; with the first refusal when
 * there are none, so that they hear what would help.
 */
export function allowedOf(
  projects: readonly SlackProject[],
  user: string,
  channel: string | undefined,
): { allowed: SlackProject[]; refused?: { refusal: Refusal; project: SlackProject } } {
  const allowed = projects.filter((project) => !refusalOf(project.access, user, channel));
  if (allowed.length > 0 || !projects[0]) return { allowed };
  const first = projects[0];
  return {
    allowed,
    refused: { refusal: refusalOf(first.access, user, channel) as Refusal, project: first },
  };
}
