// The sandbox page: a Slack channel drawn from the Slack stand-in's state, live over
// server-sent events. What the user does goes to the server, which sends the bot what Slack would.
import { mrkdwn, renderBlocks } from './blocks.js';

const $ = (id) => document.getElementById(id);
const ui = {
  state: undefined,
  clock: undefined,
  me: localStorage.getItem('sandbox-user') ?? 'U_ALICE',
  // The first project's own channel: there `/review-app 1` needs no project named.
  channel: localStorage.getItem('sandbox-channel') ?? 'C0SHOP',
  thread: undefined,
  modalId: undefined,
  /** Closes the open modal (its Cancel), for Escape. */
  dismissModal: undefined,
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function toast(message) {
  const node = $('toast');
  node.textContent = message;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    node.hidden = true;
  }, 4000);
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: ui.me, ...body }),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    toast(answer.error ?? `The sandbox answered ${response.status}`);
    throw new Error(answer.error);
  }
  return answer;
}

const names = () => ({
  users: Object.fromEntries([
    ...(ui.state?.users ?? []).map((u) => [u.id, u.name]),
    [ui.state?.botUserId, 'Review App'],
  ]),
  channels: Object.fromEntries((ui.state?.channels ?? []).map((c) => [c.id, c.name])),
});

const byTs = (a, b) => Number(a.ts) - Number(b.ts);
const isReply = (m) => m.thread_ts && m.thread_ts !== m.ts;
/** Message timestamps are Slack's (real time); shown on the sandbox clock, like every other time. */
const timeOf = (ts) => {
  const real = Number(ts) * 1000;
  const at = ui.clock ? ui.clock.at + (real - ui.clock.realAt) * ui.clock.speed : real;
  return new Date(at).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
};

function messageNode(message, options = {}) {
  const node = el('article', `message${message.ephemeral ? ' ephemeral' : ''}`);
  node.dataset.ts = message.ts;
  node.append(el('div', 'avatar', 'RA'));
  const body = el('div', 'body');
  if (message.ephemeral) body.append(el('div', 'only-you', '👁 Only visible to you'));
  const head = el('div', 'head');
  head.append(
    el('span', 'who', 'Review App'),
    el('span', 'app-badge', 'APP'),
    el('span', 'when', timeOf(message.ts)),
  );
  body.append(head);
  if (options.broadcast) {
    const note = el('div', 'broadcast-note', 'replied to a thread: ');
    const open = el('button', '', 'View thread');
    open.type = 'button';
    open.addEventListener('click', () => openThread(message.thread_ts));
    note.append(open);
    body.append(note);
  }
  const onAction = (element) => click(message, element);
  if (message.blocks?.length) body.append(renderBlocks(message.blocks, names(), onAction));
  else body.append(mrkdwn(message.text, el('div', 'text'), names()));
  if (options.replies) {
    const replies = el(
      'button',
      'replies',
      `${options.replies} ${options.replies === 1 ? 'reply' : 'replies'}`,
    );
    replies.type = 'button';
    replies.addEventListener('click', () => openThread(message.ts));
    body.append(replies);
  }
  node.append(body);
  return node;
}

function click(message, element) {
  post('/api/action', {
    channel: message.channel,
    ts: message.ts,
    ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
    actionId: element.action_id,
    ...(element.value !== undefined ? { value: element.value } : {}),
    ephemeral: Boolean(message.ephemeral),
  }).catch(() => {});
}

function mine() {
  return (ui.state?.ephemerals ?? [])
    .filter((e) => e.user === ui.me && e.channel === ui.channel)
    .map((e) => ({ ...e, ephemeral: true }));
}

function fill(container, nodes, emptyText) {
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 40;
  container.replaceChildren(...(nodes.length ? nodes : [el('div', 'empty', emptyText)]));
  if (atBottom) container.scrollTop = container.scrollHeight;
}

function renderChannel() {
  const { state } = ui;
  const channel = state.channels.find((c) => c.id === ui.channel) ?? state.channels[0];
  $('channel-name').textContent = `#${channel.name}`;
  $('channel-note').textContent = channel.allowed
    ? ''
    : 'The bot is not allowed here (ALLOWED_CHANNEL_IDS)';
  const messages = state.messages.filter((m) => m.channel === ui.channel);
  const shown = [
    ...messages.filter((m) => !isReply(m) || m.reply_broadcast),
    ...mine().filter((e) => !e.thread_ts),
  ].sort(byTs);
  const replyCount = (ts) => messages.filter((m) => m.thread_ts === ts && m.ts !== ts).length;
  fill(
    $('messages'),
    shown.map((m) =>
      messageNode(
        m,
        isReply(m) ? { broadcast: true } : { replies: m.ephemeral ? 0 : replyCount(m.ts) },
      ),
    ),
    'Nothing here yet. Type /review-app 1 below to launch a review app, or /review-app help.',
  );
}

