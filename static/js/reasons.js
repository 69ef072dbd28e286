// Reasons on the phone: this phone's own reason (given, edited, removed while voting is open; shown
// with its stance, which is its vote now), and the +1 lists: the room's reasons per stance and the
// proposals waiting for the moderator. The markup mirrors _vote_voice.html (the plain forms work
// without JavaScript); user text only ever goes in as text.
import { el, format, number, setText } from './ui.js';

const MAX_REASON = 280;

export function myReason(root, ctx, initial) {
  const box = root.querySelector('[data-my-reason-box]');
  const card = box.querySelector('[data-my-reason]');
  const stanceLabel = card.querySelector('[data-my-stance]');
  const textLine = card.querySelector('[data-my-text]');
  const note = card.querySelector('[data-my-note]');
  const removeForm = card.querySelector('[data-remove-form]');
  const details = box.querySelector('[data-reason-box]');
  const summary = details.querySelector('[data-reason-summary]');
  const form = details.querySelector('[data-reason-form]');
  const field = form.elements.text;
  const statementField = form.querySelector('[data-reason-statement]');
  const counter = form.querySelector('[data-reason-count]');
  const { strings, labels } = ctx;

  let reason = initial.reason || null; // {id, text, stance, plus, held, hidden}
  let key = keyOf(ctx.stage()); // the statement and round it belongs to; 'next': the next state's

  function keyOf(s) {
    return s.statement ? `${s.statement.id}:${s.round}` : null;
  }

  function count() {
    setText(counter, format(strings.count, { n: number(field.value.length), max: MAX_REASON }));
  }

  function render() {
    const s = ctx.stage();
    const open = !!s.statement && s.phase === 'open';
    box.hidden = !s.statement || !(s.myChoice || reason);
    card.hidden = !reason;
    if (reason) {
      const stance = s.myChoice || reason.stance; // the stance follows the vote
      stanceLabel.className = `stance stance--${stance || 'none'}`;
      setText(stanceLabel, labels[stance] || '');
      setText(textLine, reason.text);
      note.hidden = !reason.held && !reason.hidden;
      setText(note, reason.hidden ? strings.hidden : strings.held);
      removeForm.elements.reason.value = String(reason.id);
    }
    const wasHidden = details.hidden;
    details.hidden = !(open && s.myChoice);
    if (wasHidden && !details.hidden && !reason) details.open = true; // just voted: ask why
    setText(summary, reason ? strings.edit : strings.why);
    statementField.value = s.statement ? String(s.statement.id) : '';
  }

  field.addEventListener('input', count);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const s = ctx.stage();
    const text = field.value.trim();
    if (!text || !s.statement) return;
    const id = `r-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
    ctx.deliver({ type: 'reason', id, statement: s.statement.id, text }, form);
  });
  removeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (reason) ctx.deliver({ type: 'reason_remove', reason: reason.id }, removeForm);
  });
  count();

  return {
    render,
    id: () => (reason ? reason.id : null),
    /** The room's list shows this reason: so the moderator approved it (or showed it again). */
    seen(frame) {
      if (!reason || !(reason.held || reason.hidden)) return;
      const listed = Object.values(frame.top || {}).flat().some((item) => item.id === reason.id);
      if (listed) { reason.held = false; reason.hidden = false; render(); }
    },
    welcome(value) {
      // the server's word, held or not (the moderator may have approved it meanwhile)
      reason = value ? { ...value, held: !!value.held, hidden: !!value.hidden } : null;
      key = 'next';
    },
    atStage() {
      const now = keyOf(ctx.stage());
      if (key === 'next') key = now;
      else if (key !== now) { // another statement or round: a new reason, if any
        key = now;
        reason = null;
        field.value = '';
        count();
      }
      if (reason && !field.value) { field.value = reason.text; count(); }
    },
    saved(frame) {
      reason = {
        id: frame.id, text: frame.text, stance: ctx.stage().myChoice || null,
        plus: reason ? reason.plus : 0, held: !!frame.held, hidden: false,
      };
      key = keyOf(ctx.stage());
      field.value = frame.text;
      count();
      details.open = false;
      ctx.say(strings.reason_saved);
    },
    removed(id) {
      if (!reason || reason.id !== id) return;
      reason = null;
      field.value = '';
      count();
      details.open = true;
      ctx.say(strings.reason_removed);
    },
  };
}

// ---- +1 lists -------------------------------------------------------------------------------

function plusCount(strings, n) {
  return format(n === 1 ? strings.plus_one : strings.plus_other, { n: number(n) });
}

// One entry with its text, and a +1 toggle as a small form (or, for this phone's own reason,
// "Your reason"); the same markup as the plus_button macro.
function plusItem(ctx, { kind, action, item, pressed, own }) {
  const li = el('li', 'reason');
  li.dataset[kind] = String(item.id);
  const text = el('p', 'reason__text', item.text);
  text.dir = 'auto';
  const meta = el('div', 'reason__meta');
  if (own) meta.append(el('span', 'reason__own', ctx.strings.yours));
  else {
    const form = el('form', 'plus');
    form.method = 'post';
    form.action = action;
    form.dataset.plusForm = '';
    for (const [name, value] of [['csrftoken', ctx.csrf()], [kind, String(item.id)],
      ['on', pressed ? '0' : '1']]) {
      const input = el('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.append(input);
    }
    const button = el('button', 'plus__button', '+1');
    button.type = 'submit';
    button.dataset.plus = String(item.id);
    button.setAttribute('aria-pressed', String(pressed));
    form.append(button);
    meta.append(form);
  }
  const counted = el('span', 'plus__count', plusCount(ctx.strings, item.plus || 0));
  counted.dataset.plusCount = '';
  meta.append(counted);
  li.append(text, meta);
  return li;
}

export function plusLists(root, ctx, initial) {
  const section = root.querySelector('[data-reasons]');
  const hint = section.querySelector('[data-reasons-hint]');
  const none = section.querySelector('[data-reasons-none]');
  const list = section.querySelector('[data-reasons-list]');
  const proposalBox = root.querySelector('[data-room-proposals]');
  const proposalList = proposalBox.querySelector('[data-room-proposals-list]');
  const reasonAction = section.dataset.action;
  const proposalAction = proposalBox.dataset.action;
  const plussed = { reason: new Set(initial.plussed || []), proposal: new Set(initial.proposal_plus || []) };
  let room = initial.reasons || null; // the last `reasons` frame of the statement on stage
  let pending = initial.proposals || null; // waiting proposals (null: not shown to phones)
  let setting = initial.reasons_setting || 'results';
  let drawn = { reasons: '', proposals: '' };

  // Rebuilt only when something changed; the focused +1 keeps its focus.
  function redraw(container, which, signature, build) {
    if (drawn[which] === signature) return;
    drawn[which] = signature;
    const focused = document.activeElement && container.contains(document.activeElement)
      ? document.activeElement.dataset.plus : null;
    container.replaceChildren(...build());
    if (focused) container.querySelector(`[data-plus="${focused}"]`)?.focus();
  }

  function render() {
    const s = ctx.stage();
    const shown = !!room && room.shown && !!s.statement && room.statement === s.statement.id;
    section.hidden = !s.statement || setting === 'never' || !(shown || s.myChoice);
    hint.hidden = shown;
    const mine = ctx.myReasonId();
    const sides = shown ? (s.choices || []).filter((c) => (room.top[c] || []).length) : [];
    none.hidden = !shown || sides.length > 0;
    const signature = JSON.stringify([sides.map((c) => room.top[c]), mine, [...plussed.reason]]);
    redraw(list, 'reasons', signature, () => sides.map((choice) => {
      const side = el('section', 'reasons__side');
      side.dataset.stance = choice;
      const items = el('ol', 'reasons__items');
      for (const item of room.top[choice]) {
        items.append(plusItem(ctx, {
          kind: 'reason', action: reasonAction, item,
          pressed: plussed.reason.has(item.id), own: item.id === mine,
        }));
      }
      side.append(el('h3', `stance stance--${choice}`, ctx.labels[choice] || choice), items);
      return side;
    }));
    proposalBox.hidden = !pending || pending.length === 0;
    redraw(proposalList, 'proposals', JSON.stringify([pending, [...plussed.proposal]]),
      () => (pending || []).map((item) => plusItem(ctx, {
        kind: 'proposal', action: proposalAction, item, pressed: plussed.proposal.has(item.id),
      })));
  }

  function onSubmit(kind) {
    return (event) => {
      const form = event.target.closest('[data-plus-form]');
      if (!form) return;
      event.preventDefault();
      const id = Number(form.elements[kind].value);
      const on = !plussed[kind].has(id);
      const message = kind === 'reason' ? { type: 'plus', reason: id, on }
        : { type: 'proposal_plus', proposal: id, on };
      ctx.deliver(message, form, { on: on ? '1' : '0' });
    };
  }
  // the server's own forms, and those built here, answer the same way
  list.addEventListener('submit', onSubmit('reason'));
  proposalList.addEventListener('submit', onSubmit('proposal'));

  return {
    render,
    welcome(reasonIds, proposalIds) {
      plussed.reason = new Set(reasonIds);
      plussed.proposal = new Set(proposalIds);
    },
    atStage(state) {
      if (state.debate) {
        setting = state.debate.reasons || setting;
        if (!state.debate.proposals_public) pending = null;
      }
      const s = ctx.stage();
      if (room && (!s.statement || room.statement !== s.statement.id || room.round !== s.round)) {
        room = null;
      }
    },
    reasons(frame) {
      const s = ctx.stage();
      if (!s.statement || frame.statement !== s.statement.id || (frame.round || 1) !== s.round) return;
      room = frame;
      render();
    },
    proposals(items) {
      pending = items;
      render();
    },
    plussed(kind, id, on) {
      if (plussed[kind].has(id) === on) return;
      if (on) plussed[kind].add(id);
      else plussed[kind].delete(id);
      // counted at once here; the next list from the server (at most 2 s later) has it too
      const items = kind === 'reason' ? Object.values(room ? room.top : {}).flat() : pending || [];
      const item = items.find((i) => i.id === id);
      if (item) item.plus = Math.max(0, (item.plus || 0) + (on ? 1 : -1));
    },
  };
}
