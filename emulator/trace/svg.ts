/**
 * One call as an SVG sequence diagram, written as plain SVG text: a lane per party (client, the
 * API server when the call went through it, normal world, monitor, TEE core, TA), an arrow per
 * message in time order (replies dashed), a loop for what the normal world does itself (the
 * supplicant). Self-contained: no fonts, scripts or links to load, so it opens anywhere, offline.
 */
import { lanesOf, sequenceOf, type Lane, type TraceNode } from './tree.js';

const LANE_GAP = 190;
const LEFT = 100;
const TOP = 70;
const ROW = 24;
const MAX_TEXT = 64;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);

export function renderSvg(root: TraceNode): string {
  const lanes = lanesOf(root);
  const x = (lane: Lane) => LEFT + lanes.findIndex(([id]) => id === lane) * LANE_GAP;
  const messages = sequenceOf(root);
  const width = LEFT * 2 + (lanes.length - 1) * LANE_GAP;
  const height = TOP + (messages.length + 1) * ROW + 30;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      'font-family="sans-serif" font-size="11">',
    `<title>${root.call !== undefined ? `call ${root.call}: ` : ''}${esc(root.label)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
      '<path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">${esc(clip(`${root.call !== undefined ? `call ${root.call}: ` : ''}${root.label.split(' -> ')[0]!}`))}</text>`,
    `<text x="10" y="36" fill="#555">${esc(root.label.split(' -> ').slice(1).join(' -> '))}${root.ms !== undefined ? ` (${root.ms.toFixed(3)} ms)` : ''}</text>`,
  ];
  for (const [id, name] of lanes) {
    const cx = x(id);
    const secure = id === 'TEE' || id === 'TA';
    out.push(`<line x1="${cx}" y1="${TOP - 10}" x2="${cx}" y2="${height - 10}" stroke="${secure ? '#a05' : '#057'}" stroke-dasharray="3 3"/>`);
    out.push(`<rect x="${cx - 70}" y="${TOP - 30}" width="140" height="20" rx="4" fill="${secure ? '#fde' : '#def'}" stroke="#333"/>`);
    out.push(`<text x="${cx}" y="${TOP - 16}" text-anchor="middle" font-weight="bold">${esc(name)}</text>`);
  }
  messages.forEach((m, i) => {
    const y = TOP + (i + 1) * ROW;
    const text = esc(clip(m.text));
    if (m.note || m.from === m.to) {
      const cx = x(m.from);
      out.push(`<path d="M ${cx} ${y - 6} h 24 v 10 h -24" fill="none" stroke="#333" marker-end="url(#arrow)"/>`);
      out.push(`<text x="${cx + 30}" y="${y + 2}">${text}</text>`);
      return;
    }
    const [x1, x2] = [x(m.from), x(m.to)];
    out.push(`<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="#333"${m.reply ? ' stroke-dasharray="5 3"' : ''} marker-end="url(#arrow)"/>`);
    out.push(`<text x="${(x1 + x2) / 2}" y="${y - 4}" text-anchor="middle">${text}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