function renderThread() {
  const panel = $('thread');
  panel.hidden = !ui.thread;
  if (!ui.thread) return;
  const all = ui.state.messages.filter((m) => m.channel === ui.channel);
  const parent = all.find((m) => m.ts === ui.thread);
  const replies = [
    ...all.filter((m) => m.thread_ts === ui.thread && m.ts !== ui.thread),
    ...mine().filter((e) => e.thread_ts === ui.thread),
  ].sort(byTs);
  fill(
    $('thread-messages'),
    [parent, ...replies].filter(Boolean).map((m) => messageNode(m)),
    'No replies.',
  );
}

function openThread(ts) {
  ui.thread = ts;
  renderThread();
}

function renderSidebar() {
  const { state } = ui;
  const select = $('user');
  if (select.options.length !== state.users.length) {
    select.replaceChildren(
      ...state.users.map((u) => {
        const option = el('option', '', `${u.name}${u.allowed ? '' : ' — not allowed'}`);
        option.value = u.id;
        return option;
      }),
    );
  }
  select.value = ui.me;
  $('channels').replaceChildren(
    ...state.channels.map((c) => {
      const button = el(
        'button',
        c.id === ui.channel ? 'channel-link active' : 'channel-link',
        `# ${c.name}`,
      );
      button.type = 'button';
      if (!c.allowed) button.append(el('span', 'note', ' (bot not allowed)'));
      button.addEventListener('click', () => {
        ui.channel = c.id;
        ui.thread = undefined;
        localStorage.setItem('sandbox-channel', c.id);
        render();
      });
      return button;
    }),
  );
  const status = $('bot-status');
  status.className = `status${state.connected ? ' connected' : ''}`;
  status.textContent = state.connected ? 'Bot connected' : 'Bot not connected';
}

function worldButton(label, change, enabled = true) {
  const button = el('button', '', label);
  button.type = 'button';
  button.disabled = !enabled;
  button.addEventListener('click', () =>
    post('/api/world', change).then(
      (answer) => answer.notice && toast(answer.notice),
      () => {},
    ),
  );
  return button;
}

/** The projects the bot serves, each with what belongs to it; one heading each when there are several. */
function byProject(items, render, emptyText) {
  const projects = ui.state.projects ?? [];
  if (projects.length < 2) {
    return items.length ? items.map(render) : [el('div', 'facts', emptyText)];
  }
  return projects.map((project) => {
    const section = el('section', 'project');
    section.dataset.project = project.path;
    section.setAttribute('aria-label', project.path);
    const head = el('h4', '', project.path);
    head.append(el('span', 'channels', project.channels.map((c) => ` #${c}`).join('')));
    const own = items.filter((item) => item.project === project.path);
    section.append(head, ...(own.length ? own.map(render) : [el('div', 'facts', emptyText)]));
    return section;
  });
}

function renderWorld() {
  const { state } = ui;
  const mergeRequestCard = (mr) => {
    const card = el('div', 'card');
    card.dataset.mr = String(mr.iid);
    card.dataset.project = mr.project;
    const open = mr.state === 'opened';
    const title = el('div', 'title', `!${mr.iid} ${mr.title} `);
    title.append(el('span', `pill ${mr.state}`, mr.state));
    const facts = el('div', 'facts', `${mr.branch} @ ${mr.sha.slice(0, 8)} · pipeline `);
    facts.append(
      el('span', `pill ${mr.pipeline}`, mr.pipeline),
      ` · ${mr.image ? 'image pushed' : 'no image'}`,
    );
    const row = el('div', 'row');
    const running = mr.pipeline === 'running';
    const change = (action) => ({ action, iid: mr.iid, project: mr.project });
    row.append(
      worldButton('Push a commit', change('push'), open),
      worldButton('Finish pipeline', change('finish-pipeline'), running),
      worldButton('Fail pipeline', change('fail-pipeline'), running),
      worldButton('Merge', change('merge'), open),
      worldButton('Close', change('close'), open),
    );
    card.append(title, facts, row);
    return card;
  };
  $('mrs').replaceChildren(
    ...byProject(state.mergeRequests, mergeRequestCard, 'No open merge requests.'),
  );
  const taskCard = (task) => {
    const card = el('div', 'card');
    card.dataset.project = task.project;
    const mr = task.tags['review-app:mr'];
    const title = el('div', 'title', `${mr ? `!${mr} · ` : ''}${task.id.slice(0, 8)} `);
    title.append(el('span', `pill ${task.lastStatus}`, task.lastStatus));
    const facts = el(
      'div',
      'facts',
      [task.image.split(':').pop()?.slice(0, 12), task.publicIp, task.stoppedReason]
        .filter(Boolean)
        .join(' · '),
    );
    // A task being stopped still has running containers, but it no longer runs the app.
    const running = task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING';
    if (task.desiredStatus === 'STOPPED' && task.lastStatus !== 'STOPPED') {
      title.append(' ', el('span', 'desired', '→ STOPPED'));
    }
    const row = el('div', 'row');
    row.append(worldButton('Crash (out of memory)', { action: 'crash', arn: task.arn }, running));
    card.append(title, facts, row);
    return card;
  };
  $('tasks').replaceChildren(...byProject([...state.tasks].reverse(), taskCard, 'No tasks yet.'));
}

