import type { webApi } from '@slack/bolt';
import { isReviewAppError } from '../../core/errors.js';
import { extendInSlack } from '../extend-flow.js';
import { ACTIONS, COMMAND } from '../ids.js';
import { logsInSlack } from '../logs-flow.js';
import { context, type SlackMessage, section } from '../messages/blocks.js';
import { mrRef, plain, slackTime } from '../messages/format.js';
import {
  chooseProjectMessage,
  errorMessage,
  errorText,
  listMessage,
  refusedMessage,
} from '../messages/notices.js';
import { allowedOf, labelOf, named, resolveTyped } from '../routing.js';
import type { SlackProject, SlackServices } from '../services.js';
import { stopInSlack } from '../stop-flow.js';

/** Who asked, where, and how to answer them privately. */
export interface VerbContext {
  services: SlackServices;
  client: webApi.WebClient;
  user: string;
  channel: string;
  answer: (message: SlackMessage) => Promise<void>;
}

/**
 * A word after `/review-app`. The table below is the whole routing of the
 * command and the source of its help text: a new verb is one entry here
 * (and the manifest's usage hint).
 */
export interface Verb {
  name: string;
  /** How it is typed after the command, e.g. `stop 42`. */
  usage: string;
  /** What it does, for the help text. */
  summary: string;
  /** Whether the access lists apply (verbs that change something). */
  restricted: boolean;
  run(context: VerbContext, args: string[]): Promise<void>;
}

export const VERBS: readonly Verb[] = [
  {
    name: 'list',
    usage: 'list',
    summary: 'running review apps',
    restricted: false,
    async run({ services, answer }, args) {
      if (args.length > 0) return answer(usageMessage('`list` takes nothing after it.'));
      await answer(await listRunning(services));
    },
  },
  {
    name: 'stop',
    usage: 'stop 42',
    summary: 'stop the review app of !42',
    restricted: true,
    async run(context, args) {
      const target = await mrArgument(context, args, 'Say which review app to stop', 'stop');
      if (!target) return;
      const { services, client, user, answer } = context;
      const outcome = await stopInSlack(services, target.project, client, target.mr, user);
      if ('refused' in outcome) return answer(outcome.refused);
      if ('confirm' in outcome) return answer(outcome.confirm);
      // Every message has blocks as well as its fallback text: an empty list is not
      // documented as accepted by Slack, so it is not sent.
      const text = `Stopped the review app of ${target.ref}.`;
      await answer({ text, blocks: [section(text)] });
    },
  },
  {
    name: 'extend',
    usage: 'extend 42',
    summary: 'give the review app of !42 more time',
    restricted: true,
    async run(context, args) {
      const target = await mrArgument(context, args, 'Say which review app to extend', 'extend');
      if (!target) return;
      const { services, client, user, answer } = context;
      const outcome = await extendInSlack(services, target.project, client, target.mr, user);
      if ('refused' in outcome) return answer(outcome.refused);
      const until = slackTime(outcome.extended.meta.softDeadline);
      await answer({
        text: `Extended the review app of ${target.ref}.`,
        blocks: [section(`Extended the review app of ${target.ref} until ${until}.`)],
      });
    },
  },
  {
    name: 'logs',
    usage: 'logs 42',
    summary: 'the last lines the review app of !42 logged',
    // Logs can say more than an app's URL: the access lists apply.
    restricted: true,
    async run(context, args) {
      const target = await mrArgument(context, args, 'Say whose logs to show', 'logs');
      if (target)
        await context.answer(await logsInSlack(context.services, target.project, target.mr));
    },
  },
  {
    name: 'help',
    usage: 'help',
    summary: 'this message',
    restricted: false,
    async run({ services, channel, answer }) {
      await answer(helpMessage(services, channel));
    },
  },
];

/** A merge request of one project, as the person asking may act on it here. */
export interface Routed {
  project: SlackProject;
  mr: number;
  /** `!42`, or `shop!42` with several projects. */
  ref: string;
}

/** The button each verb's choice of project carries: it does what the verb would have done. */
const CHOICE_ACTIONS: Record<string, string> = {
  launch: ACTIONS.retry,
  stop: ACTIONS.stop,
  extend: ACTIONS.extend,
  logs: ACTIONS.logs,
};

/**
 * What was typed (`42`, `shop!42`, `acme/shop!42`, a URL) as one project's MR that the
 * person may act on here; undefined once they were answered: refused, or asked which
 * project they mean (a bare number in a channel of several projects), with a button for
 * each that does what `verb` does.
 */
