// The parts of the page helpers that only the projector and the moderator use, so that a phone
// loads ui.js alone: the stacked bar, the group split and the round compare kept live, the phase
// pill, and text fitted to a box.
import {
  buildBars, el, format, number, setPercent, setText, swingText, updateBars, votesText,
} from './ui.js';

/** Update a stacked bar drawn by the stacked_bar macro (redrawn when the answers changed). */
export function updateStack(stack, tally) {
  if (!stack || !tally || !tally.percent) return;
  const wanted = Object.keys(tally.percent);
  const have = [...stack.querySelectorAll('[data-part]')].map((part) => part.dataset.part);
  if (wanted.join(' ') !== have.join(' ')) {
    stack.replaceChildren(...wanted.map((value) => {
      const part = el('span', `stack__part stack__part--${value}`);
      part.dataset.part = value;
      return part;
    }));
  }
  for (const part of stack.querySelectorAll('[data-part]')) {
    setPercent(part, tally.percent[part.dataset.part]);
  }
}

function buildStack(tally) {
  const stack = el('span', 'stack');
  stack.setAttribute('aria-hidden', 'true');
  stack.dataset.stack = '';
  updateStack(stack, tally);
  return stack;
}

/** The group_split macro's list, redrawn from a results' `groups` (hidden without). */
export function renderGroups(list, groups, common) {
  if (!list) return;
  if (!groups || !groups.length) {
    list.hidden = true;
    list.replaceChildren();
    return;
  }
  list.replaceChildren(...groups.map((group) => {
    const row = el('li', 'gsplit__row');
    const name = el('span', 'gsplit__name', group.name || common.no_group);
    name.dir = 'auto';
    row.append(
      name, buildStack(group),
      el('span', 'gsplit__agree', format(common.group_agree, { pct: number(group.agree) })),
      el('span', 'gsplit__total', votesText(common, Number(group.total) || 0)),
    );
    return row;
  }));
  list.hidden = false;
}

/**
 * The round_compare macro's block, redrawn: round 1 beside round 2 and the swing, when `results`
 * has a `before` (a second round); hidden otherwise.
 */
export function renderCompare(box, results, common, variant = 'compact') {
  if (!box) return;
  if (!results || !results.before || !results.counts) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const choices = Object.keys(results.counts);
  const parts = [];
  for (const [title, tally] of [[format(common.round, { round: 1 }), results.before],
    [format(common.round, { round: 2 }), results]]) {
    const column = el('div', 'compare__round');
    const { list, box: bars } = buildBars(choices, common, variant);
    column.append(el('h3', 'compare__title', title), bars);
    updateBars(list, tally, common, choices);
    parts.push(column);
  }
  if (results.swing) {
    const line = el('p', results.swing.draw ? 'swing swing--draw' : `swing swing--${results.swing.leader}`);
    const n = Number(results.swing.voters) || 0;
    line.append(
      el('strong', 'swing__text', swingText(results.swing, common)), ' ',
      el('span', 'swing__note', format(n === 1 ? common.swing_voters_one : common.swing_voters_other,
        { n: number(n) })),
    );
    parts.push(line);
  }
  box.replaceChildren(...parts);
  box.hidden = false;
}

/** The pill drawn by the phase_label macro: its colour class and text. */
export function setPhaseLabel(label, phase, common) {
  if (!label) return;
  label.className = `phase phase--${phase}`;
  setText(label.querySelector('[data-phase-text]'), common[`phase_${phase}`] || '');
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
