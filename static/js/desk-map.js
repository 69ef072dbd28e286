// Who thinks alike, live (templates/_opinion.html): redraws the server's map (poll/map_chart.py)
// and the groups' statements from each `opinion` frame. SVG is built with createElementNS and
// every text goes in through textContent: statements are the moderator's or the audience's words.
import { el, format, number, setText } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const SIZE = 400; // as poll/map_chart.py
const REACH = 180;
const TRACK = '#eef0f4';
const LETTER_SIZE = 28;
const LETTER_LIFT = 20;

function svg(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function radius(count) {
  if (count <= 100) return 5;
  return count <= 500 ? 3.5 : 2;
}

function plural(strings, key, n) {
  return format(n === 1 ? strings[`${key}_one`] : strings[`${key}_other`], { n: number(n) });
}

/** A small dot of a group's colour (decorative: the letter is beside it). */
export function mapSwatch(letter, colour) {
  const box = svg('svg', { class: 'map__swatch', viewBox: '0 0 12 12', width: 12, height: 12, 'aria-hidden': 'true' });
  box.append(svg('circle', { cx: 6, cy: 6, r: 5, fill: colour(letter) }));
  return box;
}

/** "N people", in the page's language (`strings`: OPINION_STRINGS). */
export function mapPeople(strings, n) {
  return plural(strings, 'people', n);
}

/** The map of an `opinion` frame as SVG, as poll/map_chart.py draws it. */
export function mapDrawing(frame, strings, colour) {
  const people = (n) => plural(strings, 'people', n);
  const label = [strings.map_label, ...frame.groups.map((g) =>
    `${format(strings.group, { letter: g.letter })}: ${people(g.size)}.`)].join(' ');
  const chart = svg('svg', { class: 'chart map__chart', viewBox: `0 0 ${SIZE} ${SIZE}`, role: 'img', 'aria-label': label });
  const title = svg('title', {});
  title.textContent = label;
  const middle = SIZE / 2;
  chart.append(title,
    svg('line', { x1: 0, y1: middle, x2: SIZE, y2: middle, stroke: TRACK, 'stroke-width': 2 }),
    svg('line', { x1: middle, y1: 0, x2: middle, y2: SIZE, stroke: TRACK, 'stroke-width': 2 }));
  const r = radius(frame.dots.length);
  const where = new Map();
  for (const dot of frame.dots) {
    const x = middle + dot.x * REACH;
    const y = middle - dot.y * REACH;
    chart.append(svg('circle', {
      class: 'map__dot', 'data-group': dot.group || '', cx: x.toFixed(1), cy: y.toFixed(1), r, fill: colour(dot.group), 'fill-opacity': 0.75,
    }));
    if (dot.group) {
      if (!where.has(dot.group)) where.set(dot.group, []);
      where.get(dot.group).push([x, y]);
    }
  }
  for (const letter of [...where.keys()].sort()) {
    const points = where.get(letter);
    const text = svg('text', {
      class: 'map__letter', x: (points.reduce((s, p) => s + p[0], 0) / points.length).toFixed(1),
      y: (points.reduce((s, p) => s + p[1], 0) / points.length - LETTER_LIFT).toFixed(1), 'text-anchor': 'middle',
      'dominant-baseline': 'central', 'font-size': LETTER_SIZE, 'font-weight': 700, fill: colour(letter),
      stroke: '#ffffff', 'stroke-width': 5, 'paint-order': 'stroke',
    });
    text.textContent = letter;
    chart.append(text);
  }
  return chart;
}

/** The line above the map: how many are on it and in how many groups, or what it waits for. */
export function mapStatus(frame, strings) {
  if (!frame.ready || frame.why_no_groups === 'too_few') {
    return format(strings.waiting, { people: frame.needs_people, statements: frame.needs_statements });
  }
  const onMap = plural(strings, 'on_map', frame.placed);
  if (frame.why_no_groups) return `${onMap} · ${strings.no_groups}`;
  return `${onMap} · ${plural(strings, 'groups', frame.groups.length)}`;
}

/**
 * The panel under `root`; returns `apply(frame)` for `opinion` frames and `state(frame)` for
 * `state` frames (the button that puts the map on the projector says whether it is there).
 */
export function mapDesk(root, data) {
  const panel = root.querySelector('[data-opinion-panel]');
  if (!panel) return { apply() {}, state() {} };
  const toggle = panel.querySelector('[data-map-toggle]');
  const strings = data.opinion || {};
  const colours = data.group_colours || {};
  const colour = (letter) => colours[letter || ''] || colours[''] || '#586278';
  const parts = {
    status: panel.querySelector('[data-opinion-status]'),
    body: panel.querySelector('[data-opinion-body]'),
    map: panel.querySelector('[data-opinion-map]'),
    legend: panel.querySelector('[data-opinion-legend]'),
    groups: panel.querySelector('[data-opinion-groups]'),
    consensus: panel.querySelector('[data-opinion-consensus]'),
    divisive: panel.querySelector('[data-opinion-divisive]'),
  };
  const heading = parts.groups.querySelector('.map__group-title')?.tagName.toLowerCase() || 'h3';

  const swatch = (letter) => mapSwatch(letter, colour);
  const people = (n) => plural(strings, 'people', n);
  const drawing = (frame) => mapDrawing(frame, strings, colour);

  function statementItem(side, sideClass, item) {
    const li = el('li');
    const words = el('span', '', item.text);
    words.dir = 'auto';
    li.append(el('strong', sideClass ? `map__side map__side--${sideClass}` : 'map__side', side), ' ',
      el('span', 'map__statement-pos', format(strings.statement, { position: item.position })), ': ', words);
    return li;
  }

  function list(node, items) {
    node.replaceChildren(...(items.length ? items : [el('li', 'muted', strings.none)]));
  }

  return {
    state(frame) {
      if (!toggle || !('show_map' in frame)) return;
      toggle.value = frame.show_map ? '0' : '1';
      toggle.setAttribute('aria-pressed', String(!!frame.show_map));
    },
    apply(frame) {
      setText(parts.status, mapStatus(frame, strings));
      parts.body.hidden = !frame.ready;
      if (!frame.ready) return;
      parts.map.replaceChildren(drawing(frame));
      parts.legend.replaceChildren(...frame.groups.map((g) => {
        const li = el('li');
        li.append(swatch(g.letter), ' ', el('strong', '', format(strings.group, { letter: g.letter })), ` · ${people(g.size)}`);
        return li;
      }));
      parts.groups.replaceChildren(...frame.groups.map((g) => {
        const section = el('section', 'map__group');
        const title = el(heading, 'map__group-title');
        title.append(swatch(g.letter), ' ', format(strings.group, { letter: g.letter }));
        section.append(title);
        if (g.beliefs.length) {
          const beliefs = el('ul', 'map__beliefs');
          beliefs.append(...g.beliefs.map((b) => statementItem(
            format(b.direction === 'agree' ? strings.agrees : strings.disagrees, { percent: b.percent }), b.direction, b)));
          section.append(beliefs);
        } else {
          section.append(el('p', 'muted', strings.no_beliefs));
        }
        return section;
      }));
      list(parts.consensus, frame.consensus.map((c) => statementItem(
        format(c.direction === 'agree' ? strings.all_agree : strings.all_disagree, { percent: c.percent }), c.direction, c)));
      list(parts.divisive, frame.divisive.map((d) => statementItem(
        format(strings.split, { agreeing: d.agreeing.join(', '), disagreeing: d.disagreeing.join(', ') }), '', d)));
    },
  };
}