function renderModal() {
  const backdrop = $('modal');
  const view = [...(ui.state.views ?? [])].reverse().find((v) => v.user === ui.me);
  if (!view) {
    backdrop.hidden = true;
    backdrop.replaceChildren();
    ui.modalId = undefined;
    ui.dismissModal = undefined;
    return;
  }
  if (ui.modalId === view.id) return;
  ui.modalId = view.id;
  const modal = el('form', 'modal');
  modal.setAttribute('role', 'dialog');
  modal.setAttribute('aria-label', view.title?.text ?? 'Modal');
  const head = el('div', 'modal-head');
  const close = el('button', 'icon', '×');
  close.type = 'button';
  close.setAttribute('aria-label', 'Close');
  head.append(el('h2', '', view.title?.text ?? ''), close);
  const body = el('div', 'modal-body');
  const selected = {};
  const errors = {};
  for (const block of view.blocks ?? []) {
    if (block.type !== 'input') {
      body.append(renderBlocks([block], names(), () => {}));
      continue;
    }
    const field = el('div', 'input');
    field.append(el('label', 'input-label', block.label?.text ?? ''));
    if (block.element?.type === 'external_select') field.append(picker(view, block, selected));
    if (block.hint) field.append(el('div', 'hint', block.hint.text));
    errors[block.block_id] = el('div', 'error');
    field.append(errors[block.block_id]);
    body.append(field);
  }
  const foot = el('div', 'modal-foot');
  const cancel = el('button', 'btn', view.close?.text ?? 'Cancel');
  cancel.type = 'button';
  const submit = el('button', 'btn primary', view.submit?.text ?? 'Submit');
  submit.type = 'submit';
  foot.append(cancel, submit);
  const dismiss = () => post('/api/close-view', { viewId: view.id }).catch(() => {});
  close.addEventListener('click', dismiss);
  cancel.addEventListener('click', dismiss);
  ui.dismissModal = dismiss;
  modal.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const node of Object.values(errors)) node.textContent = '';
    const answer = await post('/api/submit', { viewId: view.id, values: selected }).catch(
      () => undefined,
    );
    if (answer?.response_action === 'errors') {
      for (const [blockId, message] of Object.entries(answer.errors ?? {})) {
        if (errors[blockId]) errors[blockId].textContent = message;
      }
    }
  });
  modal.append(head, body, foot);
  backdrop.replaceChildren(modal);
  backdrop.hidden = false;
  // The focus moves into the modal, as in Slack, without opening the menu of options.
  modal.tabIndex = -1;
  modal.focus();
}

/**
 * An external_select: options come from the bot (block_suggestion) as the user types. As in
 * Slack's menus, the first option is highlighted, arrow keys move the highlight, Enter picks it
 * and Escape closes the menu.
 */
