import type { webApi } from '@slack/bolt';
import { isReviewAppError } from '../../core/errors.js';
import { extendInSlack } from '../extend-flow.js';
import { COMMAND } from '../ids.js';
import { logsInSlack } from '../logs-flow.js';
import { type SlackMessage, section } from '../messages/blocks.js';
import { plain, slackTime } from '../messages/format.js';
import { errorMessage, errorText, listMessage } from '../messages/notices.js';
import type { SlackServices } from '../services.js';
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
    async run({ services, client, user, answer }, args) {
      const mr = await mrArgument(services, args, answer, 'Say which review app to stop', 'stop');
      if (mr === undefined) return;
      const outcome = await stopInSlack(services, client, mr, user);
      if ('refused' in outcome) return answer(outcome.refused);
      if ('confirm' in outcome) return answer(outcome.confirm);
      // Every message has blocks as well as its fallback text: an empty list is not
      // documented as accepted by Slack, so it is not sent.
      const text = `Stopped the review app of !${mr}.`;
      await answer({ text, blocks: [section(text)] });
    },
  },
  {
    name: 'extend',
    usage: 'extend 42',
    summary: 'give the review app of !42 more time',
    restricted: true,
    async run({ services, client, user, answer }, args) {
      const mr = await mrArgument(
        services,
        args,
        answer,
        'Say which review app to extend',
        'extend',
      );
      if (mr === undefined) return;
      const outcome = await extendInSlack(services, client, mr, user);
      if ('refused' in outcome) return answer(outcome.refused);
      const until = slackTime(outcome.extended.meta.softDeadline);
      await answer({
        text: `Extended the review app of !${mr}.`,
        blocks: [section(`Extended the review app of !${mr} until ${until}.`)],
      });
    },
  },
  {
    name: 'logs',
    usage: 'logs 42',
    summary: 'the last lines the review app of !42 logged',
    // Logs can say more than an app's URL: the access lists apply.
    restricted: true,
    async run({ services, answer }, args) {
      const mr = await mrArgument(services, args, answer, 'Say whose logs to show', 'logs');
      if (mr !== undefined) await answer(await logsInSlack(services, mr));
    },
  },
  {
    name: 'help',
    usage: 'help',
    summary: 'this message',
    restricted: false,
    async run({ answer }) {
      await answer(helpMessage());
    },
  },
];

/** The one merge request a verb acts on, or undefined once the asker was told what to type. */
async function mrArgument(
  services: SlackServices,
  args: string[],
  answer: VerbContext['answer'],
  problem: string,
  verb: string,
): Promise<number | undefined> {
  const [reference] = args;
  if (reference === undefined || args.length !== 1) {
    await answer(usageMessage(`${problem}, e.g. \`/review-app ${verb} 42\`.`));
    return undefined;
  }
  return services.engine.parseReference(reference);
}

export function findVerb(word: string): Verb | undefined {
  return VERBS.find((verb) => verb.name === word.toLowerCase());
}

async function listRunning(services: SlackServices): Promise<SlackMessage> {
  const { engine, clock } = services;
  try {
    const apps = await engine.list();
    return listMessage(
      apps,
      clock.now(),
      (app) => engine.costOf(app),
      apps.length > 0 ? engine.totalCostOf(apps) : undefined,
    );
  } catch (error) {
    return errorMessage(
      isReviewAppError(error)
        ? errorText(error)
        : 'The running apps could not be listed right now.',
    );
  }
}

/** The help text, made from the table. */
export function helpMessage(): SlackMessage {
  const lines = [
    `*${COMMAND} 42* (or \`!42\`, or the merge request's URL): launch a review app for that merge request`,
    `*${COMMAND}*: pick an open merge request from a list`,
    ...VERBS.map((verb) => `*${COMMAND} ${verb.usage}*: ${verb.summary}`),
  ];
  return { text: `How to use ${COMMAND}`, blocks: [section(lines.join('\n'))] };
}

/** A problem with what was typed, followed by the help. */
export function usageMessage(problem: string): SlackMessage {
  const help = helpMessage();
  return {
    text: `${problem} ${help.text}`,
    blocks: [section(`:warning: ${plain(problem, 500)}`), ...help.blocks],
  };
}
