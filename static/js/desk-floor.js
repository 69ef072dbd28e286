// The moderator's floor panel (templates/_desk.html): who speaks, who waits by stance, and the
// "Next from agree / disagree" buttons (plain form posts, sent by moderate.js), each enabled only
// while someone of that side waits, so the sides can take turns.
import { el, format, number, setText } from './ui.js';

/** The side a stance counts for when the moderator calls "next from …". */
export function sideOf(stance) {
  if (stance === 'agree' || stance === 'strongly_agree') return 'agree';
  if (stance === 'disagree' || stance === 'strongly_disagree') return 'disagree';
  return stance === 'neutral' ? 'neutral' : 'none';
}

/** "Ann (Agree)", or "anonymous (No vote now)": a speaker as the pages name them. */
export function speakerText(speaker, common, strings) {
  const stance = speaker.stance ? (common.labels || {})[speaker.stance] || speaker.stance : strings.no_vote;
  return format(strings.speaking, { name: speaker.name || strings.anonymous, stance });
}

/** The panel under `root`; returns `apply(frame)` for `floor` frames. */
export function floorDesk(root, data) {
  const panel = root.querySelector('[data-floor-panel]');
  if (!panel) return { apply() {} };
  const strings = data.desk || {};
  const common = data.common || {};
  const speaking = panel.querySelector('[data-speaking]');
  const count = panel.querySelector('[data-floor-count]');
  const sections = new Map([...panel.querySelectorAll('[data-stance]')].map((s) => [s.dataset.stance, s]));
  const calls = [...panel.querySelectorAll('[data-side]')];

  return {
    apply(frame) {
      const queue = frame.queue || [];
      setText(speaking, frame.speaking ? speakerText(frame.speaking, common, strings) : strings.nobody_speaking);
      setText(count, format(queue.length === 1 ? strings.waiting_one : strings.waiting_other, { n: number(queue.length) }));
      for (const button of calls) {
        const side = button.dataset.side;
        button.disabled = !queue.some((s) => side === 'any' || sideOf(s.stance) === side);
      }
      const byStance = new Map([...sections.keys()].map((key) => [key, []]));
      for (const speaker of queue) {
        const key = sections.has(speaker.stance) ? speaker.stance : 'none';
        const item = el('li', '', speaker.name || strings.anonymous);
        item.dir = 'auto';
        byStance.get(key).push(item);
      }
      for (const [key, section] of sections) {
        const items = byStance.get(key);
        section.querySelector('[data-speaker-list]').replaceChildren(...items);
        setText(section.querySelector('[data-stance-count]'), number(items.length));
        section.hidden = items.length === 0;
      }
    },
  };
}
