// Small DOM helpers shared by the page scripts. User text only ever goes in through textContent.

/** The JSON the server rendered into <script type="application/json" id="page-data">. */
export function pageData() {
  const node = document.getElementById('page-data');
  try {
    return node ? JSON.parse(node.textContent) : {};
  } catch {
    return {};
  }
}

/** Fill {name} placeholders in one pass, so a value that itself contains "{x}" stays as typed. */
export function format(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole);
}

/** A count written the page's way: 1,234 in English, 1.234 in Dutch (like the server's Babel). */
let numberFormat = null;
export function number(n) {
  if (!numberFormat) {
    try {
      numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined);
    } catch {
      numberFormat = new Intl.NumberFormat();
    }
  }
  return numberFormat.format(Number(n) || 0);
}

export function votesText(common, n) {
  return format(n === 1 ? common.votes_one : common.votes_other, { n: number(n) });
}

/** Set a node's text (never markup); untouched when it already says that. */
export function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

export function setPercent(node, pct) {
  if (!node) return;
  const value = Math.max(0, Math.min(100, Math.round(Number(pct) || 0)));
  node.style.setProperty('--p', String(value));
}

// ---- result bars: the result_bars, stacked_bar, round_compare and group_split macros, kept live ----

const SVG = 'http://www.w3.org/2000/svg';
// The same drawings as the choice_icon macro.
const ICONS = {
  strongly_agree: 'M2.5 12.5l4 4L15 8M9.5 16.5L18 8',
  agree: 'M5 12.5l4.5 4.5L19 7.5',
  neutral: 'M6 12h12',
  disagree: 'M7 7l10 10M17 7L7 17',
  strongly_disagree: 'M3.5 7l7 10M10.5 7l-7 10M13.5 7l7 10M20.5 7l-7 10',
};

/** An element with classes and, optionally, text (never markup). */
export function el(tag, className = '', text = null) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== null && text !== undefined) node.textContent = String(text);
  return node;
}

function choiceIcon(value) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[value] || ICONS.disagree);
  svg.append(path);
  return svg;
}