function picker(view, block, selected) {
  const { element } = block;
  const wrap = el('div', 'picker');
  const input = el('input');
  const listId = `options-${block.block_id}`;
  input.placeholder = element.placeholder?.text ?? 'Search';
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-label', block.label?.text ?? 'Search');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', listId);
  input.setAttribute('aria-expanded', 'false');
  const list = el('ul', 'options');
  list.id = listId;
  list.setAttribute('role', 'listbox');
  list.hidden = true;
  let shown = [];
  let active = -1;
  const highlight = (index) => {
    active = index;
    shown.forEach(({ item }, i) => {
      item.classList.toggle('active', i === index);
      item.setAttribute('aria-selected', String(i === index));
    });
    const current = shown[index]?.item;
    if (current) {
      input.setAttribute('aria-activedescendant', current.id);
      current.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  let asked = 0;
  let timer;
  const close = () => {
    // Options still on their way must not open the menu again.
    asked += 1;
    clearTimeout(timer);
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    highlight(-1);
  };
  const pick = (option) => {
    selected[block.block_id] = {
      [element.action_id]: { type: 'external_select', selected_option: option },
    };
    input.value = option.text?.text ?? option.value;
    close();
  };
  const load = async () => {
    const mine = ++asked;
    const answer = await post('/api/options', {
      viewId: view.id,
      actionId: element.action_id,
      blockId: block.block_id,
      value: input.value,
    }).catch(() => ({ options: [] }));
    if (mine !== asked || document.activeElement !== input) return;
    const options = answer.options ?? (answer.option_groups ?? []).flatMap((g) => g.options);
    shown = options.map((option, index) => {
      const item = el('li', '', option.text?.text ?? option.value);
      item.id = `${listId}-${index}`;
      item.setAttribute('role', 'option');
      item.addEventListener('mousedown', (event) => {
        event.preventDefault();
        pick(option);
      });
      item.addEventListener('mousemove', () => highlight(index));
      return { option, item };
    });
    list.replaceChildren(
      ...(shown.length ? shown.map((s) => s.item) : [el('li', 'none', 'No matches')]),
    );
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    highlight(shown.length ? 0 : -1);
  };
  input.addEventListener('focus', load);
  input.addEventListener('input', () => {
    delete selected[block.block_id];
    clearTimeout(timer);
    timer = setTimeout(load, 150);
  });
  input.addEventListener('keydown', (event) => {
    const open = !list.hidden;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!open) load();
      else if (shown.length) {
        const step = event.key === 'ArrowDown' ? 1 : -1;
        highlight(Math.min(shown.length - 1, Math.max(0, active + step)));
      }
    } else if (event.key === 'Enter' && open && shown[active]) {
      // Picks the option instead of submitting the form, as Enter does in Slack's menus.
      event.preventDefault();
      pick(shown[active].option);
    } else if (event.key === 'Escape' && open) {
      // The first Escape closes the menu; the modal hears only the next one.
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  input.addEventListener('blur', close);
  wrap.append(input, list);
  return wrap;
}

function renderClock() {
  if (!ui.clock) return;
  const { speed, at, realAt } = ui.clock;
  const now = new Date(at + (Date.now() - realAt) * speed);
  const time = now.toLocaleTimeString([], {
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
  });
  $('clock').textContent =
    speed === 1 ? `Sandbox time ${time}` : `Sandbox time ${time} (${speed}× speed)`;
}

function render() {
  if (!ui.state) return;
  // A channel remembered from an older sandbox that no longer has it: the first one instead.
  if (!ui.state.channels.some((c) => c.id === ui.channel)) ui.channel = ui.state.channels[0]?.id;
  renderSidebar();
  renderChannel();
  renderThread();
  renderWorld();
  renderModal();
}

$('user').addEventListener('change', (event) => {
  ui.me = event.target.value;
  localStorage.setItem('sandbox-user', ui.me);
  ui.modalId = undefined;
  render();
});
// Escape closes the modal wherever the focus is, as in Slack; an open menu takes the first one.
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !event.defaultPrevented) ui.dismissModal?.();
});
$('thread-close').addEventListener('click', () => openThread(undefined));
$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('composer-input');
  const text = input.value.trim();
  if (!text) return;
  if (!text.startsWith('/review-app')) {
    toast('The sandbox knows one command: /review-app (try /review-app help).');
    return;
  }
  post('/api/command', { channel: ui.channel, text }).then(
    () => {
      input.value = '';
    },
    () => {},
  );
});
for (const button of document.querySelectorAll('[data-world]')) {
  // Trouble takes effect on the bot's next move: say that it took.
  button.addEventListener('click', () =>
    post('/api/world', { action: button.dataset.world }).then(
      (answer) => answer.notice && toast(answer.notice),
      () => {},
    ),
  );
}

const events = new EventSource('/events');
events.addEventListener('state', (event) => {
  ui.state = JSON.parse(event.data);
  render();
});
events.addEventListener('clock', (event) => {
  ui.clock = JSON.parse(event.data);
  renderClock();
});
events.addEventListener('error', () => {
  const status = $('bot-status');
  status.className = 'status offline';
  status.textContent = 'Sandbox stopped (reconnecting…)';
});
setInterval(renderClock, 1000);
