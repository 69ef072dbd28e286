// The moderator page: control forms sent with fetch, keyboard shortcuts, live state and counts.
// Every control is a plain form first; without JavaScript each one posts and the page reloads.
import { floorDesk } from './desk-floor.js';
import { mapDesk } from './desk-map.js';
import { reasonsDesk } from './desk-reasons.js';
import { connect } from './live.js';
import { MODERATOR_KEYS, notForUs, sendControl } from './moderation.js';
import {
  announce, connectionBadge, countdown, el, format, number, pageData, setText, updateBars, votesText,
} from './ui.js';
import { renderCompare, renderGroups, setPhaseLabel, updateStack } from './ui-screens.js';

const data = pageData();
const common = data.common || {};
const strings = data.strings || {};

const root = document.querySelector('.mod');
const controls = root.querySelector('.controls');
const controlButtons = {
  prev: controls.querySelector('[data-action="prev"]'),
  next: controls.querySelector('[data-action="next"]'),
  toggle: controls.querySelector('[data-action="toggle"]'),
  reveal: controls.querySelector('[data-action="reveal"]'),
  round2: controls.querySelector('[data-action="round2"]'),
  groups: controls.querySelector('[data-action="groups"]'),
  moves: controls.querySelector('[data-action="moves"]'),
};
const position = root.querySelector('[data-position]');
const text = root.querySelector('[data-statement-text]');
const phaseLabel = root.querySelector('[data-phase-label]');
const revealedLabel = root.querySelector('[data-revealed-label]');
const liveMain = root.querySelector('.live__main');
const liveBars = liveMain.querySelector(':scope > [data-bars]');
const liveCompare = liveMain.querySelector('[data-compare]');
const liveGroups = root.querySelector('.live__tally [data-groups]');
const roundPill = root.querySelector('[data-round]');
const proposedLabel = root.querySelector('[data-proposed-label]');
const notes = root.querySelector('[data-notes]');
const notesText = root.querySelector('[data-notes-text]');
const timerStop = root.querySelector('[data-timer-stop]');
const proposalsPanel = root.querySelector('[data-proposals-panel]');
const proposalList = root.querySelector('[data-proposals]');
const proposalsCount = root.querySelector('[data-proposals-count]');
const proposalsEmpty = root.querySelector('[data-proposals-empty]');
const listBox = root.querySelector('[data-list]');
const listCount = root.querySelector('[data-list-count]');
const voted = root.querySelector('.live__tally [data-voted]');
const connected = root.querySelector('.live__tally [data-connected]');
const errorBox = root.querySelector('[data-error]');
const staleNotice = root.querySelector('[data-list-stale]');
const announcer = root.querySelector('[data-announce]');

let current = data.statement || null;
let count = data.count || 0;
let phase = data.phase || 'waiting';
let revealed = !!data.revealed;
let round = data.round || 1;
let choices = data.choices || null;
let roundOneVotes = 0; // votes in the current statement's first round (round 2 needs some)
let showGroups = controlButtons.groups ? controlButtons.groups.value === 'hide_groups' : false;
let showMoves = controlButtons.moves.value === '0';
let proposalsOn = !proposalsPanel.hidden;
let differ = null; // {statement, points}: where the audience groups differ most
const knownIds = new Set((data.statement_ids || []).map(String));
const timer = countdown(root.querySelector('[data-timer]'), common, (line) => announce(announcer, line));

// Not `form.action`: the buttons are named "action", and a form's named controls shadow its
// properties, so `form.action` is a button (or a list of them), not the URL.
function actionOf(form) {
  return new URL(form.getAttribute('action') || data.control_url, location.href).href;
}

function rowOf(id) {
  return id == null ? null : root.querySelector(`.srow[data-statement-id="${CSS.escape(String(id))}"]`);
}

function showError(message) {
  if (!message) {
    errorBox.hidden = true;
    errorBox.textContent = '';
    return;
  }
  errorBox.textContent = message;
  errorBox.hidden = false;
}

// ---- applying what the server says -------------------------------------------------------------

function markCurrentRow() {
  for (const row of root.querySelectorAll('.srow')) {
    const isCurrent = !!current && row.dataset.statementId === String(current.id);
    row.classList.toggle('is-current', isCurrent);
    if (isCurrent) row.setAttribute('aria-current', 'true'); else row.removeAttribute('aria-current');
    const badge = row.querySelector('[data-current-badge]');
    const goto = row.querySelector('[data-goto]');
    if (badge) badge.hidden = !isCurrent;
    if (goto) goto.hidden = isCurrent;
  }
}

