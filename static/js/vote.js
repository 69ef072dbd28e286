// The phone page: vote over the live socket, show "counted" only after the server's ack, follow
// the moderator. A vote not yet acknowledged is kept in localStorage, so it survives a sleeping
// phone, a lost connection and a reload, and is sent again (same id: stored once) until the server
// confirms it. Without a socket the vote goes as a background form POST; without JavaScript the
// form posts as plain HTML (the server answers with 303). A vote that can no longer count (voting
// closed, or the moderator moved on, before it reached the server) is never dropped in silence:
// the phone says in words that it was not counted.
import { connect } from './live.js';
import { myPlace } from './my-place.js';
import { roomVoice } from './voice.js';
import {
  announce, connectionBadge, countdown, el, format, pageData, setLengthClass, setText, swingText, updateBars,
  votesText,
} from './ui.js';

const data = pageData();
const common = data.common || {};
const strings = data.strings || {};
const labels = common.labels || {};

const root = document.querySelector('.vote');
const form = root.querySelector('[data-vote-form]');
const statementField = form.querySelector('[data-statement-field]');
const roundField = form.querySelector('[data-round-field]');
const buttons = [...form.querySelectorAll('button[name="choice"]')];
const text = root.querySelector('[data-statement-text]');
const position = root.querySelector('[data-position]');
const status = root.querySelector('[data-status]');
const results = root.querySelector('[data-results]');
const bars = results.querySelector('[data-bars]');
const total = results.querySelector('[data-total]');
const swingLine = results.querySelector('[data-swing]');
const announcer = root.querySelector('[data-announce]');
const panel = root.querySelector('.vote__panel');
const roundPill = root.querySelector('[data-round]');
const groupPicker = root.querySelector('[data-group-picker]');
const groupForm = groupPicker.querySelector('[data-group-form]');
const groupOptions = groupPicker.querySelector('[data-group-options]');
const groupSummary = groupPicker.querySelector('[data-group-summary]');
const groupChange = groupPicker.querySelector('[data-group-change]');
const groupSkip = groupPicker.querySelector('[data-group-skip]');
const propose = root.querySelector('[data-propose]');
const proposeForm = propose.querySelector('[data-propose-form]');
const proposeError = propose.querySelector('[data-propose-error]');
const proposeThanks = root.querySelector('[data-propose-thanks]');
const timer = countdown(root.querySelector('[data-timer]'), common, (line) => announce(announcer, line));
let message = root.querySelector('[data-message]');

let current = data.statement || null;
let count = data.count || 0;
let phase = data.phase || 'waiting';
let revealed = !!data.revealed;
let round = data.round || 1;
let visibility = data.visibility || 'reveal';
// The latest result this phone may see (a state's `results`, a tally with numbers), or null.
let latest = data.results || null;
// Audience groups ({id, name}) and the one this phone picked (null: none).
let groups = null;
let myGroup = data.my_group ?? null;
let sentProposal = null; // the id of a proposal waiting for the server's answer
const SKIP_KEY = `debate-poll:group-skipped:${data.ws_path}`;
let groupSkipped = !!data.group_skipped; // the server remembers "no group" as well
// Statement id (as a string, like the keys of welcome.votes) -> this phone's counted choice.
const counted = new Map();
if (current && data.my_choice) counted.set(String(current.id), data.my_choice);
// The vote sent and not yet acknowledged (the latest one wins): {id, statement, choice, round}.
let pending = null;
// The id of the pending vote sent on the socket that is open now (that socket will answer it).
let inFlight = null;
// A vote that can no longer count but was in flight: its answer (ack or error) decides what the
// phone says. {vote, why}
let doubtful = null;
let notCountedId = null; // the vote the "not counted" message is about
let socket = null;
let admitted = !data.needs_code; // false while this phone still has to type the room code
let debateLang = data.debate_lang || data.lang;
let voice = null; // the room's voice (voice.js): reasons, +1s, the floor
let place = null; // this phone's place on the opinion map (my-place.js), while it is shown

// The statement in this page's language when it has a translation, else as typed: [text, lang].
function statementText(statement) {
  if (!statement) return ['', null];
  if (data.lang !== debateLang && statement.translation) return [statement.translation, data.lang];
  return [statement.text, debateLang];
}
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
        && typeof saved.choice === 'string') {
      pending = saved;
      if (typeof saved.round !== 'number') delete pending.round;
    }
  } catch { /* unreadable: nothing to resend */ }
}

