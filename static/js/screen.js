// The projector page: follows `state` and `tally` frames, fits the statement to the screen.
// Keys: f full screen, q QR code, t theme, ? the list of keys; for a browser signed in as the
// debate's moderator also → / n, ← / p, o and r, sent like the moderator page's buttons.
import { connect } from './live.js';
import { MODERATOR_KEYS, notForUs, sendControl } from './moderation.js';
import { screenMap } from './screen-map.js';
import { screenMoves } from './screen-moves.js';
import { stageVoice } from './spotlight.js';
import {
  announce, connectionBadge, countdown, format, number, pageData, setLengthClass, setText, updateBars,
} from './ui.js';
import { fitText, renderCompare, renderGroups, setPhaseLabel } from './ui-screens.js';

const data = pageData();
const common = data.common || {};
const strings = data.strings || {};

const stage = document.querySelector('.stage');
const box = stage.querySelector('[data-fit-box]');
const text = stage.querySelector('[data-statement-text]');
const position = stage.querySelector('[data-position]');
const results = stage.querySelector('[data-results]');
const bars = stage.querySelector('.stage__main > [data-bars]');
const compare = stage.querySelector('[data-compare]');
const groupSplit = stage.querySelector('[data-groups]');
const roundPill = stage.querySelector('[data-round]');
const phaseLabel = stage.querySelector('[data-phase-label]');
const connected = stage.querySelector('[data-connected]');
const voted = stage.querySelector('[data-voted]');
const announcer = stage.querySelector('[data-announce]');
const room = stage.querySelector('[data-room]');
const roomCode = stage.querySelector('[data-room-code]');
const toastNode = stage.querySelector('[data-toast]');
const tools = stage.querySelector('[data-tools]');
const fullscreenButton = tools.querySelector('[data-tool="fullscreen"]');
const themeButton = tools.querySelector('[data-tool="theme"]');
const helpButton = tools.querySelector('[data-tool="help"]');
const help = document.querySelector('[data-help]');

let current = data.statement || null;
let count = data.count || 0;
let phase = data.phase || 'waiting';
let revealed = !!data.revealed;
let shown = !!data.shown; // the results are on screen (the server sent numbers)
let choices = data.choices || null;
let round = data.round || 1;
const timer = countdown(stage.querySelector('[data-timer]'), common, (line) => announce(announcer, line));

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
const voice = stageVoice(stage, data, queueFit);
const opinionMap = screenMap(stage, data, queueFit);
const movesShown = screenMoves(stage, data, queueFit);

function zero(tally) {
  const keys = Object.keys(tally.counts || {});
  const nothing = Object.fromEntries(keys.map((key) => [key, 0]));
  return { counts: nothing, percent: nothing, mean: null };
}

// Everything the results area shows: the bars (or, in a second round, both rounds and the
// swing) and the split by group when the moderator shows it.
function drawResults(tally) {
  const twoRounds = !!tally.before;
  results.dataset.mode = twoRounds ? 'compare' : 'single';
  if (twoRounds) renderCompare(compare, tally, common, 'stage');
  else {
    renderCompare(compare, null, common);
    updateBars(bars, tally, common, choices);
  }
  renderGroups(groupSplit, tally.groups, common);
  results.classList.toggle('has-groups', !!(tally.groups && tally.groups.length));
  queueFit();
}

function showResults(tally, wasShown) {
  if (!tally || !tally.counts) return;
  if (!wasShown && !tally.before) {
    // Reveal: start the bars at zero, then grow them to their values (no motion when reduced).
    updateBars(bars, zero(tally), common, choices);
    results.hidden = false;
    drawResults({ ...tally, counts: zero(tally).counts, percent: zero(tally).percent, mean: null });
    requestAnimationFrame(() => requestAnimationFrame(() => drawResults(tally)));
  } else {
    results.hidden = false;
    drawResults(tally);
  }
  shown = true;
}

function hideResults() {
  results.hidden = true;
  shown = false;
  queueFit();
}

function applyState(state) {
  const next = state.statement || null;
  const changed = (next ? next.id : null) !== (current ? current.id : null);
  const textChanged = changed || (next && current && next.text !== current.text);
  const wasShown = shown && !changed && (state.round || 1) === round;
  current = next;
  count = state.count ?? count;
  phase = state.phase || phase;
  revealed = !!state.revealed && !!current;
  round = state.round || 1;
  if (state.debate && state.debate.choices) choices = state.debate.choices;

  stage.dataset.phase = phase;
  stage.dataset.revealed = String(revealed);
  stage.dataset.empty = String(!current);
  if ('room_code' in state) {
    setText(roomCode, state.room_code || '');
    room.hidden = !state.room_code;
  }
  setText(position, current ? format(common.position, { position: current.position, count }) : '');
  roundPill.hidden = !current || round < 2;
  setText(roundPill, format(common.round, { round }));
  timer.set(state.timer);
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
  voice.state(state);
  opinionMap.state(state);
  movesShown.state(state);
  movesShown.apply(current ? state.results : null);

  if (current && state.results && state.results.counts) {
    showResults(state.results, wasShown);
    setText(voted, format(common.voted, { n: number(state.results.total) }));
  } else {
    hideResults();
  }
  queueFit();
}

function applyTally(tally) {
  if (!current || tally.statement !== current.id) return;
  if (typeof tally.connected === 'number') setText(connected, format(common.connected, { n: number(tally.connected) }));
  if (typeof tally.total === 'number') setText(voted, format(common.voted, { n: number(tally.total) }));
  if ((tally.round || 1) !== round) return;
  movesShown.apply(tally);
  if (tally.counts && tally.percent) showResults(tally, shown);
  else if (shown) hideResults();
}