function renderControls() {
  const { prev, next, toggle, reveal } = controlButtons;
  const pos = current ? current.position : 0;
  prev.disabled = !current || pos <= 1;
  next.disabled = count === 0 || (!!current && pos >= count);
  toggle.disabled = !current;
  reveal.disabled = !current;
  toggle.value = phase === 'open' ? 'close' : 'open';
  setText(toggle, phase === 'open' ? strings.close : phase === 'closed' ? strings.reopen : strings.open);
  toggle.classList.toggle('btn--danger', phase === 'open');
  toggle.classList.toggle('btn--success', phase !== 'open');
  reveal.value = revealed ? 'hide' : 'reveal';
  setText(reveal, revealed ? strings.hide : strings.reveal);
  controlButtons.round2.disabled = !current || round > 1 || roundOneVotes === 0;
  controlButtons.moves.disabled = !current || round < 2;
  controlButtons.moves.value = showMoves ? '0' : '1';
  controlButtons.moves.setAttribute('aria-pressed', String(showMoves));
  if (controlButtons.groups) {
    controlButtons.groups.value = showGroups ? 'hide_groups' : 'show_groups';
    controlButtons.groups.setAttribute('aria-pressed', String(showGroups));
  }
}

function markDiffer() {
  for (const row of root.querySelectorAll('.srow')) {
    const line = row.querySelector('[data-differ]');
    if (!line) continue;
    const here = !!differ && row.dataset.statementId === String(differ.statement);
    row.classList.toggle('is-differ', here);
    line.hidden = !here;
    setText(line, here ? format(strings.differ, { points: number(differ.points) }) : '');
  }
}

// ---- the statement list: redrawn from the server when statements come or go ------------------------

