// Block Kit and mrkdwn as Slack draws them, for what the bot really posted.
// Plain DOM: every piece of text goes in through textContent, never as HTML.

// Every shortcode the bot posts (src/slack/messages); one missing shows as `:name:` on the page.
const EMOJI = {
  alarm_clock: '⏰',
  arrows_counterclockwise: '🔄',
  black_square_for_stop: '⏹️',
  construction: '🚧',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  large_green_circle: '🟢',
  mag: '🔍',
  no_entry: '⛔',
  package: '📦',
  question: '❓',
  warning: '⚠️',
  x: '❌',
  white_check_mark: '✅',
  rocket: '🚀',
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const unescapeMrkdwn = (text) =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** `<!date^EPOCH^{token}|fallback>` in the reader's own time zone, as Slack shows it. */
export function formatDate(seconds, format) {
  const date = new Date(seconds * 1000);
  const time = date.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
  const dateShort = date.toLocaleDateString(undefined, {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  });
  return format
    .replace('{time}', time)
    .replace(
      '{time_secs}',
      date.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit', second: '2-digit' }),
    )
    .replace('{date_short_pretty}', dateShort)
    .replace('{date_short}', dateShort)
    .replace('{date_num}', date.toISOString().slice(0, 10))
    .replace(
      '{date}',
      date.toLocaleDateString(undefined, { month: 'long', day: 'numeric', year: 'numeric' }),
    );
}

/** One `<...>` token: a link, a mention or a date. */
function angle(inner, names) {
  if (inner.startsWith('@')) {
    const id = inner.slice(1).split('|')[0];
    return el('span', 'mention', `@${names.users[id] ?? id}`);
  }
  if (inner.startsWith('#')) {
    const [id, label] = inner.slice(1).split('|');
    return el('span', 'mention', `#${label ?? names.channels[id] ?? id}`);
  }
  if (inner.startsWith('!date^')) {
    const [spec, fallback] = inner.split('|');
    const [, seconds, format] = spec.split('^');
    const shown = Number.isFinite(Number(seconds))
      ? formatDate(Number(seconds), format ?? '')
      : fallback;
    const node = el('time', 'date', unescapeMrkdwn(shown ?? ''));
    node.dateTime = new Date(Number(seconds) * 1000).toISOString();
    return node;
  }
  if (inner.startsWith('!')) return el('span', 'mention', `@${inner.slice(1).split('|')[0]}`);
  const [url, label] = inner.split('|');
  const link = el('a', 'link', unescapeMrkdwn(label ?? url));
  if (/^https?:\/\//.test(url)) link.href = url;
  link.target = '_blank';
  link.rel = 'noopener';
  return link;
}

/** Inline styles: *bold*, _italic_, ~strike~, `code`, :emoji:. */
function inline(text, parent) {
  const pattern = /(`[^`\n]+`)|(\*[^*\n]+\*)|(_[^_\n]+_)|(~[^~\n]+~)|(:[a-z0-9_+-]+:)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parent.append(unescapeMrkdwn(text.slice(last, match.index)));
    const token = match[0];
    const body = token.slice(1, -1);
    if (match[1]) parent.append(el('code', '', unescapeMrkdwn(body)));
    else if (match[2]) parent.append(styled('b', body));
    else if (match[3]) parent.append(styled('i', body));
    else if (match[4]) parent.append(styled('s', body));
    else parent.append(EMOJI[body] ?? token);
    last = match.index + token.length;
  }
  if (last < text.length) parent.append(unescapeMrkdwn(text.slice(last)));
}

function styled(tag, body) {
  const node = el(tag);
  inline(body, node);
  return node;
}

/**
 * mrkdwn into `parent`: ```fenced``` text as a preformatted block, as Slack draws it; elsewhere
 * angle tokens first (they may hold `*` or `_`), then inline styles per line.
 */
export function mrkdwn(text, parent, names) {
  const parts = String(text ?? '').split(/```([\s\S]*?)```/);
  parts.forEach((part, index) => {
    if (index % 2 === 1) parent.append(el('pre', 'preformatted', unescapeMrkdwn(part)));
    else if (part) mrkdwnLines(part, parent, names);
  });
  return parent;
}

function mrkdwnLines(text, parent, names) {
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (index > 0) parent.append(el('br'));
    const quote = line.startsWith('&gt; ') || line.startsWith('> ');
    const target = quote ? el('span', 'quote') : parent;
    const body = quote ? line.replace(/^(&gt;|>) /, '') : line;
    let last = 0;
    for (const match of body.matchAll(/<([^<>]+)>/g)) {
      inline(body.slice(last, match.index), target);
      target.append(angle(match[1], names));
      last = match.index + match[0].length;
    }
    inline(body.slice(last), target);
    if (quote) parent.append(target);
  });
}

function textObject(object, names, className) {
  const node = el('div', className);
  if (!object) return node;
  if (object.type === 'mrkdwn') mrkdwn(object.text, node, names);
  else {
    const plain =
      object.emoji === false
        ? object.text
        : String(object.text ?? '').replace(/:([a-z0-9_+-]+):/g, (t, n) => EMOJI[n] ?? t);
    node.textContent = plain;
  }
  return node;
}

/** A button: link buttons open their URL (and still tell the app, as Slack does). */
function button(element, onAction) {
  const node = el(
    'button',
    `btn ${element.style ?? ''}`.trim(),
    element.text?.text ?? element.action_id,
  );
  node.type = 'button';
  node.dataset.actionId = element.action_id ?? '';
  node.addEventListener('click', () => {
    if (element.url) window.open(element.url, '_blank', 'noopener');
    onAction(element);
  });
  return node;
}

function element(item, names, onAction) {
  if (item.type === 'button') return button(item, onAction);
  if (item.type === 'image') {
    const img = el('img', 'ctx-img');
    img.src = item.image_url;
    img.alt = item.alt_text ?? '';
    return img;
  }
  return textObject(item, names, 'ctx-text');
}

/** Renders message blocks; `onAction(element)` is called for a click. */
export function renderBlocks(blocks, names, onAction) {
  const root = el('div', 'blocks');
  for (const block of blocks ?? []) {
    switch (block.type) {
      case 'section': {
        const node = el('div', 'section');
        const body = el('div', 'section-body');
        if (block.text) body.append(textObject(block.text, names, 'section-text'));
        if (block.fields?.length) {
          const fields = el('div', 'fields');
          for (const field of block.fields) fields.append(textObject(field, names, 'field'));
          body.append(fields);
        }
        node.append(body);
        if (block.accessory) {
          const accessory = el('div', 'accessory');
          accessory.append(element(block.accessory, names, onAction));
          node.append(accessory);
        }
        root.append(node);
        break;
      }
      case 'context': {
        const node = el('div', 'context');
        for (const item of block.elements ?? []) node.append(element(item, names, onAction));
        root.append(node);
        break;
      }
      case 'divider':
        root.append(el('hr', 'divider'));
        break;
      case 'actions': {
        const node = el('div', 'actions');
        for (const item of block.elements ?? []) node.append(element(item, names, onAction));
        root.append(node);
        break;
      }
      case 'header':
        root.append(textObject(block.text, names, 'header'));
        break;
      default:
        root.append(el('div', 'unknown', `[${block.type} block]`));
    }
  }
  return root;
}
