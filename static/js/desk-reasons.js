// The moderator's reasons panel (templates/_desk.html): every reason of the statement on stage,
// by its author's stance, live from the `reasons` frame's `all`; hide / show / approve /
// spotlight are the plain forms the page has, sent by moderate.js. Key S spotlights the
// focused reason, or takes the spotlight off.
import { notForUs } from './moderation.js';
import { el, format, number, setText } from './ui.js';

const SORT_KEY = 'debate-poll:reasons-sort';

function storedSort() {
  try {
    return localStorage.getItem(SORT_KEY) === 'newest' ? 'newest' : 'plus';
  } catch {
    return 'plus'; // storage blocked: the default
  }
}

function countText(strings, prefix, n) {
  return format(n === 1 ? strings[`${prefix}_one`] : strings[`${prefix}_other`], { n: number(n) });
}

/**
 * The panel under `root`; `data` is the page's config (its `desk` strings, `spotlight`,
 * `reason_url`, `spotlight_off_url`); `send(url, body)` posts a control like a form would.
 * Returns `apply(frame)` for `reasons` frames and `spotlight(info)` for the state's spotlight.
 */
export function reasonsDesk(root, data, send) {
  const panel = root.querySelector('[data-reasons-panel]');
  if (!panel) return { apply() {}, spotlight() {} };
  const strings = data.desk || {};
  const sections = new Map([...panel.querySelectorAll('[data-stance]')].map((s) => [s.dataset.stance, s]));
  const count = panel.querySelector('[data-reasons-count]');
  const empty = panel.querySelector('[data-reasons-empty]');
  const spotBox = panel.querySelector('[data-spotlight-box]');
  const spotText = panel.querySelector('[data-spotlight-text]');
  const sortGroup = panel.querySelector('[data-reasons-sort]');
  let reasons = null; // the latest `all`; null until a frame came (the page's own list stands)
  let spotlit = data.spotlight ? data.spotlight.id : null;
  let sort = storedSort();

  const csrf = () => root.querySelector('input[name="csrftoken"]')?.value || '';
  const urlOf = (id) => data.reason_url.replace(/\/0$/, `/${encodeURIComponent(id)}`);

  function item(reason) {
    const li = el('li', 'dreason');
    li.dataset.reasonId = String(reason.id);
    li.tabIndex = -1;
    const text = el('p', 'dreason__text');
    text.dir = 'auto';
    const meta = el('p', 'dreason__meta');
    const plus = el('span', 'dreason__plus');
    plus.dataset.reasonPlus = '';
    const hidden = el('span', 'badge badge--muted', strings.hidden);
    hidden.dataset.reasonHidden = '';
    const held = el('span', 'badge badge--held', strings.held);
    held.dataset.reasonHeld = '';
    const on = el('span', 'badge badge--live', strings.spotlit);
    on.dataset.reasonSpotlit = '';
    meta.append(plus, ' ', hidden, ' ', held, ' ', on);
    const form = el('form', 'dreason__actions');
    form.method = 'post';
    form.setAttribute('action', urlOf(reason.id));
    form.dataset.controlForm = '';
    const token = el('input');
    token.type = 'hidden';
    token.name = 'csrftoken';
    token.value = csrf();
    const button = (what, className) => {
      const b = el('button', `btn ${className} btn--small`);
      b.name = 'action';
      b.dataset.reasonDo = what;
      return b;
    };
    const approve = button('approve', 'btn--success');
    approve.value = 'approve';
    approve.textContent = strings.approve;
    form.append(token, button('hide', 'btn--secondary'), approve, button('spotlight', 'btn--secondary'));
    li.append(text, meta, form);
    return li;
  }

  // Bring one item in line with the reason (a server-rendered one or one made here).
  function update(li, reason) {
    const on = reason.id === spotlit;
    li.classList.toggle('is-hidden', !!reason.hidden);
    li.classList.toggle('is-held', !!reason.held);
    li.classList.toggle('is-spotlit', on);
    setText(li.querySelector('.dreason__text'), reason.text);
    setText(li.querySelector('[data-reason-plus]'), countText(strings, 'plus', reason.plus || 0));
    li.querySelector('[data-reason-hidden]').hidden = !reason.hidden;
    li.querySelector('[data-reason-held]').hidden = !reason.held;
    li.querySelector('[data-reason-spotlit]').hidden = !on;
    const hide = li.querySelector('[data-reason-do="hide"]');
    hide.value = reason.hidden ? 'show' : 'hide';
    setText(hide, reason.hidden ? strings.show : strings.hide);
    let approve = li.querySelector('[data-reason-do="approve"]');
    if (reason.held && !approve) {
      approve = item(reason).querySelector('[data-reason-do="approve"]');
      hide.after(approve);
    } else if (!reason.held && approve) approve.remove();
    const spot = li.querySelector('[data-reason-do="spotlight"]');
    spot.value = 'spotlight';
    setText(spot, strings.spotlight);
    spot.setAttribute('aria-pressed', String(on));
    spot.disabled = !!reason.hidden;
    if (on) spot.setAttribute('formaction', data.spotlight_off_url);
    else spot.removeAttribute('formaction');
  }

  function ordered(list) {
    const newest = (a, b) => (b.created_at || '').localeCompare(a.created_at || '') || b.id - a.id;
    return [...list].sort(sort === 'plus' ? (a, b) => (b.plus - a.plus) || newest(a, b) : newest);
  }

  function render() {
    if (!reasons) return;
    const existing = new Map([...panel.querySelectorAll('.dreason')].map((li) => [li.dataset.reasonId, li]));
    const focused = panel.contains(document.activeElement) ? document.activeElement : null;
    const bySection = new Map([...sections.keys()].map((key) => [key, []]));
    for (const reason of ordered(reasons)) {
      const key = sections.has(reason.stance) ? reason.stance : 'none';
      const li = existing.get(String(reason.id)) || item(reason);
      update(li, reason);
      bySection.get(key).push(li);
    }
    for (const [key, section] of sections) {
      const items = bySection.get(key);
      const list = section.querySelector('[data-reason-list]');
      const same = items.length === list.children.length && items.every((li, i) => list.children[i] === li);
      if (!same) list.replaceChildren(...items);
      setText(section.querySelector('[data-stance-count]'), number(items.length));
      if (key === 'none') section.hidden = items.length === 0;
    }
    if (focused && panel.contains(focused) && document.activeElement !== focused) focused.focus();
    setText(count, countText(strings, 'reasons', reasons.length));
    empty.hidden = reasons.length > 0;
  }

  function syncSort() {
    for (const button of sortGroup.querySelectorAll('[data-sort]')) {
      button.setAttribute('aria-pressed', String(button.dataset.sort === sort));
    }
  }
  sortGroup.hidden = false;
  syncSort();
  sortGroup.addEventListener('click', (event) => {
    const button = event.target.closest('[data-sort]');
    if (!button) return;
    sort = button.dataset.sort === 'newest' ? 'newest' : 'plus';
    try { localStorage.setItem(SORT_KEY, sort); } catch { /* not remembered; sorted for now */ }
    syncSort();
    render();
  });

  // The page's own list, read back, so a choice of sort applies before the first frame.
  reasons = [...panel.querySelectorAll('.dreason')].map((li) => ({
    id: Number(li.dataset.reasonId),
    text: li.querySelector('.dreason__text').textContent,
    stance: li.closest('[data-stance]').dataset.stance,
    plus: Number((li.querySelector('[data-reason-plus]').textContent.match(/\d+/) || ['0'])[0]),
    hidden: li.classList.contains('is-hidden'),
    held: li.classList.contains('is-held'),
    created_at: '',
  }));
  if (sort !== 'plus') render();

  function spotlight(info) {
    spotlit = info ? info.id : null;
    spotBox.hidden = !info;
    setText(spotText, info ? info.text : '');
    for (const li of panel.querySelectorAll('.dreason')) {
      const reason = reasons && reasons.find((r) => String(r.id) === li.dataset.reasonId);
      if (reason) update(li, reason);
    }
  }

  function post(url, action) {
    const body = new URLSearchParams({ csrftoken: csrf() });
    if (action) body.set('action', action);
    send(url, body);
  }

  document.addEventListener('keydown', (event) => {
    if ((event.key !== 's' && event.key !== 'S') || notForUs(event)) return;
    const focused = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest('.dreason') : null;
    const id = focused && panel.contains(focused) ? Number(focused.dataset.reasonId) : null;
    if (id !== null && id !== spotlit && !focused.classList.contains('is-hidden')) post(urlOf(id), 'spotlight');
    else if (spotlit !== null) post(data.spotlight_off_url, null);
    else return;
    event.preventDefault();
  });

  return {
    apply(frame) {
      reasons = frame.all || [];
      render();
    },
    spotlight,
  };
}
