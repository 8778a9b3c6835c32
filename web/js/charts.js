// SVG charts drawn here, no library: dimension bars (scorecard) and score trends (history).
// Colours come from CSS classes; no inline styles (the CSP forbids them).

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function chartRoot(width, height, title, desc) {
  const uid = Math.random().toString(36).slice(2, 8);
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart",
    role: "img",
    "aria-labelledby": `t-${uid} d-${uid}`,
  });
  root.append(svg("title", { id: `t-${uid}` }, title), svg("desc", { id: `d-${uid}` }, desc));
  return root;
}

/** Horizontal bars, one per dimension, for scores on the 1–4 scale drawn from 0, so a bar's
 * length is proportional to its score and a 1.0 still shows. rows: [{label, score, assessed}];
 * `width` in CSS pixels keeps the labels at their real size on a phone. */
export function dimensionBars(rows, title = "Score by dimension", width = 560) {
  const left = 140;
  const right = 40;
  const rowH = 34;
  const top = 22;
  const height = top + rows.length * rowH + 8;
  const x = (v) => left + (v / 4) * (width - left - right);
  const desc = rows
    .map((r) => `${r.label}: ${r.assessed ? `${r.score.toFixed(1)} of 4` : "not assessed"}`)
    .join("; ");
  const root = chartRoot(width, height, title, desc);
  for (const tickValue of [0, 1, 2, 3, 4]) {
    root.append(
      svg("line", { class: "grid", x1: x(tickValue), x2: x(tickValue), y1: top - 6, y2: height - 6 }),
      svg("text", { x: x(tickValue), y: 12, "text-anchor": "middle", class: "muted-text" }, tickValue),
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const barEnd = r.assessed ? x(r.score) : x(0) + 4;
    root.append(
      svg("text", { x: left - 10, y: y + 20, "text-anchor": "end" }, r.label),
      svg("rect", {
        class: r.assessed ? "bar" : "bar unassessed",
        x: x(0), y: y + 6, width: Math.max(4, barEnd - x(0)), height: 20, rx: 4,
      }),
      svg("text", { x: barEnd + 6, y: y + 20, class: "muted-text" }, r.assessed ? r.score.toFixed(1) : "n/a"),
    );
  });
  return root;
}

/** A small line chart of one dimension's scores over sessions. points: [{score, when}] */
export function trendChart(points, title) {
  const width = 260;
  const height = 110;
  const pad = { l: 26, r: 10, t: 10, b: 20 };
  const x = (i) => pad.l + (points.length < 2 ? (width - pad.l - pad.r) / 2
    : (i / (points.length - 1)) * (width - pad.l - pad.r));
  const y = (v) => pad.t + ((4 - v) / 3) * (height - pad.t - pad.b);
  const desc = points.length
    ? `Scores, oldest first: ${points.map((p) => p.score.toFixed(1)).join(", ")}`
    : "No scores yet";
  const root = chartRoot(width, height, title, desc);
  for (const v of [1, 2, 3, 4]) {
    root.append(
      svg("line", { class: "grid", x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v) }),
      svg("text", { x: pad.l - 8, y: y(v) + 4, "text-anchor": "end", class: "muted-text" }, v),
    );
  }
  if (points.length > 1) {
    const d = points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(p.score).toFixed(1)}`).join(" ");
    root.append(svg("path", { class: "line", d }));
  }
  points.forEach((p, i) => {
    const dot = svg("circle", { class: "dot", cx: x(i), cy: y(p.score), r: 4 });
    dot.append(svg("title", {}, `${p.when}: ${p.score.toFixed(1)}`));
    root.append(dot);
  });
  root.append(
    svg("text", { x: pad.l, y: height - 4, class: "muted-text" }, "older"),
    svg("text", { x: width - pad.r, y: height - 4, "text-anchor": "end", class: "muted-text" }, "newer"),
  );
  return root;
}