let refreshing = false;
// Another moderator tab added one, or an approved proposal became one: fetch this page again and
// take its list, unless the moderator is typing in it (then offer a reload instead).
async function refreshList() {
  const busy = listBox.querySelector('details[open]') || listBox.contains(document.activeElement);
  if (busy || refreshing) {
    staleNotice.hidden = false;
    return;
  }
  refreshing = true;
  try {
    const response = await fetch(location.pathname, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (!response.ok) throw new Error(String(response.status));
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = page.querySelector('[data-list]');
    const freshCount = page.querySelector('[data-list-count]');
    if (!fresh) throw new Error('no list');
    listBox.replaceChildren(...[...fresh.childNodes].map((node) => document.importNode(node, true)));
    if (freshCount) setText(listCount, freshCount.textContent);
    knownIds.clear();
    for (const row of listBox.querySelectorAll('.srow')) knownIds.add(row.dataset.statementId);
    staleNotice.hidden = true;
    markCurrentRow();
    markDiffer();
  } catch {
    staleNotice.hidden = false;
  } finally {
    refreshing = false;
  }
}

function applyState(state) {
  const next = state.statement || null;
  const changed = (next ? next.id : null) !== (current ? current.id : null);
  current = next;
  count = state.count ?? count;
  phase = state.phase || phase;
  revealed = !!state.revealed && !!current;
  round = state.round || 1;
  showGroups = !!state.show_groups;
  showMoves = !!state.show_moves;
  if (state.debate && state.debate.choices) choices = state.debate.choices;
  if (changed) roundOneVotes = 0;
  if (round > 1) roundOneVotes = Math.max(roundOneVotes, 1);
  if ('groups_differ' in state) differ = state.groups_differ;
  timer.set(state.timer);
  timerStop.hidden = !state.timer;
  roundPill.hidden = !current || round < 2;
  setText(roundPill, format(common.round, { round }));
  proposedLabel.hidden = !(current && current.proposed);
  if ('statement_notes' in state) {
    setText(notesText, state.statement_notes || '');
    notes.hidden = !state.statement_notes;
  }
  if ('spotlight' in state) desk.reasons.spotlight(state.spotlight);
  if (state.debate) {
    proposalsOn = !!state.debate.proposals;
    renderProposalsPanel();
  }

  root.dataset.phase = phase;
  root.dataset.revealed = String(revealed);
  setText(position, current ? format(strings.position, { position: current.position, count }) : strings.no_statement);
  setText(text, current ? current.text : strings.no_statement_text);
  setPhaseLabel(phaseLabel, phase, common);
  setText(revealedLabel, revealed ? strings.revealed : strings.hidden);
  revealedLabel.classList.toggle('pill--on', revealed);
  renderControls();
  markCurrentRow();

  if (current) {
    const rowText = rowOf(current.id)?.querySelector('[data-row-text]');
    if (rowText) setText(rowText, current.text);
  }
  // A statement added or removed elsewhere (another moderator tab): offer a reload rather than
  // reloading by ourselves, which could throw away text being typed.
  const stale = count !== knownIds.size || (!!current && !knownIds.has(String(current.id)));
  if (stale) refreshList();
  markDiffer();

  if (state.results) applyCounts(state.results);
  else renderControls();
  if (changed && current) {
    announce(announcer, format(common.new_statement, { position: current.position, count, text: current.text }));
  }
}

function applyCounts(tally) {
  if ((tally.round || 1) !== round) return;
  if (round === 1 && typeof tally.total === 'number') {
    roundOneVotes = tally.total;
    renderControls();
  }
  liveMain.dataset.mode = tally.before ? 'compare' : 'single';
  updateBars(liveBars, tally, common, choices);
  renderCompare(liveCompare, tally.before ? tally : null, common);
  if (liveGroups) renderGroups(liveGroups, tally.groups, common);
  if (typeof tally.total === 'number') setText(voted, format(common.voted, { n: number(tally.total) }));
  const row = current && rowOf(current.id);
  if (!row || !tally.counts) return;
  for (const node of row.querySelectorAll('[data-row-count]')) {
    setText(node, number(tally.counts[node.dataset.rowCount] ?? 0));
  }
  setText(row.querySelector('[data-row-total]'), votesText(common, tally.total || 0));
  updateStack(row.querySelector('[data-stack]'), tally);
}

function applyTally(tally) {
  if ('groups_differ' in tally && JSON.stringify(tally.groups_differ) !== JSON.stringify(differ)) {
    differ = tally.groups_differ;
    markDiffer();
  }
  if (!current || tally.statement !== current.id) return;
  if (typeof tally.connected === 'number') setText(connected, format(common.connected, { n: number(tally.connected) }));
  if (tally.counts) applyCounts(tally);
}

// ---- proposals from the audience ------------------------------------------------------------------

function csrfToken() {
  const field = root.querySelector('input[name="csrftoken"]');
  return field ? field.value : '';
}

function renderProposalsPanel() {
  const waiting = proposalList.children.length;
  proposalsPanel.hidden = !proposalsOn && waiting === 0;
  proposalsEmpty.hidden = waiting > 0;
  setText(proposalsCount, format(waiting === 1 ? strings.waiting_one : strings.waiting_other, { n: number(waiting) }));
}

function proposalItem(proposal) {
  const item = el('li', 'proposal');
  item.dataset.proposalId = String(proposal.id);
  const form = el('form', 'proposal__form');
  form.method = 'post';
  form.action = `${location.pathname.replace(/\/moderate$/, '')}/proposals/${encodeURIComponent(proposal.id)}`;
  form.dataset.proposalForm = '';
  const token = el('input');
  token.type = 'hidden';
  token.name = 'csrftoken';
  token.value = csrfToken();
  form.append(token);
  const meta = el('p', 'proposal__meta');
  const plus = el('span', 'proposal__plus');
  plus.dataset.proposalPlus = '';
  meta.append(plus);
  if (proposal.group) {
    const group = el('span', '', proposal.group);
    group.dir = 'auto';
    meta.append(' · ', group);
  }
  form.append(meta);
  const id = `proposal-${proposal.id}`;
  const label = el('label', 'visually-hidden', strings.proposed_statement);
  label.htmlFor = id;
  const field = el('textarea', 'input textarea textarea--short');
  field.id = id;
  field.name = 'text';
  field.rows = 2;
  field.maxLength = 5000;
  field.dir = 'auto';
  field.value = proposal.text;
  const actions = el('div', 'form__actions');
  const approve = el('button', 'btn btn--success btn--small', strings.approve);
  approve.name = 'decision';
  approve.value = 'approve';
  const reject = el('button', 'btn btn--secondary btn--small', strings.reject);
  reject.name = 'decision';
  reject.value = 'reject';
  reject.formNoValidate = true;
  actions.append(approve, reject);
  form.append(label, field, actions);
  item.append(form);
  return item;
}

// A waiting proposal being edited keeps its place and its typed text; the rest follow the server.
function applyProposals(frame) {
  const pending = frame.pending || [];
  const existing = new Map([...proposalList.children].map((item) => [item.dataset.proposalId, item]));
  const items = pending.map((proposal) => {
    const item = existing.get(String(proposal.id)) || proposalItem(proposal);
    const plus = item.querySelector('[data-proposal-plus]');
    const n = proposal.plus || 0;
    if (plus) setText(plus, format(n === 1 ? data.desk.plus_one : data.desk.plus_other, { n: number(n) }));
    return item;
  });
  const focused = proposalList.contains(document.activeElement) ? document.activeElement : null;
  proposalList.replaceChildren(...items);
  if (focused && proposalList.contains(focused)) focused.focus();
  renderProposalsPanel();
}

// Forms answered with JSON: a decision on a proposal (the frames redraw the queue), the settings
// (the page reloads: the scale and the groups shape most of it).
async function postForm(form, submitter) {
  const body = new URLSearchParams(new FormData(form, submitter));
  if (submitter && submitter.name && !body.has(submitter.name)) body.append(submitter.name, submitter.value);
  let response;
  try {
    response = await fetch(actionOf(form), {
      method: 'POST', body, credentials: 'same-origin',
      headers: { Accept: 'application/json', 'x-csrftoken': csrfToken() },
    });
  } catch {
    showError(strings.offline);
    return false;
  }
  if (response.status === 401) {
    showError(strings.signed_out);
    return false;
  }
  if (!response.ok) {
    let reply = null;
    try { reply = await response.json(); } catch { reply = null; }
    showError(format(strings.failed, { message: (reply && reply.message) || response.statusText || response.status }));
    return false;
  }
  showError('');
  return true;
}

document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.matches('[data-proposal-form]')) {
    event.preventDefault();
    const item = form.closest('.proposal');
    for (const button of form.querySelectorAll('button')) button.disabled = true;
    if (await postForm(form, event.submitter)) {
      item.remove();
      renderProposalsPanel();
    } else {
      for (const button of form.querySelectorAll('button')) button.disabled = false;
    }
  } else if (form.matches('[data-reload-form]')) {
    event.preventDefault();
    if (await postForm(form, event.submitter)) location.reload();
    else errorBox.scrollIntoView({ block: 'center' });
  }
});