// The live socket is down (or blocked by a network): send the same vote as a form POST in the
// background. Offline, it stays pending and goes out when the connection is back.
async function sendByPost(vote) {
  const body = new URLSearchParams(new FormData(form));
  body.set('statement', String(vote.statement));
  body.set('choice', vote.choice);
  body.set('vote_id', vote.id);
  body.set('round', String(vote.round || round)); // a vote meant for an earlier round is refused
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
  else if (reply && reply.message) {
    onMessage({ type: 'error', id: vote.id, code: reply.error, message: reply.message });
  }
}

// Send the pending vote over the live socket; false when the socket is not open.
function sendBySocket(vote) {
  if (!socket.send({ type: 'vote', id: vote.id, statement: vote.statement, choice: vote.choice,
    round: vote.round || round })) return false;
  inFlight = vote.id;
  return true;
}

function newVoteId() {
  return `v-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
}

// The message above the status line (an error, or a vote not counted); `alert`: screen readers
// hear it from the message itself (false: it is announced separately).
function showMessage(textToShow, alert = true) {
  notCountedId = null;
  if (!textToShow) {
    if (message) message.hidden = true;
    return;
  }
  if (!message) {
    message = document.createElement('p');
    message.className = 'notice notice--error';
    message.dataset.message = '';
    status.before(message);
  }
  if (alert) message.setAttribute('role', 'alert');
  else message.removeAttribute('role');
  message.textContent = textToShow;
  message.hidden = false;
}

// ---- a vote that did not count ------------------------------------------------------------------
// why: 'closed' (voting had closed), 'not_open' (voting was not open), 'moved' (the moderator moved
// on to another statement or round) before the vote reached the server.

function notCounted(vote, why) {
  const line = format(strings[`not_counted_${why}`] || strings.not_counted_closed,
    { choice: labels[vote.choice] || vote.choice });
  showMessage(line, false);
  notCountedId = vote.id;
  announce(announcer, line);
}

// The pending vote can no longer count: the stage moved on before the server acknowledged it.
function dropPending(why) {
  const vote = pending;
  setPending(null);
  if (inFlight === vote.id) {
    doubtful = { vote, why }; // the server may have counted it just before: wait for its answer
    return;
  }
  judge(vote, why);
}

// Say it was not counted, unless the server's own record (the welcome's votes) has this choice.
function judge(vote, why) {
  doubtful = null;
  if (counted.get(String(vote.statement)) === vote.choice) return;
  notCounted(vote, why);
}

function whyRefused(vote, code) {
  if (code === 'voting_closed') {
    return phase === 'waiting' && current && current.id === vote.statement ? 'not_open' : 'closed';
  }
  if (code === 'not_current') return 'moved';
  return null;
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
    else line = round > 1 ? format(strings.choose_again, { round }) : strings.choose;
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
  roundField.value = String(round);
  renderResults();
  if (voice) voice.render();
}

// Results: when the server sends numbers; under "voted" only once this phone voted (this round).
function renderResults() {
  const mine = current ? counted.get(String(current.id)) : undefined;
  const show = !!current && !!latest && !!latest.counts
    && (visibility !== 'voted' || revealed || !!mine);
  if (show) {
    updateBars(bars, latest, common);
    setText(total, votesText(common, latest.total || 0));
  }
  // a tally frame may leave the swing out; keep the last one the state frame brought
  if (latest && 'swing' in latest) {
    swingLine.hidden = !latest.swing;
    if (latest.swing) setText(swingLine, swingText(latest.swing, common));
  } else if (!latest || (latest.round || 1) < 2) swingLine.hidden = true;
  results.hidden = !show;
}

// ---- the panel under the thumb -----------------------------------------------------------------
// The answer buttons stick to the bottom of the screen only while the whole statement fits above
// them; otherwise (a long statement, the group question open, a message) they follow the page, as
// without JavaScript, and never cover the statement. Sizes change (the group question, a message,
// the screen turned), so it is measured again whenever one does.

function placePanel() {
  const end = text.getBoundingClientRect().bottom + window.scrollY; // the statement's end on the page
  root.classList.toggle('vote--sticky', end <= window.innerHeight - panel.offsetHeight);
}

// ---- audience groups --------------------------------------------------------------------------

function skipped() {
  if (groupSkipped) return true;
  try { return localStorage.getItem(SKIP_KEY) === '1'; } catch { return false; }
}

function setSkipped(value) {
  groupSkipped = value;
  try {
    if (value) localStorage.setItem(SKIP_KEY, '1'); else localStorage.removeItem(SKIP_KEY);
  } catch { /* not remembered: asked again after a reload */ }
}

function renderGroupPicker(ask) {
  const list = groups || [];
  groupPicker.hidden = list.length === 0;
  if (!list.length) return;
  const have = [...groupOptions.querySelectorAll('button')].map((b) => `${b.value}:${b.textContent}`);
  if (have.join('|') !== list.map((g) => `${g.id}:${g.name}`).join('|')) {
    groupOptions.replaceChildren(...list.map((g) => {
      const button = el('button', 'btn btn--secondary groupq__option', g.name);
      button.type = 'submit';
      button.name = 'group';
      button.value = String(g.id);
      button.dir = 'auto';
      return button;
    }));
  }
  const mine = list.find((g) => g.id === myGroup) || null;
  for (const button of groupOptions.querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(!!mine && button.value === String(mine.id)));
  }
  setText(groupSummary, mine ? format(strings.group, { name: mine.name })
    : (groupPicker.open || !skipped() ? strings.who : strings.no_group_chosen));
  groupChange.hidden = !mine && !skipped();
  setText(groupSkip, mine ? strings.no_group : strings.skip);
  if (ask) groupPicker.open = !mine && !skipped();
}

function chooseGroup(id) {
  myGroup = id;
  setSkipped(id === null);
  groupPicker.open = false;
  renderGroupPicker(false);
  const message = { type: 'group', group: id };
  if (socket.send(message)) return;
  const body = new URLSearchParams(new FormData(groupForm));
  body.set('group', id === null ? '' : String(id));
  fetch(groupForm.getAttribute('action'), {
    method: 'POST', body, headers: { Accept: 'application/json' }, credentials: 'same-origin',
  }).catch(() => { /* offline: the choice is asked again after a reload */ });
}

groupForm.addEventListener('submit', (event) => {
  const button = event.submitter;
  if (!button || button.name !== 'group') return;
  event.preventDefault();
  // "Skip" (or "No group"): the server remembers the answer too, so it is not asked again.
  chooseGroup(button.value === '' ? null : Number(button.value));
});
groupPicker.addEventListener('toggle', () => { if (groups !== null) renderGroupPicker(false); });

// ---- proposals from the audience -------------------------------------------------------------------

function showProposeError(text) {
  setText(proposeError, text || '');
  proposeError.hidden = !text;
}

proposeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const field = proposeForm.elements.text;
  const textToSend = field.value.trim();
  if (!textToSend) return;
  showProposeError('');
  proposeThanks.hidden = true;
  sentProposal = `p-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
  if (socket.send({ type: 'propose', id: sentProposal, text: textToSend })) return;
  const body = new URLSearchParams(new FormData(proposeForm));
  let response;
  try {
    response = await fetch(proposeForm.getAttribute('action'), {
      method: 'POST', body, headers: { Accept: 'application/json' }, credentials: 'same-origin',
    });
  } catch {
    showProposeError(strings.propose_failed);
    return;
  }
  let reply = null;
  try { reply = await response.json(); } catch { reply = null; }
  if (response.ok) onMessage({ type: 'proposed', id: sentProposal });
  else onMessage({ type: 'error', id: sentProposal, message: (reply && reply.message) || strings.propose_failed });
});

