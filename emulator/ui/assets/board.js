/**
 * The board as SVG: the normal world on the left, the secure world on the right, the monitor
 * (EL3) between them; each world's memory regions from the board table with who may touch them
 * (a normal-world region is visible to both worlds, a secure one to the secure world only); the
 * loaded TAs and their sessions under the secure world. Trace events animate it: an SMC is a dot
 * from the normal world to the monitor, a world switch a dot through the monitor, an RPC a dot
 * from the secure world back out.
 */
const NS = 'http://www.w3.org/2000/svg';
const W = 900;
const COL = { normal: { x: 10, w: 330 }, monitor: { x: 375, w: 150 }, secure: { x: 560, w: 330 } };
const TOP = 70;
const ROW = 46;
const ACTIVITY = 30;

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

const hex = (v) => '0x' + v.toString(16).padStart(8, '0');
function size(bytes) {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes >> 20} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes >> 10} KiB`;
  return `${bytes} B`;
}
const mid = (c) => c.x + c.w / 2;

export class BoardView {
  /** uuid -> { loaded: boolean, sessions: Set<number> } */
  tas = new Map();
  counters = { smc: 0, switch: 0, rpc: 0 };

  constructor(svg, board) {
    this.svg = svg;
    this.board = board;
    this.draw();
  }

  draw() {
    const s = this.svg;
    s.replaceChildren();
    const byWorld = (w) => this.board.regions.filter((r) => r.world === w).sort((a, b) => a.base - b.base);
    const normal = byWorld('normal');
    const secure = byWorld('secure');
    this.regionsBottom = TOP + Math.max(normal.length, secure.length) * ROW + 40;
    s.append(el('rect', { x: 0, y: 0, width: W, height: 2000, fill: 'white', id: 'backdrop' }));
    this.world('normal', 'Normal world (NS-EL1 firmware, EL0)', '#057', '#def', normal, 'normal and secure world may access');
    this.world('secure', 'Secure world (S-EL1 TEE core, S-EL0 TAs)', '#a05', '#fde', secure, 'secure world only: a normal-world access faults');
    const m = COL.monitor;
    s.append(el('rect', { x: m.x, y: 10, width: m.w, height: this.regionsBottom - 10, rx: 8, fill: '#eee', stroke: '#555', id: 'monitor' }));
    s.append(el('text', { x: mid(m), y: 32, 'text-anchor': 'middle', 'font-weight': 'bold', 'font-size': 14 }, 'Monitor (EL3)'));
    s.append(el('text', { x: mid(m), y: 50, 'text-anchor': 'middle', 'font-size': 11 }, 'SMC: world switch'));
    this.lanes(m);
    this.taGroup = el('g', { id: 'tas' });
    s.append(this.taGroup);
    this.dots = el('g', { id: 'dots' });
    s.append(this.dots);
    this.drawTAs();
  }

  world(id, title, stroke, fill, regions, access) {
    const c = COL[id];
    const s = this.svg;
    s.append(el('rect', { x: c.x, y: 10, width: c.w, height: this.regionsBottom - 10, rx: 8, fill, stroke, id: `world-${id}` }));
    s.append(el('text', { x: c.x + 10, y: 32, 'font-weight': 'bold', 'font-size': 14, fill: stroke }, title));
    s.append(el('text', { x: c.x + 10, y: 50, 'font-size': 11 }, `regions here: ${access}`));
    regions.forEach((r, i) => {
      const y = TOP + i * ROW;
      const g = el('g', { class: 'region', 'data-region': r.id, 'data-world': r.world });
      g.append(el('rect', { x: c.x + 10, y, width: c.w - 20, height: ROW - 8, rx: 4, fill: 'white', stroke }));
      g.append(el('text', { x: c.x + 18, y: y + 16, 'font-size': 12, 'font-weight': 'bold' }, `${r.name}`));
      g.append(el('text', { x: c.x + 18, y: y + 31, 'font-size': 10.5 }, `${hex(r.base)} +${size(r.size)} · ${r.kind} · ${r.world === 'secure' ? 'S only' : 'NS + S'}`));
      g.append(el('title', {}, `${r.id}: ${r.name}, ${hex(r.base)}..${hex(r.base + r.size - 1)}; ${r.world === 'secure' ? 'secure world only' : 'both worlds'}`));
      s.append(g);
    });
  }

  /** The paths the dots travel, drawn faintly: NW <-> monitor <-> SW. */
  lanes(m) {
    const y = this.regionsBottom - 20;
    this.laneY = y;
    this.svg.append(el('line', { x1: mid(COL.normal), y1: y, x2: mid(COL.secure), y2: y, stroke: '#bbb', 'stroke-dasharray': '4 4' }));
    this.svg.append(el('text', { x: mid(m), y: y - 8, 'text-anchor': 'middle', 'font-size': 10, id: 'last-crossing' }, ''));
  }

  drawTAs() {
    const g = this.taGroup;
    g.replaceChildren();
    const c = COL.secure;
    let y = this.regionsBottom + 20;
    g.append(el('text', { x: c.x, y, 'font-weight': 'bold', 'font-size': 13, fill: '#a05' }, 'Trusted applications (secure RAM, S-EL0)'));
    y += 10;
    if (this.tas.size === 0) {
      g.append(el('text', { x: c.x, y: y + 16, 'font-size': 11, fill: '#777' }, 'none loaded yet (a TA loads at its first session)'));
      y += 30;
    }
    for (const [uuid, ta] of this.tas) {
      const box = el('g', { class: 'ta', 'data-uuid': uuid });
      box.append(el('rect', { x: c.x, y, width: c.w, height: 38, rx: 4, fill: '#fde', stroke: '#a05' }));
      box.append(el('text', { x: c.x + 8, y: y + 15, 'font-size': 11, 'font-family': 'monospace' }, uuid));
      const sessions = [...ta.sessions].map((n) => `#${n}`).join(' ') || 'none';
      box.append(el('text', { x: c.x + 8, y: y + 31, 'font-size': 11 }, `${ta.loaded ? 'loaded' : 'seen'}; sessions open: ${sessions}`));
      g.append(box);
      y += 44;
    }
    this.svg.setAttribute('viewBox', `0 0 ${W} ${y + 10}`);
    this.svg.setAttribute('height', String(y + 10));
    this.svg.querySelector('#backdrop').setAttribute('height', String(y + 10));
  }

  ta(uuid) {
    let ta = this.tas.get(uuid);
    if (!ta) {
      ta = { loaded: false, sessions: new Set() };
      this.tas.set(uuid, ta);
    }
    return ta;
  }

  /** A dot from one column to another, with a label over the monitor, and a counter. */
  animate(from, to, color, label, kind) {
    this.counters[kind]++;
    document.body.dataset[kind] = String(this.counters[kind]);
    document.getElementById('counters').textContent =
      `SMCs ${this.counters.smc} · world switches ${this.counters.switch} · RPCs ${this.counters.rpc}`;
    this.svg.querySelector('#last-crossing').textContent = label.slice(0, 28);
    const dot = el('circle', { cx: mid(COL[from]), cy: this.laneY, r: 8, fill: color, class: 'crossing' });
    this.dots.append(dot);
    const dx = mid(COL[to]) - mid(COL[from]);
    const run = dot.animate([{ transform: 'translate(0, 0)', opacity: 1 }, { transform: `translate(${dx}px, 0)`, opacity: 0.2 }],
      { duration: 700, easing: 'ease-in-out' });
    run.onfinish = () => dot.remove();
    const monitor = this.svg.querySelector('#monitor');
    monitor.classList.remove('pulse');
    void monitor.getBBox();
    monitor.classList.add('pulse');
    const li = document.createElement('li');
    li.textContent = label;
    li.dataset.kind = kind;
    const list = document.getElementById('activity');
    list.prepend(li);
    while (list.children.length > ACTIVITY) list.lastChild.remove();
  }

  onEvent(e) {
    switch (e.type) {
      case 'smc': this.animate('normal', 'monitor', '#057', `SMC ${e.name}`, 'smc'); return;
      case 'world-switch':
        this.animate(e.from, e.to, e.to === 'secure' ? '#a05' : '#057', `world switch ${e.from} -> ${e.to} (${e.reason})`, 'switch');
        return;
      case 'rpc':
        if (e.detail.startsWith('RPC to the normal world')) this.animate('secure', 'normal', '#d80', `RPC ${e.name}`, 'rpc');
        return;
      case 'ta-load': this.ta(e.uuid).loaded = true; this.drawTAs(); return;
      case 'session': {
        const ta = this.ta(e.uuid);
        if (e.action === 'open' && (e.result === undefined || e.result === 0)) ta.sessions.add(e.session);
        if (e.action === 'close') ta.sessions.delete(e.session);
        this.drawTAs();
        return;
      }
      default:
    }
  }
}