/** A decimal written the page's way (3.8 in English, 3,8 in Dutch). */
export function decimal(n) {
  try {
    return new Intl.NumberFormat(document.documentElement.lang || undefined,
      { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Number(n) || 0);
  } catch {
    return String(n);
  }
}

function buildBar(value, common) {
  const item = el('li', `bar bar--${value}`);
  item.dataset.choice = value;
  const label = el('span', 'bar__label');
  label.append(choiceIcon(value), el('span', '', (common.labels || {})[value] || value));
  const track = el('span', 'bar__track');
  track.setAttribute('aria-hidden', 'true');
  const fill = el('span', 'bar__fill');
  fill.dataset.fill = '';
  track.append(fill);
  const valueBox = el('span', 'bar__value');
  const pct = el('span', 'bar__pct', '0%');
  pct.dataset.pct = '';
  const count = el('span', 'bar__count', votesText(common, 0));
  count.dataset.count = '';
  valueBox.append(pct, ' ', count);
  item.append(label, track, valueBox);
  return item;
}

/** The answers a tally covers, in the scale's order (its counts' keys). */
export function choicesOf(tally, fallback) {
  if (tally && tally.counts) return Object.keys(tally.counts);
  return fallback || ['agree', 'neutral', 'disagree'];
}

/** A new list like the result_bars macro draws (and its mean line), for `choices`. */
export function buildBars(choices, common, variant = 'compact') {
  const list = el('ul', `bars bars--${variant} bars--n${choices.length}`);
  list.dataset.bars = '';
  for (const value of choices) list.append(buildBar(value, common));
  const mean = el('p', 'bars__mean');
  mean.dataset.mean = '';
  mean.hidden = true;
  const box = document.createDocumentFragment();
  box.append(list, mean);
  return { list, mean, box };
}

/**
 * Update a list drawn by the result_bars macro from a Tally.as_dict() shape. When the scale
 * changed (other answers), the bars are redrawn for `choices` (default: the tally's own).
 */
export function updateBars(list, tally, common, choices = null) {
  if (!list || !tally) return;
  const wanted = choices || (tally.counts ? Object.keys(tally.counts) : null);
  const have = [...list.querySelectorAll('[data-choice]')].map((item) => item.dataset.choice);
  if (wanted && wanted.join(' ') !== have.join(' ')) {
    list.replaceChildren(...wanted.map((value) => buildBar(value, common)));
    for (const name of [...list.classList]) if (/^bars--n\d$/.test(name)) list.classList.remove(name);
    list.classList.add(`bars--n${wanted.length}`);
  }
  const counts = tally.counts || {};
  const percent = tally.percent || {};
  for (const item of list.querySelectorAll('[data-choice]')) {
    const choice = item.dataset.choice;
    const pct = Number(percent[choice]) || 0;
    setPercent(item.querySelector('[data-fill]'), pct);
    setText(item.querySelector('[data-pct]'), `${pct}%`);
    setText(item.querySelector('[data-count]'), votesText(common, Number(counts[choice]) || 0));
  }
  const mean = list.nextElementSibling;
  if (mean && mean.matches('[data-mean]')) {
    const has = tally.mean !== undefined && tally.mean !== null && !!tally.counts;
    mean.hidden = !has;
    setText(mean, has ? format(common.mean, { mean: decimal(tally.mean) }) : '');
  }
}

/** The swing in words: "Agree +12 points", or a draw. */
export function swingText(swing, common) {
  if (swing.draw) return common.swing_draw;
  return format(common.swing_gain, {
    choice: (common.labels || {})[swing.leader] || swing.leader, points: number(swing.points),
  });
}

// ---- the countdown -------------------------------------------------------------------------------

/** m:ss */
export function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * A countdown shown in the countdown macro's box. `set(timer)` takes a state frame's `timer`
 * ({seconds_left} counted from now: phone clocks are not trusted) or null. The visible numbers
 * change every second; `announce(text)` is called only at coarse steps (every minute, 30 s,
 * 10 s, and at zero), so screen readers are not flooded.
 */
export function countdown(box, common, announceText = () => {}) {
  const value = box ? box.querySelector('[data-timer-value]') : null;
  let ends = null;
  let interval = null;
  let lastStep = null;

  function step(left) {
    if (left <= 0) return 0;
    if (left <= 10) return 10;
    if (left <= 30) return 30;
    return Math.ceil(left / 60) * 60;
  }
  function say(left) {
    const s = step(left);
    if (s === lastStep) return;
    const first = lastStep === null;
    lastStep = s;
    if (first && s !== 0) return; // the start is announced by what started it
    if (s === 0) announceText(common.timer_done);
    else if (s < 60) announceText(format(common.timer_seconds, { n: s }));
    else announceText(format(common.timer_minutes, { n: s / 60 }));
  }
  function tick() {
    if (ends === null || !box) return;
    const left = (ends - performance.now()) / 1000;
    setText(value, clock(left));
    box.classList.toggle('is-ending', left <= 10);
    say(left);
    if (left <= 0) {
      clearInterval(interval);
      interval = null;
    }
  }
  return {
    set(timer) {
      if (!box) return;
      if (!timer || typeof timer.seconds_left !== 'number') {
        ends = null;
        lastStep = null;
        clearInterval(interval);
        interval = null;
        box.hidden = true;
        return;
      }
      ends = performance.now() + timer.seconds_left * 1000;
      box.hidden = false;
      tick();
      if (interval === null) interval = setInterval(tick, 250);
    },
  };
}

/** The size class for user text by length; the same steps as the length_class template macro. */
export function setLengthClass(node, text) {
  if (!node) return;
  const n = [...(text || '')].length;
  const size = n <= 60 ? 's' : n <= 140 ? 'm' : n <= 320 ? 'l' : n <= 900 ? 'xl' : 'xxl';
  for (const name of [...node.classList]) if (name.startsWith('len-')) node.classList.remove(name);
  node.classList.add(`len-${size}`);
}

/** Say something through an aria-live region, even when it is the same text as last time. */
export function announce(region, text) {
  if (!region) return;
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 50);
}

/**
 * The small "reconnecting…" badge. Shown only after the socket has been down for a moment, so a
 * quick reconnect does not flicker; empty (hidden by CSS) while connected.
 */
export function connectionBadge(node, common) {
  let timer = null;
  return (status) => {
    if (!node) return;
    if (status === 'open') {
      clearTimeout(timer);
      timer = null;
      node.textContent = '';
      node.classList.remove('is-stopped');
    } else if (status === 'closed' && timer === null && !node.textContent) {
      timer = setTimeout(() => { timer = null; node.textContent = common.reconnecting; }, 800);
    } else if (status === 'stopped') {
      clearTimeout(timer);
      timer = null;
      node.classList.add('is-stopped');
      node.textContent = common.reconnecting;
    }
  };
}
