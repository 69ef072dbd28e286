// The moderator page: control forms sent with fetch, keyboard shortcuts, live state and counts.
// Every control is a plain form first; without JavaScript each one posts and the page reloads.
import { connect } from './live.js';
import { MODERATOR_KEYS, notForUs, sendControl } from './moderation.js';
import {
  announce, connectionBadge, format, number, pageData, setPhaseLabel, setText, updateBars, updateStack, votesText,
} from './ui.js';

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
};
const position = root.querySelector('[data-position]');
const text = root.querySelector('[data-statement-text]');
const phaseLabel = root.querySelector('[data-phase-label]');
const revealedLabel = root.querySelector('[data-revealed-label]');
const liveBars = root.querySelector('.live__tally [data-bars]');
const voted = root.querySelector('.live__tally [data-voted]');
const connected = root.querySelector('.live__tally [data-connected]');
const errorBox = root.querySelector('[data-error]');
const staleNotice = root.querySelector('[data-list-stale]');
const announcer = root.querySelector('[data-announce]');

let current = data.statement || null;
let count = data.count || 0;
let phase = data.phase || 'waiting';
let revealed = !!data.revealed;
const knownIds = new Set((data.statement_ids || []).map(String));

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
}

function applyState(state) {
  const next = state.statement || null;
  const changed = (next ? next.id : null) !== (current ? current.id : null);
  current = next;
  count = state.count ?? count;
  phase = state.phase || phase;
  revealed = !!state.revealed && !!current;

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
  staleNotice.hidden = !stale;

  if (state.results) applyCounts(state.results);
  if (changed && current) {
    announce(announcer, format(common.new_statement, { position: current.position, count, text: current.text }));
  }
}

function applyCounts(tally) {
  updateBars(liveBars, tally, common);
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
  if (!current || tally.statement !== current.id) return;
  if (typeof tally.connected === 'number') setText(connected, format(common.connected, { n: number(tally.connected) }));
  if (tally.counts) applyCounts(tally);
}

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
  control(actionOf(form), body);
});

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
    if (message.type === 'state') applyState(message);
    else if (message.type === 'tally') applyTally(message);
  },
  onStatus: (() => {
    const badge = connectionBadge(root.querySelector('[data-connection]'), common);
    return (status, code) => {
      badge(status);
      if (status === 'stopped' && code === 4401) showError(strings.signed_out);
    };
  })(),
});
