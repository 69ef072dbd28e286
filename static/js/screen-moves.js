// How minds moved on the projector (templates/_screen_moves.html): shown while the moderator puts
// it on (`show_moves` in `state` frames), redrawn from the results' `moves` in state and tally
// frames. Every text goes in through textContent.
import { el, format, number, setText } from './ui.js';

/**
 * The moves under `stage`; `data` is the page's config (`moves` strings, `choices`, `common`).
 * Returns `state(frame)` for `state` frames and `apply(results)` for the numbers the projector
 * may show (null: hidden); both call `changed()` when the stage's room may have changed.
 */
export function screenMoves(stage, data, changed) {
  const box = stage.querySelector('[data-screen-moves]');
  if (!box) return { state() {}, apply() {} };
  const strings = data.moves || {};
  const labels = (data.common || {}).labels || {};
  const status = box.querySelector('[data-smoves-status]');
  const rows = box.querySelector('[data-smoves-rows]');
  const label = (value) => labels[value] || value;
  const plural = (key, n) => format(n === 1 ? strings[`${key}_one`] : strings[`${key}_other`], { n: number(n) });

  function row(before, moves) {
    const total = moves.reduce((sum, m) => sum + m.count, 0);
    const li = el('li', 'smoves__row');
    const from = el('p', 'smoves__from');
    from.append(el('span', `smoves__was smoves__was--${before}`, format(strings.was, { choice: label(before) })), ' ',
      el('span', 'smoves__n', plural('people', total)));
    const bar = el('span', 'smoves__bar');
    bar.setAttribute('aria-hidden', 'true');
    const list = el('ul', 'smoves__to');
    for (const m of moves) {
      if (!m.count) continue;
      const pct = Math.max(0, Math.min(100, Math.round((100 * m.count) / total)));
      bar.append(el('span', `smoves__part smoves__part--${m.after} p-${pct}`, number(m.count)));
      const stayed = m.after === before;
      const item = el('li', `smoves__now smoves__now--${m.after}${stayed ? ' smoves__now--stayed' : ''}`);
      item.append(el('strong', '', number(m.count)), ' ',
        format(stayed ? strings.stayed : strings.now, { choice: label(m.after) }));
      list.append(item);
    }
    li.append(from, bar, list);
    return li;
  }

  return {
    state(frame) {
      const on = !!frame.show_moves;
      if ((stage.dataset.moves === 'on') === on) return;
      stage.dataset.moves = on ? 'on' : 'off';
      box.hidden = !on;
      changed();
    },
    apply(results) {
      if (box.hidden) return;
      const visible = !!(results && results.counts);
      const moves = visible ? results.moves : null;
      if (visible && moves === undefined) return; // a frame from before the moves went on
      setText(status, !visible ? strings.hidden : !moves ? strings.nobody : plural('voters', moves.voters));
      const order = data.choices || [];
      rows.replaceChildren(...(moves ? order.map((before) => {
        const mine = moves.moves.filter((m) => m.before === before);
        return mine.some((m) => m.count) ? row(before, mine) : null;
      }).filter(Boolean) : []));
    },
  };
}
