// Digit Lab's drawing surface: a plain <canvas> that takes mouse, pen and finger strokes (pointer
// events), with Undo / Redo / Clear buttons below it, outside the surface, so every pixel of the
// surface accepts a stroke. On each lifted stroke it sends the canvas as a PNG at once (no debounce):
// RGBA, transparent background, ink in alpha, width × height pixels whatever size it is shown at; and
// the strokes themselves, each [brush, x0, y0, x1, y1, ...] in canvas pixels, in the order drawn (the
// number mode parts touching digits by them: model/pen.py).
// History is a list of stroke lists: Clear is a step like any other, so it can be undone.

const STATES = new WeakMap();  // parentElement -> state: one per mounted canvas, kept across reruns
// A 1000 Hz mouse or a pen's coalesced events come a fraction of a pixel apart: a point closer than this (canvas
// px) to the last one kept adds nothing to the drawing but bytes to every message and points to model/pen.py's
// MAX_POINTS, past which a number would be read by its pixels alone.
const MIN_STEP = 1;

function mount(parent) {
  const wrap = document.createElement("div");
  wrap.className = "dl-wrap";
  const canvas = document.createElement("canvas");
  canvas.className = "dl-ink";
  const tools = document.createElement("div");
  tools.className = "dl-tools";
  const buttons = {};
  for (const act of ["undo", "redo", "clear"]) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.act = act;
    tools.appendChild(b);
    buttons[act] = b;
  }
  wrap.append(canvas, tools);
  parent.appendChild(wrap);
  const s = {wrap, canvas, ctx: canvas.getContext("2d"), buttons, history: [[]], at: 0, current: null,
             pointer: null, brush: 18, color: "#111111", send: () => {}};

  const point = (e) => {  // client px -> canvas px: the canvas may be shown smaller (a phone)
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
  };
  canvas.addEventListener("pointerdown", (e) => {
    if (s.current || (e.pointerType === "mouse" && e.button !== 0)) return;  // one stroke at a time
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    s.pointer = e.pointerId;
    s.current = {w: s.brush, c: s.color, pts: [point(e)]};
    dot(s.ctx, s.current, s.current.pts[0]);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!s.current || e.pointerId !== s.pointer) return;
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    for (const ev of events.length ? events : [e]) {
      const p = point(ev), pts = s.current.pts, last = pts[pts.length - 1];
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) < MIN_STEP) continue;
      segment(s.ctx, s.current, last, p);
      pts.push(p);
    }
  });
  const finish = (e) => {
    if (!s.current || e.pointerId !== s.pointer) return;
    const strokes = s.history[s.at].concat([s.current]);
    s.current = null;
    s.pointer = null;
    push(s, strokes);
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  buttons.undo.addEventListener("click", () => { if (s.at > 0) { s.at -= 1; redraw(s); send(s); } });
  buttons.redo.addEventListener("click", () => {
    if (s.at < s.history.length - 1) { s.at += 1; redraw(s); send(s); }
  });
  buttons.clear.addEventListener("click", () => { if (s.history[s.at].length) push(s, []); });
  return s;
}

function push(s, strokes) {
  s.history = s.history.slice(0, s.at + 1).concat([strokes]);
  s.at = s.history.length - 1;
  redraw(s);
  send(s);
}

function style(ctx, stroke) {
  ctx.strokeStyle = ctx.fillStyle = stroke.c;
  ctx.lineWidth = stroke.w;
  ctx.lineCap = ctx.lineJoin = "round";
}

function dot(ctx, stroke, [x, y]) {
  style(ctx, stroke);
  ctx.beginPath();
  ctx.arc(x, y, stroke.w / 2, 0, 2 * Math.PI);
  ctx.fill();
}

function segment(ctx, stroke, [x0, y0], [x1, y1]) {
  style(ctx, stroke);
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

function redraw(s) {
  s.ctx.clearRect(0, 0, s.canvas.width, s.canvas.height);
  for (const stroke of s.history[s.at]) {
    dot(s.ctx, stroke, stroke.pts[0]);
    for (let i = 1; i < stroke.pts.length; i++) segment(s.ctx, stroke, stroke.pts[i - 1], stroke.pts[i]);
  }
  tools(s);
}

function tools(s) {
  s.buttons.undo.disabled = s.at === 0;
  s.buttons.redo.disabled = s.at >= s.history.length - 1;
  s.buttons.clear.disabled = s.history[s.at].length === 0;
}

function send(s) {
  const strokes = s.history[s.at];
  const lines = strokes.map((st) => [st.w].concat(...st.pts.map(([x, y]) => [Math.round(x * 10) / 10,
                                                                           Math.round(y * 10) / 10])));
  s.send("drawing", strokes.length ? {png: s.canvas.toDataURL("image/png"), strokes: lines} : null);
}

export default function (component) {
  const {data, parentElement, setStateValue} = component;
  let s = STATES.get(parentElement);
  if (!s) {
    s = mount(parentElement);
    STATES.set(parentElement, s);
  }
  s.send = setStateValue;
  s.brush = data.brush;
  s.color = data.color;
  if (s.canvas.width !== data.width || s.canvas.height !== data.height) {
    s.canvas.width = data.width;
    s.canvas.height = data.height;
    redraw(s);
  }
  s.wrap.style.maxWidth = `${data.width}px`;
  s.canvas.style.aspectRatio = `${data.width} / ${data.height}`;
  s.canvas.setAttribute("aria-label", data.labels.surface);
  for (const [act, b] of Object.entries(s.buttons)) b.textContent = data.labels[act];
  tools(s);
  return () => {
    STATES.delete(parentElement);
    s.wrap.remove();
  };
}
