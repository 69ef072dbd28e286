// The projector page: follows `state` and `tally` frames, fits the statement to the screen.
import { connect } from './live.js';
import {
  announce, connectionBadge, fitText, format, pageData, setLengthClass, setPhaseLabel, setText, updateBars,
} from './ui.js';

const data = pageData();
const common = data.common || {};
const strings = data.strings || {};

const stage = document.querySelector('.stage');
const box = stage.querySelector('[data-fit-box]');
const text = stage.querySelector('[data-statement-text]');
const position = stage.querySelector('[data-position]');
const results = stage.querySelector('[data-results]');
const bars = stage.querySelector('[data-bars]');
const phaseLabel = stage.querySelector('[data-phase-label]');
const connected = stage.querySelector('[data-connected]');
const voted = stage.querySelector('[data-voted]');
const announcer = stage.querySelector('[data-announce]');
const room = stage.querySelector('[data-room]');
const roomCode = stage.querySelector('[data-room-code]');

let current = data.statement || null;
let count = data.count || 0;
let phase = data.phase || 'waiting';
let revealed = !!data.revealed;

// Fit the statement: as large as the space allows, never larger than reads well.
function fit() {
  const max = Math.min(box.clientHeight / 2.4, window.innerWidth / 15, 150);
  fitText(box, text, { min: 14, max: Math.max(14, Math.floor(max)) });
}
let fitQueued = false;
function queueFit() {
  if (fitQueued) return;
  fitQueued = true;
  requestAnimationFrame(() => { fitQueued = false; fit(); });
}
new ResizeObserver(queueFit).observe(box);
if (document.fonts && document.fonts.ready) document.fonts.ready.then(queueFit);
stage.classList.add('is-fitted');
fit();

const ZERO = { counts: { agree: 0, neutral: 0, disagree: 0 }, percent: { agree: 0, neutral: 0, disagree: 0 } };

function showResults(tally, wasRevealed) {
  if (!tally) return;
  if (!wasRevealed) {
    // Reveal: start the bars at zero, then grow them to their values (no motion when reduced).
    updateBars(bars, ZERO, common);
    results.hidden = false;
    requestAnimationFrame(() => requestAnimationFrame(() => updateBars(bars, tally, common)));
  } else {
    updateBars(bars, tally, common);
  }
}

function applyState(state) {
  const next = state.statement || null;
  const changed = (next ? next.id : null) !== (current ? current.id : null);
  const textChanged = changed || (next && current && next.text !== current.text);
  const wasRevealed = revealed;
  current = next;
  count = state.count ?? count;
  phase = state.phase || phase;
  revealed = !!state.revealed && !!current;

  stage.dataset.phase = phase;
  stage.dataset.revealed = String(revealed);
  stage.dataset.empty = String(!current);
  if ('room_code' in state) {
    setText(roomCode, state.room_code || '');
    room.hidden = !state.room_code;
  }
  setText(position, current ? format(common.position, { position: current.position, count }) : '');
  if (textChanged) {
    setText(text, current ? current.text : strings.no_statement_text);
    setLengthClass(text, current ? current.text : strings.no_statement_text);
    if (changed && current) {
      announce(announcer, format(common.new_statement, {
        position: current.position, count, text: current.text,
      }));
    }
  }
  setPhaseLabel(phaseLabel, phase, common);

  if (revealed && state.results) {
    showResults(state.results, wasRevealed && !changed);
    setText(voted, format(common.voted, { n: state.results.total }));
  } else if (!revealed) {
    results.hidden = true;
  }
  queueFit();
}

function applyTally(tally) {
  if (!current || tally.statement !== current.id) return;
  if (typeof tally.connected === 'number') setText(connected, format(common.connected, { n: tally.connected }));
  if (typeof tally.total === 'number') setText(voted, format(common.voted, { n: tally.total }));
  if (revealed && tally.counts && tally.percent) {
    if (results.hidden) showResults(tally, false); else updateBars(bars, tally, common);
  }
}

connect(data.ws_path, {
  onMessage(message) {
    if (message.type === 'state') applyState(message);
    else if (message.type === 'tally') applyTally(message);
  },
  onStatus: connectionBadge(stage.querySelector('[data-connection]'), common),
});
