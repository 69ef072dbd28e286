// This phone's place on the opinion map (templates/_my_place.html), while the moderator shows
// the map on the projector. Each phone's line is its own, so it is not broadcast: the phone asks
// with a `my_group` message when a `state` frame says the map went on (or after a reconnect),
// and again a while after its own vote (the map is recomputed every few seconds, not per vote).
import { format, number, setText } from './ui.js';

/**
 * The line under `root`; `data.my_place` holds the first answer, the strings and `refresh`
 * (seconds to wait after a vote). `send(message)` is true when the socket took it. Returns
 * `state(frame)`, `apply(frame)` for `my_group` frames, `voted()` and `reset()` (socket lost).
 */
export function myPlace(root, data, send) {
  const line = root.querySelector('[data-my-place]');
  const config = data.my_place || {};
  const strings = config.strings || {};
  let shown = !!(config.place && config.place.shown);
  let asked = shown; // the page came with its line
  let later = null;

  function ask() {
    asked = send({ type: 'my_group' });
  }

  function plural(key, n, more) {
    return format(n === 1 ? strings[`${key}_one`] : strings[`${key}_other`], { n: number(n), ...more });
  }

  function text(place) {
    if (place.group) {
      return `${plural('group', place.others, { letter: place.group })}; ${plural('agree', place.of, { same: place.same })}`;
    }
    return place.placed ? strings.no_groups : strings.not_placed;
  }

  return {
    state(frame) {
      shown = !!frame.show_map;
      if (!line) return;
      if (!shown) {
        line.hidden = true;
        asked = false;
      } else if (!asked) ask();
    },
    apply(frame) {
      if (!line) return;
      line.hidden = !frame.shown;
      setText(line, frame.shown ? text(frame) : '');
    },
    voted() {
      if (!shown || later !== null) return;
      later = setTimeout(() => { later = null; if (shown) ask(); }, 1000 * (config.refresh || 10));
    },
    reset() {
      asked = false; // the next socket's state frame asks again
    },
  };
}