// ---- a short message at the bottom, for whoever pressed a key --------------------------------------

let toastTimer = null;
function toast(message) {
  clearTimeout(toastTimer);
  toastNode.textContent = message;
  toastNode.hidden = false;
  toastTimer = setTimeout(() => {
    toastNode.hidden = true;
    toastNode.textContent = '';
  }, 5000);
}

// ---- full screen ------------------------------------------------------------------------------------

const page = document.documentElement;
const canFullscreen = !!(document.fullscreenEnabled || document.webkitFullscreenEnabled);

function fullscreenElement() {
  return document.fullscreenElement || document.webkitFullscreenElement || null;
}

function toggleFullscreen() {
  if (!canFullscreen) return;
  try {
    const done = fullscreenElement()
      ? (document.exitFullscreen || document.webkitExitFullscreen).call(document)
      : (page.requestFullscreen || page.webkitRequestFullscreen).call(page);
    if (done && typeof done.catch === 'function') done.catch(() => {});
  } catch {
    // refused (no user gesture, or a browser policy): the page stays as it is
  }
}

function syncFullscreen() {
  fullscreenButton.setAttribute('aria-pressed', String(!!fullscreenElement()));
  queueFit();
}
fullscreenButton.hidden = !canFullscreen;
document.addEventListener('fullscreenchange', syncFullscreen);
document.addEventListener('webkitfullscreenchange', syncFullscreen);

// ---- theme: dark by default, light remembered in this browser -----------------------------------

const THEME_KEY = 'debate-poll:screen-theme';
const THEME_COLORS = { dark: '#0b1120', light: '#f4f5f9' };

function storedTheme() {
  try {
    return localStorage.getItem(THEME_KEY) === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark'; // storage blocked: the default
  }
}

function setTheme(theme, remember) {
  document.body.dataset.theme = theme;
  document.querySelector('meta[name="color-scheme"]')?.setAttribute('content', theme);
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', THEME_COLORS[theme]);
  themeButton.setAttribute('aria-pressed', String(theme === 'light'));
  if (!remember) return;
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    // not remembered; still switched for now
  }
}

function toggleTheme() {
  setTheme(document.body.dataset.theme === 'light' ? 'dark' : 'light', true);
}
setTheme(storedTheme(), false);

// ---- the QR code --------------------------------------------------------------------------------

function toggleQr() {
  stage.dataset.qr = stage.dataset.qr === 'hidden' ? 'shown' : 'hidden';
  queueFit();
}

// ---- the list of keys ---------------------------------------------------------------------------

function toggleHelp() {
  if (help.open) help.close();
  else help.showModal();
}
help.querySelector('[data-help-close]').addEventListener('click', () => help.close());
// a click on the dimmed page around the list closes it too (such clicks land on the dialog
// element itself, as do clicks on its padding: tell them apart by where they are)
help.addEventListener('click', (event) => {
  if (event.target !== help) return;
  const box = help.getBoundingClientRect();
  const inside = event.clientX >= box.left && event.clientX <= box.right
    && event.clientY >= box.top && event.clientY <= box.bottom;
  if (!inside) help.close();
});

fullscreenButton.addEventListener('click', toggleFullscreen);
themeButton.addEventListener('click', toggleTheme);
helpButton.addEventListener('click', toggleHelp);
tools.hidden = false;

// The buttons and the pointer show only while the mouse moves (or a button has keyboard focus),
// so the audience sees neither; they start hidden, as a projector page mostly just sits there.
let idleTimer = null;
function wake() {
  stage.classList.remove('is-idle');
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => stage.classList.add('is-idle'), 3000);
}
document.addEventListener('pointermove', wake);
document.addEventListener('pointerdown', wake);
stage.classList.add('is-idle');

// ---- moderator keys: only for a browser signed in with the moderator link ------------------------

async function control(action) {
  if (!data.is_moderator) {
    toast(strings.needs_moderator);
    return;
  }
  // Past either end there is nothing to do; the audience need not see a refusal.
  const pos = current ? current.position : 0;
  if (action === 'next' && current && pos >= count) return;
  if (action === 'prev' && pos <= 1) return;
  if ((action === 'toggle' || action === 'reveal') && !current) return;
  const body = new URLSearchParams({
    action: action === 'reveal' ? (revealed ? 'hide' : 'reveal') : action,
    csrftoken: data.csrf_token || '',
  });
  await sendControl(data.control_url, body, strings, {
    report: (text) => { if (text) toast(text); },
    // The answer is the moderator's state, with results the room may not see yet (and it can
    // arrive after the screen's own frame): the projector follows its socket only.
    apply: () => {},
  });
}

// ---- keys ----------------------------------------------------------------------------------------

const SCREEN_KEYS = {
  f: toggleFullscreen, F: toggleFullscreen,
  q: toggleQr, Q: toggleQr,
  t: toggleTheme, T: toggleTheme,
  '?': toggleHelp,
};

document.addEventListener('keydown', (event) => {
  if (notForUs(event)) return;
  if (SCREEN_KEYS[event.key]) {
    event.preventDefault();
    SCREEN_KEYS[event.key]();
  } else if (MODERATOR_KEYS[event.key]) {
    event.preventDefault();
    control(MODERATOR_KEYS[event.key]);
  }
});

connect(data.ws_path, {
  onMessage(message) {
    if (message.type === 'state') applyState(message);
    else if (message.type === 'tally') applyTally(message);
    else if (message.type === 'floor') voice.floor(message);
    else if (message.type === 'opinion') opinionMap.apply(message);
  },
  onStatus: connectionBadge(stage.querySelector('[data-connection]'), common),
});