export async function routeTyped(
  context: VerbContext,
  reference: string,
  verb: string,
): Promise<Routed | undefined> {
  const { services, user, channel, answer } = context;
  const resolution = await resolveTyped(services, reference, channel);
  const candidates = resolution.kind === 'project' ? [resolution.project] : resolution.projects;
  const { allowed, refused } = allowedOf(candidates, user, channel);
  if (refused) {
    services.logger.warn('refused a command', { user, channel, verb });
    await answer(refusedMessage(refused.refusal, refused.project.access));
    return undefined;
  }
  const [only] = allowed;
  if (only && allowed.length === 1) {
    return {
      project: only,
      mr: resolution.mr,
      ref: mrRef(resolution.mr, labelOf(services, only)),
    };
  }
  const choices = await Promise.all(
    allowed.map(async (project) => ({
      path: await project.engine.projectPath().catch(() => project.path),
      label: services.fleet.catalogue.nameOf(project),
    })),
  );
  await answer(
    chooseProjectMessage(resolution.mr, choices, CHOICE_ACTIONS[verb] ?? ACTIONS.retry, verb),
  );
  return undefined;
}

/** The one merge request a verb acts on, or undefined once the asker was answered. */
async function mrArgument(
  context: VerbContext,
  args: string[],
  problem: string,
  verb: string,
): Promise<Routed | undefined> {
  const [reference] = args;
  if (reference === undefined || args.length !== 1) {
    await context.answer(usageMessage(`${problem}, e.g. \`/review-app ${verb} 42\`.`));
    return undefined;
  }
  return routeTyped(context, reference, verb);
}

export function findVerb(word: string): Verb | undefined {
  return VERBS.find((verb) => verb.name === word.toLowerCase());
}

/** Every project's running apps, from one reading of ECS, each named by its project with several. */
async function listRunning(services: SlackServices): Promise<SlackMessage> {
  const { fleet, clock } = services;
  try {
    const apps = (await fleet.list()).map((app) => named(fleet, app));
    const first = fleet.projects[0] as SlackProject;
    return listMessage(
      apps,
      clock.now(),
      (app) => fleet.engineOf(app).costOf(app),
      // Fargate's prices are shared settings: one engine totals every project's apps.
      apps.length > 0 ? first.engine.totalCostOf(apps) : undefined,
    );
  } catch (error) {
    return errorMessage(
      isReviewAppError(error)
        ? errorText(error)
        : 'The running apps could not be listed right now.',
    );
  }
}

/** At most this many projects are named in the help (each name at most 100 characters). */
const HELP_PROJECTS_NAMED = 10;

/**
 * The help text, made from the table; with several projects, which ones `42` means in
 * this channel and how to name another.
 */
export function helpMessage(services?: SlackServices, channel?: string): SlackMessage {
  const several = services && services.fleet.projects.length > 1 ? services.fleet : undefined;
  const first = several?.catalogue.ordered(channel)[0];
  const example = several && first ? `${several.catalogue.nameOf(first)}!42` : '42';
  const lines = [
    several && first
      ? `*${COMMAND} 42*, *${COMMAND} ${plain(example, 120)}*, *${COMMAND} ${plain(first.path, 120)}!42* or the merge request's URL: launch a review app for that merge request`
      : `*${COMMAND} 42* (or \`!42\`, or the merge request's URL): launch a review app for that merge request`,
    `*${COMMAND}*: pick an open merge request from a list`,
    ...VERBS.map((verb) => `*${COMMAND} ${verb.usage}*: ${verb.summary}`),
  ];
  const blocks = [section(lines.join('\n'))];
  if (several) {
    const here = several.catalogue.inChannel(channel);
    // A context element holds 3000 characters: a long list of projects is cut, and counted.
    const names = (projects: readonly SlackProject[]) => {
      const shown = projects
        .slice(0, HELP_PROJECTS_NAMED)
        .map((project) => `\`${plain(several.catalogue.nameOf(project), 100)}\``);
      const more = projects.length - shown.length;
      return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
    };
    blocks.push(
      context(
        here.length === 1
          ? `In this channel, 42 means ${names(here)}. Projects served: ${names(several.projects)}.`
          : `This channel has several projects (${names(here)}): name one, as in ${COMMAND} ${example}. Projects served: ${names(several.projects)}.`,
      ),
    );
  }
  return { text: `How to use ${COMMAND}`, blocks };
}
/** A problem with what was typed, followed by the help. */
export function usageMessage(problem: string): SlackMessage {
  const help = helpMessage();
  return {
    text: `${problem} ${help.text}`,
    blocks: [section(`:warning: ${plain(problem, 500)}`), ...help.blocks],
  };
}
