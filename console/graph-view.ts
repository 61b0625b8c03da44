/**
 * The console's graph view: nodes and relationships found in a result, drawn on SVG with a
 * small force layout (repulsion, springs, centring) run for a fixed number of steps, then
 * draggable. No library: a few hundred elements at most (the view caps the node count).
 */
const SVG = 'http://www.w3.org/2000/svg';
const MAX_NODES = 300;
const PALETTE = ['#4c8eda', '#f79767', '#57c7e3', '#8dcc93', '#ecb5c9', '#ffc454', '#c990c0', '#da7194'];

export interface GNode {
  id: number;
  labels: string[];
  properties: Record<string, unknown>;
}
export interface GRel {
  id: number;
  type: string;
  start: number;
  end: number;
  properties: Record<string, unknown>;
}

function isNode(v: unknown): v is GNode {
  const o = v as GNode;
  return typeof v === 'object' && v !== null && typeof o.id === 'number' && Array.isArray(o.labels);
}
function isRel(v: unknown): v is GRel {
  const o = v as GRel;
  return typeof v === 'object' && v !== null && typeof o.type === 'string' && typeof o.start === 'number';
}

/** Every node and relationship anywhere in the rows (inside lists, maps and paths too). */
export function collectGraph(rows: unknown[][]): { nodes: Map<number, GNode>; rels: Map<number, GRel> } {
  const nodes = new Map<number, GNode>();
  const rels = new Map<number, GRel>();
  const visit = (v: unknown): void => {
    if (nodes.size >= MAX_NODES) return;
    if (Array.isArray(v)) v.forEach(visit);
    else if (isNode(v)) nodes.set(v.id, v);
    else if (isRel(v)) rels.set(v.id, v);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(visit);
  };
  rows.forEach(visit);
  return { nodes, rels };
}

function caption(n: GNode): string {
  const p = n.properties;
  for (const k of ['name', 'title', 'id', 'key'])
    if (typeof p[k] === 'string' || typeof p[k] === 'number') return String(p[k]);
  return n.labels[0] ?? `#${n.id}`;
}

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Draws the graph of `rows` into `host`; returns how many nodes were drawn. */
export function drawGraph(host: HTMLElement, rows: unknown[][]): number {
  host.replaceChildren();
  const { nodes, rels } = collectGraph(rows);
  if (nodes.size === 0) {
    const p = document.createElement('p');
    p.textContent = 'No nodes in this result.';
    host.append(p);
    return 0;
  }
  const W = 800;
  const H = 500;
  const ids = [...nodes.keys()];
  const pos = new Map<number, { x: number; y: number; vx: number; vy: number }>();
  ids.forEach((id, i) => {
    const a = (2 * Math.PI * i) / ids.length;
    pos.set(id, { x: W / 2 + 150 * Math.cos(a), y: H / 2 + 150 * Math.sin(a), vx: 0, vy: 0 });
  });
  const edges = [...rels.values()].filter((r) => pos.has(r.start) && pos.has(r.end));
  for (let step = 0; step < 300; step++) {
    for (const a of ids) {
      const pa = pos.get(a)!;
      for (const b of ids) {
        if (a === b) continue;
        const pb = pos.get(b)!;
        const dx = pa.x - pb.x || 0.01;
        const dy = pa.y - pb.y || 0.01;
        const d2 = Math.max(dx * dx + dy * dy, 25);
        pa.vx += (2000 * dx) / d2 / Math.sqrt(d2);
        pa.vy += (2000 * dy) / d2 / Math.sqrt(d2);
      }
      pa.vx += (W / 2 - pa.x) * 0.005;
      pa.vy += (H / 2 - pa.y) * 0.005;
    }
    for (const e of edges) {
      const s = pos.get(e.start)!;
      const t = pos.get(e.end)!;
      const dx = t.x - s.x;
      const dy = t.y - s.y;
      const d = Math.sqrt(dx * dx + dy * dy) || 1;
      const f = (d - 100) * 0.02;
      s.vx += (f * dx) / d;
      s.vy += (f * dy) / d;
      t.vx -= (f * dx) / d;
      t.vy -= (f * dy) / d;
    }
    for (const p of pos.values()) {
      p.x = Math.min(W - 20, Math.max(20, p.x + p.vx));
      p.y = Math.min(H - 20, Math.max(20, p.y + p.vy));
      p.vx *= 0.6;
      p.vy *= 0.6;
    }
  }
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'graph of the result' });
  const edgeEls = edges.map((r) => {
    const g = el('g', { class: 'edge', 'data-id': r.id });
    const line = el('line', {});
    const label = el('text', { 'text-anchor': 'middle' });
    label.textContent = r.type;
    g.append(line, label);
    svg.append(g);
    return { r, line, label };
  });
  const colours = new Map<string, string>();
  const colour = (label: string): string => {
    if (!colours.has(label)) colours.set(label, PALETTE[colours.size % PALETTE.length]!);
    return colours.get(label)!;
  };
  const nodeEls = ids.map((id) => {
    const n = nodes.get(id)!;
    const g = el('g', { class: 'node', 'data-id': id });
    const title = el('title', {});
    title.textContent = `${n.labels.map((l) => ':' + l).join('')} ${JSON.stringify(n.properties)}`;
    const label = el('text', { 'text-anchor': 'middle', dy: 28 });
    label.textContent = caption(n);
    g.append(el('circle', { r: 14, fill: colour(n.labels[0] ?? '') }), label, title);
    svg.append(g);
    return { id, g };
  });
  const place = (): void => {
    for (const { r, line, label } of edgeEls) {
      const s = pos.get(r.start)!;
      const t = pos.get(r.end)!;
      line.setAttribute('x1', String(s.x));
      line.setAttribute('y1', String(s.y));
      line.setAttribute('x2', String(t.x));
      line.setAttribute('y2', String(t.y));
      label.setAttribute('x', String((s.x + t.x) / 2));
      label.setAttribute('y', String((s.y + t.y) / 2));
    }
    for (const { id, g } of nodeEls) {
      const p = pos.get(id)!;
      g.setAttribute('transform', `translate(${p.x},${p.y})`);
    }
  };
  place();
  // Drag a node with the pointer.
  let dragging: number | null = null;
  svg.addEventListener('pointerdown', (ev) => {
    const g = (ev.target as Element).closest('.node');
    if (g === null) return;
    dragging = Number(g.getAttribute('data-id'));
    svg.setPointerCapture(ev.pointerId);
  });
  svg.addEventListener('pointermove', (ev) => {
    if (dragging === null) return;
    const ctm = svg.getScreenCTM();
    if (ctm === null) return;
    const pt = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(ctm.inverse());
    const p = pos.get(dragging)!;
    p.x = pt.x;
    p.y = pt.y;
    place();
  });
  svg.addEventListener('pointerup', () => (dragging = null));
  host.append(svg);
  return nodes.size;
}
