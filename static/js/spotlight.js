// The room's voice on the projector (templates/screen.html): the reason the moderator put in the
// spotlight (large, anonymous, with its stance), the statement's translation when the debate
// shows both languages, and who has the floor and who is next.
import { speakerText } from './desk-floor.js';
import { format, setText } from './ui.js';

const STANCES = ['strongly_agree', 'agree', 'neutral', 'disagree', 'strongly_disagree'];

/**
 * The voice parts of the stage under `stage`; `data` is the page's config (`voice` strings,
 * `common`). Returns `state(frame)` for `state` frames and `floor(frame)` for `floor` frames;
 * both call `changed()` when the space left for the statement may have changed.
 */
export function stageVoice(stage, data, changed) {
  const strings = data.voice || {};
  const common = data.common || {};
  const spot = stage.querySelector('[data-spot]');
  const spotStance = stage.querySelector('[data-spot-stance]');
  const spotText = stage.querySelector('[data-spot-text]');
  const translation = stage.querySelector('[data-statement-translation]');
  const floor = stage.querySelector('[data-floor]');
  const speaking = stage.querySelector('[data-floor-speaking]');
  const next = stage.querySelector('[data-floor-next]');

  function stanceLabel(stance) {
    return stance ? (common.labels || {})[stance] || stance : strings.no_vote;
  }

  function spotlight(info) {
    stage.dataset.spotlight = info ? 'on' : 'off';
    spot.hidden = !info;
    for (const stance of STANCES) spot.classList.toggle(`spot--${stance}`, !!info && info.stance === stance);
    setText(spotStance, info ? stanceLabel(info.stance) : '');
    setText(spotText, info ? info.text : '');
  }

  return {
    state(frame) {
      if ('spotlight' in frame) spotlight(frame.spotlight);
      const both = !!frame.debate && frame.debate.screen_languages === 'both';
      const other = both && frame.statement ? frame.statement.translation || '' : '';
      setText(translation, other);
      translation.hidden = !other;
      changed();
    },
    floor(frame) {
      const names = (frame.next || []).map((s) => `${s.name || strings.anonymous} (${stanceLabel(s.stance)})`);
      setText(speaking, frame.speaking ? speakerText(frame.speaking, common, strings) : '');
      speaking.hidden = !frame.speaking;
      setText(next, names.length ? format(strings.next, { names: names.join(', ') }) : '');
      next.hidden = !names.length;
      floor.hidden = !frame.speaking && !names.length;
      changed();
    },
  };
}
