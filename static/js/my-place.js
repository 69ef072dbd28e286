// This phone's place on the opinion map (templates/_my_place.html), while the moderator shows
// the map on the projector. Each phone's line is its own, so it is not broadcast: the phone asks
// with a `my_group` message when a `state` frame says the map went on (or after a reconnect);
// after that the server sends it a new line whenever a recomputation of the map changed it.
import { format, number, setText } from './ui.js';

/**
 * The line under `root`; `data.my_place` holds the first answer and the strings.
 * `send(message)` is true when the socket took it. Returns `state(frame)`, `apply(frame)` for
 * `my_group` frames and `reset()` (socket lost).
 */
export function myPlace(root, data, send) {
  const line = root.querySelector('[data-my-place]');
  const config = data.my_place || {};
  const strings = config.strings || {};
  let shown = !!(config.place && config.place.shown);
  let asked = shown; // the page came with its line

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
      if (!line || (frame.shown && !shown)) return; // a line sent just before the map went off
      line.hidden = !frame.shown;
      setText(line, frame.shown ? text(frame) : '');
    },
    reset() {
      asked = false; // the next socket's state frame asks again
    },
  };
}
