/**
 * Cheap Block Kit checks, the ones Slack itself enforces and answers with
 * `invalid_blocks` (messages) or `invalid_arguments` (views), with the same
 * `[ERROR] ... [json-pointer:/blocks/0/text/text]` messages in
 * `response_metadata.messages`. Not a full schema: limits and shapes that a
 * bot gets wrong in practice.
 *
 * The limits are Block Kit's reference (docs.slack.dev/reference/block-kit/):
 * - blocks: "up to 50 blocks in each message, and 100 blocks in modals or Home
 *   tabs" (api.slack.com/reference/block-kit/blocks);
 * - section text 3000 characters, fields 10 of 2000 (blocks/section-block);
 * - header text 150 (blocks/header-block);
 * - actions: "a maximum of 25 elements in each action block" (blocks/actions-block);
 * - context: "Maximum number of items is 10" (blocks/context-block);
 * - button text 75, value 2000, url 3000; `action_id` "should be unique among
 *   all other action_ids in the containing block", 255 characters
 *   (block-elements/button-element);
 * - `block_id` "should be unique for each message and each iteration of a
 *   message", 255 characters (every block's reference).
 * Slack refuses a duplicate id as it refuses an over-long text: `invalid_blocks`,
 * and the message is not posted.
 */

export interface BlockProblem {
  message: string;
  pointer: string;
}

type Obj = Record<string, unknown>;

const BLOCK_TYPES = new Set([
  'section',
  'header',
  'actions',
  'context',
  'context_actions',
  'divider',
  'image',
  'input',
  'rich_text',
  'markdown',
  'file',
  'video',
  'call',
  'table',
]);

export const MESSAGE_BLOCK_LIMIT = 50;
export const MODAL_BLOCK_LIMIT = 100;
const SECTION_TEXT_LIMIT = 3000;
const HEADER_TEXT_LIMIT = 150;
const BUTTON_TEXT_LIMIT = 75;
const BUTTON_VALUE_LIMIT = 2000;
const ACTIONS_ELEMENT_LIMIT = 25;
const CONTEXT_ELEMENT_LIMIT = 10;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Checker {
  readonly problems: BlockProblem[] = [];

  add(pointer: string, message: string): void {
    this.problems.push({ pointer, message });
  }

  maxLength(value: unknown, pointer: string, max: number): void {
    if (typeof value === 'string' && value.length > max) {
      this.add(pointer, `must be less than ${max + 1} characters`);
    }
  }

  text(value: unknown, pointer: string, max: number, plainOnly = false): void {
    if (!isObj(value)) {
      this.add(pointer, 'must provide an object');
      return;
    }
    if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn')) {
      this.add(
        `${pointer}/type`,
        `must be ${plainOnly ? '"plain_text"' : 'one of "plain_text", "mrkdwn"'}`,
      );
    }
    if (typeof value.text !== 'string') this.add(`${pointer}/text`, 'must provide a string');
    else if (value.text.length === 0) this.add(`${pointer}/text`, 'must be more than 0 characters');
    else this.maxLength(value.text, `${pointer}/text`, max);
  }

  options(value: unknown, pointer: string, min: number, max: number): void {
    if (!Array.isArray(value)) return;
    if (value.length < min) this.add(pointer, `must provide at least ${min} items`);
    if (value.length > max) this.add(pointer, `no more than ${max} items allowed`);
    value.forEach((option, i) => {
      if (!isObj(option)) {
        this.add(`${pointer}/${i}`, 'must provide an object');
        return;
      }
      this.text(option.text, `${pointer}/${i}/text`, 75);
      this.maxLength(option.value, `${pointer}/${i}/value`, 150);
    });
  }

  element(value: unknown, pointer: string): void {
    if (!isObj(value) || typeof value.type !== 'string') {
      this.add(pointer, 'must provide an element object with a type');
      return;
    }
    this.maxLength(value.action_id, `${pointer}/action_id`, 255);
    if (value.placeholder !== undefined)
      this.text(value.placeholder, `${pointer}/placeholder`, 150, true);
    switch (value.type) {
      case 'button':
        this.text(value.text, `${pointer}/text`, BUTTON_TEXT_LIMIT, true);
        this.maxLength(value.value, `${pointer}/value`, BUTTON_VALUE_LIMIT);
        this.maxLength(value.url, `${pointer}/url`, 3000);
        if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') {
          this.add(`${pointer}/style`, 'must be one of "primary", "danger"');
        }
        break;
      case 'static_select':
      case 'multi_static_select':
        if (value.options === undefined && value.option_groups === undefined) {
          this.add(pointer, 'must provide options or option_groups');
        }
        this.options(value.options, `${pointer}/options`, 0, 100);
        break;
      case 'overflow':
        this.options(value.options, `${pointer}/options`, 1, 5);
        break;
      default:
        break;
    }
  }

  block(value: unknown, pointer: string, blockIds: Set<string>): void {
    if (!isObj(value) || typeof value.type !== 'string') {
      this.add(pointer, 'must provide a block object with a type');
      return;
    }
    if (!BLOCK_TYPES.has(value.type)) {
      this.add(`${pointer}/type`, `unsupported type: ${value.type}`);
      return;
    }
    if (value.block_id !== undefined) {
      if (typeof value.block_id !== 'string') this.add(`${pointer}/block_id`, 'must be a string');
      else if (blockIds.has(value.block_id)) this.add(`${pointer}/block_id`, 'duplicate block_id');
      else blockIds.add(value.block_id);
      this.maxLength(value.block_id, `${pointer}/block_id`, 255);
    }
    switch (value.type) {
      case 'section':
        if (value.text === undefined && value.fields === undefined) {
          this.add(pointer, 'must provide text or fields');
        }
        if (value.text !== undefined) this.text(value.text, `${pointer}/text`, SECTION_TEXT_LIMIT);
        if (Array.isArray(value.fields)) {
          if (value.fields.length > 10)
            this.add(`${pointer}/fields`, 'no more than 10 items allowed');
          value.fields.forEach((f, i) => {
            this.text(f, `${pointer}/fields/${i}`, 2000);
          });
        }
        if (value.accessory !== undefined) this.element(value.accessory, `${pointer}/accessory`);
        break;
      case 'header':
        this.text(value.text, `${pointer}/text`, HEADER_TEXT_LIMIT, true);
        break;
      case 'actions': {
        const elements = Array.isArray(value.elements) ? value.elements : [];
        if (elements.length === 0) this.add(`${pointer}/elements`, 'must provide at least 1 item');
        if (elements.length > ACTIONS_ELEMENT_LIMIT)
          this.add(`${pointer}/elements`, `no more than ${ACTIONS_ELEMENT_LIMIT} items allowed`);
        const actionIds = new Set<string>();
        elements.forEach((element, i) => {
          this.element(element, `${pointer}/elements/${i}`);
          const id = isObj(element) ? element.action_id : undefined;
          if (typeof id === 'string') {
            if (actionIds.has(id))
              this.add(`${pointer}/elements/${i}/action_id`, 'duplicate action_id');
            actionIds.add(id);
          }
        });
        break;
      }
      case 'context': {
        const elements = Array.isArray(value.elements) ? value.elements : [];
        if (elements.length === 0) this.add(`${pointer}/elements`, 'must provide at least 1 item');
        if (elements.length > CONTEXT_ELEMENT_LIMIT)
          this.add(`${pointer}/elements`, `no more than ${CONTEXT_ELEMENT_LIMIT} items allowed`);
        break;
      }
      case 'input':
        this.text(value.label, `${pointer}/label`, 2000, true);
        this.element(value.element, `${pointer}/element`);
        if (value.hint !== undefined) this.text(value.hint, `${pointer}/hint`, 2000, true);
        break;
      case 'image':
        this.maxLength(value.image_url, `${pointer}/image_url`, 3000);
        this.maxLength(value.alt_text, `${pointer}/alt_text`, 2000);
        break;
      case 'markdown':
        this.maxLength(value.text, `${pointer}/text`, 12000);
        break;
      default:
        break;
    }
  }

  blocks(value: unknown, pointer: string, max: number): void {
    if (!Array.isArray(value)) {
      this.add(pointer, 'must provide an array');
      return;
    }
    if (value.length > max) this.add(pointer, `no more than ${max} items allowed`);
    const blockIds = new Set<string>();
    value.forEach((block, i) => {
      this.block(block, `${pointer}/${i}`, blockIds);
    });
  }
}

