// The phone page: vote over the live socket, show "counted" only after the server's ack, follow
// the moderator. A vote not yet acknowledged is kept in localStorage, so it survives a sleeping
// phone, a lost connection and a reload, and is sent again (same id: stored once) until the server
// confirms it. Without a socket the vote goes as a background form POST; without JavaScript the
// form posts as plain HTML (the server answers with 303).
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
let admitted = !data.needs_code; // false while this phone still has to type the room code
const PENDING_KEY = `debate-poll:pending:${data.ws_path}`;

function setPending(vote) {
  pending = vote;
  try {
    if (vote) localStorage.setItem(PENDING_KEY, JSON.stringify(vote));
    else localStorage.removeItem(PENDING_KEY);
  } catch { /* storage off (private mode): the vote still lives in this page */ }
}

function restorePending() {
  try {
    const saved = JSON.parse(localStorage.getItem(PENDING_KEY) || 'null');
    if (saved && typeof saved.id === 'string' && typeof saved.statement === 'number'
        && typeof saved.choice === 'string') pending = saved;
  } catch { /* unreadable: nothing to resend */ }
}

// The live socket is down (or blocked by a network): send the same vote as a form POST in the
// background. Offline, it stays pending and goes out when the connection is back.
async function sendByPost(vote) {
  const body = new URLSearchParams(new FormData(form));
  body.set('statement', String(vote.statement));
  body.set('choice', vote.choice);
  body.set('vote_id', vote.id);
  let response;
  try {
    response = await fetch(form.getAttribute('action'), {
      method: 'POST', body, headers: { Accept: 'application/json' }, credentials: 'same-origin',
    });
  } catch {
    return; // offline: retried on reconnect or when the browser is back online
  }
  let reply = null;
  try { reply = await response.json(); } catch { reply = null; }
  if (response.ok && reply && reply.type === 'ack') onMessage(reply);
  else if (reply && reply.message) onMessage({ type: 'error', id: vote.id, message: reply.message });
}

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
    if (pending && (!current || pending.statement !== current.id)) setPending(null);
  }
  if (textChanged) {
    setText(text, current ? current.text : strings.no_statement_text);
    setLengthClass(text, current ? current.text : '');
    text.classList.toggle('is-empty', !current);
    // a statement is in the debate's language, the "will start soon" text in the page's
    if (data.statement_lang && current) text.lang = data.statement_lang;
    else text.removeAttribute('lang');
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
    if (counted.get(String(current.id)) === pending.choice) setPending(null);
    else if (phase === 'open') socket.send({ type: 'vote', ...pending });
    else setPending(null);
  }
  render();
}

function onMessage(frame) {
  switch (frame.type) {
    case 'welcome':
      admitted = frame.admitted !== false;
      counted.clear();
      for (const [statement, choice] of Object.entries(frame.votes || {})) counted.set(statement, choice);
      render();
      break;
    case 'state':
      // The moderator started asking for the room code: the server renders the code form.
      if (frame.room_check && !admitted && !data.needs_code) location.reload();
      applyState(frame);
      break;
    case 'ack': {
      counted.set(String(frame.statement), frame.choice);
      if (pending && pending.id === frame.id) {
        setPending(null);
        showMessage('');
        if (current && frame.statement === current.id) announce(announcer, strings.announce_counted);
      }
      render();
      break;
    }
    case 'error':
      if (frame.code === 'not_admitted' && !data.needs_code) location.reload();
      if (!frame.id || (pending && pending.id === frame.id)) {
        if (pending && pending.id === frame.id) setPending(null);
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
  event.preventDefault();
  const vote = { id: newVoteId(), statement: current.id, choice: button.value };
  setPending(vote);
  showMessage('');
  render();
  if (!socket.send({ type: 'vote', ...vote })) sendByPost(vote);
});

restorePending();
window.addEventListener('online', () => { if (pending && !socket.isOpen) sendByPost(pending); });
socket = connect(data.ws_path, {
  onMessage,
  onStatus: connectionBadge(root.querySelector('[data-connection]'), common),
});
render();
