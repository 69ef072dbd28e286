// Moderator controls shared by the moderator page and the projector: the keys, and sending one
// action to POST /d/{id}/control the way a plain form would (URL-encoded, with the CSRF token).
import { format } from './ui.js';

/** Keys a moderator may press (the projector adds its own screen keys). */
export const MODERATOR_KEYS = {
  ArrowRight: 'next', n: 'next', N: 'next',
  ArrowLeft: 'prev', p: 'prev', P: 'prev',
  o: 'toggle', O: 'toggle',
  r: 'reveal', R: 'reveal',
};

/** True when a key press belongs to something else: typing, or a browser shortcut. */
export function notForUs(event) {
  if (event.defaultPrevented || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return true;
  const target = event.target;
  return target instanceof Element
    && (!!target.closest('input, textarea, select, [contenteditable]') || target.isContentEditable);
}

/**
 * Send one control and apply the state the server answers with.
 * `report(text)` shows a problem ('' clears it); `apply(state)` takes the new live state.
 */
export async function sendControl(url, body, strings, { report, apply }) {
  let response;
  try {
    // URL-encoded like a plain form post (the server takes no multipart bodies).
    response = await fetch(url, {
      method: 'POST', body: new URLSearchParams(body), headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    });
  } catch {
    report(strings.offline);
    return;
  }
  if (response.status === 401) {
    report(strings.signed_out);
    return;
  }
  let reply = null;
  try {
    reply = await response.json();
  } catch {
    reply = null;
  }
  if (!response.ok) {
    report(format(strings.failed, { message: (reply && reply.message) || response.statusText || response.status }));
    return;
  }
  report('');
  // the same state every page gets over the socket; applying it now saves a round trip
  if (reply && typeof reply === 'object' && 'phase' in reply) apply(reply);
}
