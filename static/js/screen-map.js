// Who thinks alike on the projector (templates/_screen_map.html): shown while the moderator puts
// the map on it (`show_map` in `state` frames), redrawn from each `opinion` frame. SVG through
// desk-map.js (createElementNS); every text goes in through textContent.
import { mapDrawing, mapPeople, mapStatus, mapSwatch } from './desk-map.js';
import { el, format, setText } from './ui.js';

/**
 * The map under `stage`; `data` is the page's config (`opinion` strings, `group_colours`).
 * Returns `state(frame)` for `state` frames and `apply(frame)` for `opinion` frames; both call
 * `changed()` when the statement's room may have changed.
 */
export function screenMap(stage, data, changed) {
  const box = stage.querySelector('[data-screen-map]');
  if (!box) return { state() {}, apply() {} };
  const strings = data.opinion || {};
  const colours = data.group_colours || {};
  const colour = (letter) => colours[letter || ''] || colours[''] || '#586278';
  const status = box.querySelector('[data-smap-status]');
  const drawing = box.querySelector('[data-smap-drawing]');
  const groups = box.querySelector('[data-smap-groups]');

  function belief(side, direction, text) {
    const line = el('p', 'smap__belief');
    const words = el('span', '', text);
    words.dir = 'auto';
    line.append(el('strong', `map__side map__side--${direction}`, side), ' ', words);
    return line;
  }

  return {
    state(frame) {
      const on = !!frame.show_map;
      if ((stage.dataset.map === 'on') === on) return;
      stage.dataset.map = on ? 'on' : 'off';
      box.hidden = !on;
      changed();
    },
    apply(frame) {
      setText(status, mapStatus(frame, strings));
      drawing.hidden = !frame.ready;
      drawing.replaceChildren(...(frame.ready ? [mapDrawing(frame, strings, colour)] : []));
      const items = frame.groups.map((g) => {
        const li = el('li', 'smap__group');
        const name = el('p', 'smap__name');
        name.append(mapSwatch(g.letter, colour), ' ', el('strong', '', format(strings.group, { letter: g.letter })),
          ` · ${mapPeople(strings, g.size)}`);
        li.append(name, ...g.beliefs.map((b) => belief(
          format(b.direction === 'agree' ? strings.agrees : strings.disagrees, { percent: b.percent }), b.direction, b.text)));
        return li;
      });
      for (const c of frame.consensus) {
        const li = el('li', 'smap__group smap__group--all');
        const name = el('p', 'smap__name');
        name.append(el('strong', '', strings.every_group));
        li.append(name, belief(format(c.direction === 'agree' ? strings.all_agree : strings.all_disagree, { percent: c.percent }),
          c.direction, c.text));
        items.push(li);
      }
      groups.replaceChildren(...items);
    },
  };
}
