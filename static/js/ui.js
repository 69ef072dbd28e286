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

function setPercent(node, pct) {
  if (!node) return;
  const value = Math.max(0, Math.min(100, Math.round(Number(pct) || 0)));
  node.style.setProperty('--p', String(value));
}

/** Update a list drawn by the result_bars macro from a Tally.as_dict() shape. */
export function updateBars(list, tally, common) {
  if (!list || !tally) return;
  const counts = tally.counts || {};
  const percent = tally.percent || {};
  for (const item of list.querySelectorAll('[data-choice]')) {
    const choice = item.dataset.choice;
    const pct = Number(percent[choice]) || 0;
    setPercent(item.querySelector('[data-fill]'), pct);
    setText(item.querySelector('[data-pct]'), `${pct}%`);
    setText(item.querySelector('[data-count]'), votesText(common, Number(counts[choice]) || 0));
  }
}

/** Update a stacked bar drawn by the stacked_bar macro. */
export function updateStack(stack, tally) {
  if (!stack || !tally || !tally.percent) return;
  for (const part of stack.querySelectorAll('[data-part]')) {
    setPercent(part, tally.percent[part.dataset.part]);
  }
}

/** The pill drawn by the phase_label macro: its colour class and text. */
export function setPhaseLabel(label, phase, common) {
  if (!label) return;
  label.className = `phase phase--${phase}`;
  setText(label.querySelector('[data-phase-text]'), common[`phase_${phase}`] || '');
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

/**
 * Shrink (or grow) `text`'s font size until it fits inside `box`, between min and max pixels.
 * A binary search over whole pixels: a handful of layouts, even for 5,000 characters.
 */
export function fitText(box, text, { min = 14, max = 200 } = {}) {
  if (!box || !text || !box.clientHeight) return;
  const fits = () => text.scrollHeight <= box.clientHeight + 1 && text.scrollWidth <= box.clientWidth + 1;
  let low = min;
  let high = Math.max(min, max);
  box.classList.remove('is-overflowing');
  text.style.fontSize = `${high}px`;
  if (fits()) return;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    text.style.fontSize = `${middle}px`;
    if (fits()) low = middle; else high = middle;
  }
  text.style.fontSize = `${low}px`;
  box.classList.toggle('is-overflowing', !fits());
}
