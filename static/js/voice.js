// The room's voice on the phone (docs/protocol.md): this phone's reason with its vote, the room's
// reasons and the waiting proposals with +1s, and the floor. vote.js owns the socket and the
// stage; it hands every frame to `handle` first (true: the frame was the voice's) and calls
// `render` whenever the stage or this phone's vote changes.
//
// Every action goes over the socket when it is open, else as the same plain form posted in the
// background (the server answers with the frame the socket would have sent). The answers come
// back in order on one socket, so a refusal without an id belongs to the oldest voice message
// still waiting for its answer.
import { announce } from './ui.js';
import { floorBox } from './floor.js';
import { myReason, plusLists } from './reasons.js';

export function roomVoice(root, { data, send, stage, announcer }) {
  const common = data.common || {};
  const initial = data.voice || {};
  const errorLine = root.querySelector('[data-voice-error]');
  let awaiting = 0; // voice messages sent on the open socket, not answered yet
  let sentReason = null; // the id of the reason message in flight (its refusal carries it)

  function showError(text) {
    errorLine.textContent = text || '';
    errorLine.hidden = !text;
    if (text) announce(announcer, text);
  }

  async function deliver(message, form, fields = {}) {
    showError('');
    if (message.type === 'reason') sentReason = message.id;
    if (send(message)) {
      awaiting += 1;
      return;
    }
    const body = new URLSearchParams(new FormData(form));
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    let response;
    try {
      response = await fetch(form.getAttribute('action'), {
        method: 'POST', body, headers: { Accept: 'application/json' }, credentials: 'same-origin',
      });
    } catch {
      showError(ctx.strings.failed);
      return;
    }
    let reply = null;
    try { reply = await response.json(); } catch { reply = null; }
    if (response.ok && reply && reply.type) answer(reply);
    else showError((reply && reply.message) || ctx.strings.failed);
  }

  const ctx = {
    strings: data.voice_strings || {},
    labels: common.labels || {},
    stage,
    deliver,
    say: (text) => announce(announcer, text),
    csrf: () => root.querySelector('input[name="csrftoken"]')?.value || '',
    myReasonId: () => null,
  };
  const mine = myReason(root, ctx, initial);
  ctx.myReasonId = () => mine.id();
  const lists = plusLists(root, ctx, initial);
  const floor = floorBox(root, ctx, initial);

  function render() {
    mine.render();
    lists.render();
    floor.render();
  }

  // An answer to this phone's own message (over the socket or a background form).
  function answer(frame) {
    switch (frame.type) {
      case 'reason': mine.saved(frame); break;
      case 'reason_removed': mine.removed(frame.id); break;
      case 'plus': lists.plussed('reason', frame.reason, frame.on); break;
      case 'proposal_plus': lists.plussed('proposal', frame.proposal, frame.on); break;
      case 'floor_asked': floor.asked(frame.token); break;
      default: return;
    }
    render();
  }

  function handle(frame) {
    switch (frame.type) {
      case 'welcome':
        mine.welcome(frame.reason || null);
        lists.welcome(frame.plussed || [], frame.proposal_plus || []);
        floor.welcome(frame.floor ?? null);
        return false; // vote.js reads it too
      case 'state':
        mine.atStage();
        lists.atStage(frame);
        floor.atStage();
        render();
        return false;
      case 'reason': case 'reason_removed': case 'plus': case 'proposal_plus': case 'floor_asked':
        awaiting = Math.max(0, awaiting - 1);
        if (frame.type === 'reason') sentReason = null;
        answer(frame);
        return true;
      case 'reasons': mine.seen(frame); lists.reasons(frame); return true;
      case 'proposals': lists.proposals(frame.pending || []); return true;
      case 'floor': floor.update(frame); return true;
      case 'error':
        if ((frame.id && frame.id === sentReason) || (!frame.id && awaiting > 0)) {
          awaiting = Math.max(0, awaiting - 1);
          if (frame.id === sentReason) sentReason = null;
          showError(frame.message || ctx.strings.failed);
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  return {
    handle,
    render,
    /** The socket closed: what was sent on it will never be answered. */
    reset() { awaiting = 0; },
  };
}
