// The floor on the phone: "I want to speak" after voting (with an optional first name), then
// "You're on the list (Agree)" with Withdraw, and "You have the floor" when a `floor` frame's
// `called` is this phone's token (the server names the called phone only by its token).
// The plain forms in _vote_voice.html work without JavaScript; this keeps them live.
import { format, setText } from './ui.js';

export function floorBox(root, ctx, initial) {
  const box = root.querySelector('[data-floor]');
  const calledLine = box.querySelector('[data-floor-called]');
  const waiting = box.querySelector('[data-floor-waiting]');
  const statusLine = box.querySelector('[data-floor-status]');
  const withdrawForm = box.querySelector('[data-floor-withdraw]');
  const withdrawButton = withdrawForm.querySelector('button');
  const askForm = box.querySelector('[data-floor-form]');
  const { strings, labels } = ctx;

  const first = ctx.stage();
  let token = initial.floor_token ?? null;
  let stance = initial.floor_stance ?? null; // this phone's vote when it asked
  let called = initial.floor ? initial.floor.called ?? null : null;
  let hadFloor = !!token && token === called; // told already: no second announcement
  let key = keyOf(first); // the statement (and round) the token belongs to; 'next': the next state's

  function keyOf(s) {
    return s.statement ? String(s.statement.id) : null;
  }

  function render() {
    const s = ctx.stage();
    const mineNow = !!token && token === called;
    box.hidden = !s.statement || !(s.myChoice || token);
    calledLine.hidden = !mineNow;
    waiting.hidden = !token || mineNow;
    const label = labels[stance] || stance;
    setText(statusLine, label ? format(strings.on_list, { stance: label }) : strings.on_list_plain);
    withdrawForm.hidden = !token;
    setText(withdrawButton, mineNow ? strings.done : strings.withdraw);
    askForm.hidden = !!token;
    box.classList.toggle('has-floor', mineNow);
  }

  askForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = askForm.elements.name.value.trim();
    ctx.deliver({ type: 'floor', name }, askForm, { name });
  });
  withdrawForm.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.deliver({ type: 'floor_withdraw' }, withdrawForm);
  });

  return {
    render,
    welcome(value) {
      token = value;
      key = 'next';
      if (!token) hadFloor = false;
    },
    atStage() {
      const now = keyOf(ctx.stage());
      if (key === 'next') key = now;
      else if (key !== now) {
        key = now;
        token = null;
        called = null;
        hadFloor = false;
      }
    },
    asked(value) {
      token = value;
      key = keyOf(ctx.stage());
      if (token) {
        stance = ctx.stage().myChoice || null;
        render();
        ctx.say(statusLine.textContent);
      } else {
        hadFloor = false;
      }
    },
    update(frame) {
      const s = ctx.stage();
      if (!s.statement || frame.statement !== s.statement.id) return;
      called = frame.called ?? null;
      if (token && hadFloor && called !== token) {
        token = null; // the moderator gave the floor to the next: this phone is done
        hadFloor = false;
      } else if (token && called === token && !hadFloor) {
        hadFloor = true;
        render();
        calledLine.scrollIntoView({ block: 'center', behavior: 'smooth' });
        ctx.say(strings.have_floor);
        if (navigator.vibrate) {
          try { navigator.vibrate([200, 100, 200]); } catch { /* not allowed: the words say it */ }
        }
      }
      render();
    },
  };
}