// ---- sending controls ------------------------------------------------------------------------------

function control(url, body) {
  return sendControl(url, body, strings, { report: showError, apply: applyState });
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches('[data-control-form]')) return;
  event.preventDefault();
  const body = new FormData(form, event.submitter);
  // Browsers older than the two-argument FormData leave the clicked button out.
  const submitter = event.submitter;
  if (submitter && submitter.name && !body.has(submitter.name)) body.append(submitter.name, submitter.value);
  // a button's own formaction (the spotlight of the reason on the projector: take it off)
  const target = submitter && submitter.getAttribute('formaction');
  control(target ? new URL(target, location.href).href : actionOf(form), body);
});

// the room's voice: the reasons (with the spotlight) and the floor
const desk = {
  reasons: reasonsDesk(root, data, (url, body) => control(new URL(url, location.href).href, body)),
  floor: floorDesk(root, data),
  map: mapDesk(root, data),
};

// ---- keyboard shortcuts ---------------------------------------------------------------------------


document.addEventListener('keydown', (event) => {
  if (notForUs(event)) return;
  const key = MODERATOR_KEYS[event.key];
  if (!key) return;
  const button = controlButtons[key];
  if (!current && key !== 'next') return;
  event.preventDefault();
  button.classList.add('is-pressed');
  setTimeout(() => button.classList.remove('is-pressed'), 180);
  const body = new FormData(controls); // carries a CSRF token when the page has one
  body.set('action', key === 'reveal' ? (revealed ? 'hide' : 'reveal') : key);
  control(actionOf(controls), body);
});

// ---- copying the moderator link ---------------------------------------------------------------

for (const button of root.querySelectorAll('[data-copy]')) {
  const input = document.getElementById(button.dataset.copy);
  if (!input) continue;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener('click', async () => {
    input.select();
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(input.value);
        ok = true;
      }
    } catch {
      ok = false;
    }
    // Plain http on a venue network is not a "secure context": fall back to the old command.
    if (!ok) ok = document.execCommand && document.execCommand('copy');
    if (ok) {
      button.textContent = strings.copied;
      setTimeout(() => { button.textContent = label; }, 2000);
    }
  });
}

connect(data.ws_path, {
  onMessage(message) {
    if (message.type === 'state') {
      applyState(message);
      desk.map.state(message);
    } else if (message.type === 'tally') applyTally(message);
    else if (message.type === 'proposals') applyProposals(message);
    else if (message.type === 'reasons') desk.reasons.apply(message);
    else if (message.type === 'floor') desk.floor.apply(message);
    else if (message.type === 'opinion') desk.map.apply(message);
  },
  onStatus: (() => {
    const badge = connectionBadge(root.querySelector('[data-connection]'), common);
    return (status, code) => {
      badge(status);
      if (status === 'stopped' && code === 4401) showError(strings.signed_out);
    };
  })(),
});