function proposed() {
  sentProposal = null;
  proposeForm.reset();
  propose.open = false;
  proposeThanks.hidden = false;
  announce(announcer, strings.proposed);
}

function applyState(state) {
  const next = state.statement || null;
  const changed = (next ? next.id : null) !== (current ? current.id : null);
  const textChanged = changed || (next && current
    && statementText(next).join() !== statementText(current).join());
  const nextRound = state.round || 1;
  // A second round on the same statement: this phone has not voted in it yet.
  if (!changed && current && nextRound !== round) {
    counted.delete(String(current.id));
    if (pending && pending.statement === current.id) dropPending('moved');
  }
  current = next;
  count = state.count ?? count;
  phase = state.phase || phase;
  revealed = !!state.revealed && !!current;
  round = nextRound;
  latest = state.results || null;
  timer.set(state.timer);
  if (state.debate) {
    visibility = state.debate.visibility || visibility;
    debateLang = state.debate.lang || debateLang;
    // Other answers (the moderator changed the scale): the server draws the new buttons.
    const choices = state.debate.choices || [];
    if (choices.length && choices.join(' ') !== buttons.map((b) => b.value).join(' ')) {
      location.reload();
      return;
    }
    propose.hidden = !state.debate.proposals;
    const first = groups === null;
    groups = state.debate.groups || [];
    renderGroupPicker(first);
  }
  roundPill.hidden = !current || round < 2;
  setText(roundPill, format(common.round, { round }));

  if (changed) {
    // A "not counted" message is about the statement just left: it stays until the next vote
    // (the refusal of a vote sent by POST can arrive before the socket brings the new statement).
    if (!notCountedId) showMessage('');
    if (pending && (!current || pending.statement !== current.id)) dropPending('moved');
  }
  if (textChanged) {
    const [shown, shownLang] = statementText(current);
    setText(text, current ? shown : strings.no_statement_text);
    setLengthClass(text, shown);
    text.classList.toggle('is-empty', !current);
    // the statement says which language it is in; the "will start soon" text is the page's
    if (current) text.lang = shownLang;
    else text.removeAttribute('lang');
  }
  setText(position, current ? format(common.position, { position: current.position, count }) : '');
  if (changed && current) {
    const moved = format(common.new_statement, {
      position: current.position, count, text: statementText(current)[0],
    });
    // a vote just refused is said again after the new statement, so neither drowns the other
    announce(announcer, notCountedId ? `${moved} ${message.textContent}` : moved);
    // The buttons stay where they are; only bring the new text's first line into view.
    if (text.getBoundingClientRect().top < 0) text.scrollIntoView({ block: 'start' });
  }

  root.dataset.revealed = String(revealed);

  // After a reconnect: a vote still waiting for its ack is either counted already (welcome told
  // us) or sent again with the same id, which the server stores only once.
  if (pending && current && pending.statement === current.id) {
    if (counted.get(String(current.id)) === pending.choice) setPending(null);
    else if (phase === 'open') { if (inFlight !== pending.id) sendBySocket(pending); }
    else dropPending(phase === 'closed' ? 'closed' : 'not_open');
  }
  render();
}