/** Problems with a message's `blocks` (at most 50 blocks). */
export function checkMessageBlocks(blocks: unknown): BlockProblem[] {
  const checker = new Checker();
  checker.blocks(blocks, '/blocks', MESSAGE_BLOCK_LIMIT);
  return checker.problems;
}

/** Problems with a modal view for `views.open` / `views.update` / `views.push`. */
export function checkModalView(view: unknown): BlockProblem[] {
  const checker = new Checker();
  if (!isObj(view)) {
    checker.add('/view', 'must provide an object');
    return checker.problems;
  }
  if (view.type !== 'modal') checker.add('/view/type', 'must be "modal"');
  checker.text(view.title, '/view/title', 24, true);
  if (view.submit !== undefined) checker.text(view.submit, '/view/submit', 24, true);
  if (view.close !== undefined) checker.text(view.close, '/view/close', 24, true);
  checker.maxLength(view.private_metadata, '/view/private_metadata', 3000);
  checker.maxLength(view.callback_id, '/view/callback_id', 255);
  checker.maxLength(view.external_id, '/view/external_id', 255);
  checker.blocks(view.blocks, '/view/blocks', MODAL_BLOCK_LIMIT);
  const hasInput =
    Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
  if (hasInput && view.submit === undefined) {
    checker.add('/view/submit', 'submit is required when an input block is within the blocks');
  }
  return checker.problems;
}

/** Slack's `response_metadata.messages` lines for the problems. */
export function problemMessages(problems: BlockProblem[]): string[] {
  return problems.map((p) => `[ERROR] ${p.message} [json-pointer:${p.pointer}]`);
}

/**
 * Problems with a view_submission's `response_action: errors` answer. Its keys
 * name the view's input blocks by `block_id` ("the key is the block_id of the
 * erroneous input block", docs.slack.dev/surfaces/modals, Displaying errors);
 * any other key and Slack shows none of the errors, only "We had some trouble
 * connecting. Try again?" above the modal (slackapi/bolt-js issue 554,
 * slack-go/slack issue 1013, slackapi/bolt-python issue 922).
 */
export function checkViewErrors(view: unknown, errors: unknown): BlockProblem[] {
  const checker = new Checker();
  if (!isObj(errors) || Object.keys(errors).length === 0) {
    checker.add('/errors', 'must provide an object with at least one error');
    return checker.problems;
  }
  const blocks = isObj(view) && Array.isArray(view.blocks) ? view.blocks : [];
  const inputs = new Set(
    blocks
      .filter((b): b is Obj => isObj(b) && b.type === 'input' && typeof b.block_id === 'string')
      .map((b) => b.block_id as string),
  );
  for (const [key, message] of Object.entries(errors)) {
    if (!inputs.has(key)) checker.add(`/errors/${key}`, 'must name the block_id of an input block');
    if (typeof message !== 'string' || message.length === 0) {
      checker.add(`/errors/${key}`, 'must provide a string');
    }
  }
  return checker.problems;
}
