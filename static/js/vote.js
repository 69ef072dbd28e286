// The phone page: vote over the live socket, show "counted" only after the server's ack, follow
// the moderator. Without an open socket the form posts as plain HTML (the server answers with 303).
import { connect } from './live.js';
import {
  announce, connectionBadge, format, pageData, setLengthClass, setText, updateBars, votesText,
} from './ui.js';

const data = pageData();
const common = data.common || {};
const strings = data.strings || {};
const labels = common.labels || {};

const root = document.querySelector('.vote');
const form = root.querySelector('[data-vote-form]');
const statementField = form.querySelector('[data-statement-field]');
const voteIdField = form.querySelector('[data-vote-id-field]');
const buttons = [...form.querySelectorAll('button[name="choice"]')];
const text = root.querySelector('[data-statement-text]');
const position = root.querySelector('[data-position]');
const status = root.querySelector('[data-status]');
const results = root.querySelector('[data-results]');
const bars = results.querySelector('[data-bars]');
const total = results.querySelector('[data-total]');
const announcer = root.querySelector('[data-announce]');
let message = root.querySelector('[data-message]');

let current = data.statement || null;
let count = data.count || 0;
let phase = data.phase || 'waiting';
let revealed = !!data.revealed;
// Statement id (as a string, like the keys of welcome.votes) -> this phone's counted choice.
const counted = new Map();
if (current && data.my_choice) counted.set(String(current.id), data.my_choice);
// The vote sent and not yet acknowledged (the latest one wins): {id, statement, choice}.
let pending = null;
let socket = null;

function newVoteId() {
  return `v-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
}

function showMessage(textToShow) {
  if (!textToShow) {
    if (message) message.hidden = true;
    return;
  }
  if (!message) {
    message = document.createElement('p');
    message.className = 'notice notice--error';
    message.setAttribute('role', 'alert');
    message.dataset.message = '';
    status.before(message);
  }
  message.textContent = textToShow;
  message.hidden = false;
}

function render() {
  const isOpen = !!current && phase === 'open';
  const key = current ? String(current.id) : null;
  const mine = key ? counted.get(key) : undefined;
  const sending = pending && current && pending.statement === current.id ? pending : null;

  let line;
  if (!current) line = strings.no_statement;
  else if (phase === 'open') {
    if (sending) line = format(strings.sending, { choice: labels[sending.choice] });
    else if (mine) line = format(strings.counted, { choice: labels[mine] });
    else line = strings.choose;
  } else if (phase === 'closed') {
    line = mine ? format(strings.closed_voted, { choice: labels[mine] }) : common.phase_closed;
  } else line = common.phase_waiting;
  setText(status, line);
  status.classList.toggle('is-counted', isOpen && !sending && !!mine);
  status.classList.toggle('is-sending', isOpen && !!sending);

  const shown = sending ? sending.choice : mine;
  for (const button of buttons) {
    button.disabled = !isOpen;
    button.setAttribute('aria-pressed', String(button.value === shown));
    button.classList.toggle('is-sending', !!sending && button.value === sending.choice);
  }
  root.dataset.phase = phase;
  root.dataset.voted = String(!!mine);
  statementField.value = current ? String(current.id) : '';
}

function applyState(state) {
  const next = state.statement || null;
  const changed = (next ? next.id : null) !== (current ? current.id : null);
  const textChanged = changed || (next && current && next.text !== current.text);
  current = next;
  count = state.count ?? count;
  phase = state.phase || phase;
  revealed = !!state.revealed && !!current;

  if (changed) {
    showMessage('');
    if (pending && (!current || pending.statement !== current.id)) pending = null;
  }
  if (textChanged) {
    setText(text, current ? current.text : strings.no_statement_text);
    setLengthClass(text, current ? current.text : '');
    text.classList.toggle('is-empty', !current);
  }
  setText(position, current ? format(common.position, { position: current.position, count }) : '');
  if (changed && current) {
    announce(announcer, format(common.new_statement, {
      position: current.position, count, text: current.text,
    }));
    // The buttons stay where they are; only bring the new text's first line into view.
    if (text.getBoundingClientRect().top < 0) text.scrollIntoView({ block: 'start' });
  }

  if (revealed && state.results) {
    updateBars(bars, state.results, common);
    setText(total, votesText(common, state.results.total || 0));
    results.hidden = false;
  } else {
    results.hidden = true;
  }
  root.dataset.revealed = String(revealed);

  // After a reconnect: a vote still waiting for its ack is either counted already (welcome told
  // us) or sent again with the same id, which the server stores only once.
  if (pending && current && pending.statement === current.id) {
    if (counted.get(String(current.id)) === pending.choice) pending = null;
    else if (phase === 'open') socket.send({ type: 'vote', ...pending });
    else pending = null;
  }
  render();
}

function onMessage(frame) {
  switch (frame.type) {
    case 'welcome':
      counted.clear();
      for (const [statement, choice] of Object.entries(frame.votes || {})) counted.set(statement, choice);
      render();
      break;
    case 'state':
      applyState(frame);
      break;
    case 'ack': {
      counted.set(String(frame.statement), frame.choice);
      if (pending && pending.id === frame.id) {
        pending = null;
        showMessage('');
        if (current && frame.statement === current.id) announce(announcer, strings.announce_counted);
      }
      render();
      break;
    }
    case 'error':
      if (!frame.id || (pending && pending.id === frame.id)) {
        if (pending && pending.id === frame.id) pending = null;
        // The server's message is already in the debate's language.
        showMessage(frame.message || strings.vote_failed);
        render();
      }
      break;
    default:
      break;
  }
}

form.addEventListener('submit', (event) => {
  const button = event.submitter;
  if (!button || button.name !== 'choice') return;
  if (!current || phase !== 'open') {
    event.preventDefault();
    return;
  }
  const vote = { id: newVoteId(), statement: current.id, choice: button.value };
  if (!socket.send({ type: 'vote', ...vote })) {
    // No live socket: let the browser post the form; the server answers with the page.
    voteIdField.value = vote.id;
    statementField.value = String(current.id);
    return;
  }
  event.preventDefault();
  pending = vote;
  showMessage('');
  render();
});

socket = connect(data.ws_path, {
  onMessage,
  onStatus: connectionBadge(root.querySelector('[data-connection]'), common),
});
render();