function onMessage(frame) {
  if (frame.type !== 'state' && voice.handle(frame)) return; // the room's voice
  switch (frame.type) {
    case 'welcome':
      admitted = frame.admitted !== false;
      counted.clear();
      for (const [statement, choice] of Object.entries(frame.votes || {})) counted.set(statement, choice);
      myGroup = frame.group ?? null;
      if (groups !== null) renderGroupPicker(true);
      // a vote in doubt when the last socket died: what the server counted decides
      if (doubtful) judge(doubtful.vote, doubtful.why);
      render();
      break;
    case 'tally':
      if (current && frame.statement === current.id && frame.counts && (frame.round || 1) === round) {
        latest = frame;
        renderResults();
      }
      break;
    case 'group':
      myGroup = frame.group ?? null;
      if (groups !== null) renderGroupPicker(false);
      break;
    case 'proposed':
      if (frame.id && frame.id === sentProposal) proposed();
      break;
    case 'state':
      // The moderator started asking for the room code: the server renders the code form.
      if (frame.room_check && !admitted && !data.needs_code) location.reload();
      applyState(frame);
      voice.handle(frame);
      place.state(frame);
      break;
    case 'my_group':
      place.apply(frame);
      break;
    case 'ack': {
      if (!frame.round || frame.round === round) counted.set(String(frame.statement), frame.choice);
      if (doubtful && doubtful.vote.id === frame.id) doubtful = null; // it counted after all
      if (notCountedId && notCountedId === frame.id) showMessage(''); // it did reach the server
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
      if (frame.id && frame.id === sentProposal) {
        sentProposal = null;
        showProposeError(frame.message || strings.propose_failed);
        break;
      }
      if (doubtful && frame.id === doubtful.vote.id) {
        notCounted(doubtful.vote, whyRefused(doubtful.vote, frame.code) || doubtful.why);
        doubtful = null;
        render();
        break;
      }
      if (!frame.id || (pending && pending.id === frame.id)) {
        const vote = pending && pending.id === frame.id ? pending : null;
        if (vote) setPending(null);
        const why = vote && whyRefused(vote, frame.code);
        if (why) notCounted(vote, why);
        // The server's message is already in the debate's language.
        else showMessage(frame.message || strings.vote_failed);
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
  const vote = { id: newVoteId(), statement: current.id, choice: button.value, round };
  setPending(vote);
  showMessage('');
  render();
  if (!sendBySocket(vote)) sendByPost(vote);
});

restorePending();
voice = roomVoice(root, {
  data,
  send: (message) => !!socket && socket.send(message),
  stage: () => ({
    statement: current, phase, round, choices: buttons.map((b) => b.value),
    myChoice: current ? counted.get(String(current.id)) || null : null,
  }),
  announcer,
});
place = myPlace(root, data, (message) => !!socket && socket.send(message));
const resized = new ResizeObserver(placePanel);
for (const node of [root.querySelector('.vote__head'), groupPicker, text, panel]) resized.observe(node);
window.addEventListener('resize', placePanel);
window.addEventListener('online', () => { if (pending && !socket.isOpen) sendByPost(pending); });
const badge = connectionBadge(root.querySelector('[data-connection]'), common);
socket = connect(data.ws_path, {
  onMessage,
  onStatus: (state, code) => {
    if (state !== 'open') { // a new socket will not answer what this one was sent
      inFlight = null;
      voice.reset();
      place.reset();
    }
    badge(state, code);
  },
});
render();
