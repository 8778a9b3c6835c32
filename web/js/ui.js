// Small shared helpers: safe DOM building, labels, time formatting, page chrome.

export const PHASE_LABELS = {
  requirements: "Requirements",
  estimation: "Estimation",
  api_and_data: "API and data",
  high_level_design: "High-level design",
  deep_dive: "Deep dive",
  tradeoffs_and_failures: "Trade-offs and failures",
  wrap_up: "Wrap-up",
};

export const DIMENSION_LABELS = {
  requirements: "Requirements",
  api_and_data: "API and data model",
  high_level_design: "High-level design",
  deep_dive: "Deep dive",
  tradeoffs: "Trade-offs",
  reliability: "Reliability",
  communication: "Communication",
};

export const VERDICT_LABELS = {
  strong_hire: "Strong hire",
  hire: "Hire",
  lean_no_hire: "Lean no hire",
  no_hire: "No hire",
};

export const label = (map, key) => map[key] || String(key).replace(/_/g, " ");

/**
 * Builds an element. Strings among the children become text nodes, never HTML, so untrusted
 * text is always safe here. attrs: `class`, `text`, `on<event>`, `data-*`, aria-*, others.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Inserts HTML that the server has rendered and sanitised (POST /api/render). */
export function setServerHtml(node, html) {
  node.innerHTML = html; // sanitised by nh3 on the server; never candidate text directly
  return node;
}

const slugify = (text) =>
  text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "section";

/** The study page at a cited note section (headings carry `sec-<slug>` ids, see api/markdown.py). */
export function noteHref(citation) {
  const path = citation.heading.split(" > ");
  return `/study.html?note=${encodeURIComponent(citation.doc_id)}#sec-${slugify(path[path.length - 1])}`;
}

/** "Note title › section" for a citation's heading path. */
export function citationTitle(citation) {
  const path = citation.heading.split(" > ");
  return path.length > 1 ? `${path[0]} › ${path[path.length - 1]}` : path[0];
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const param = (name) => new URLSearchParams(location.search).get(name);

export function formatClock(seconds) {
  const s = Math.abs(Math.round(seconds));
  const text = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  return seconds < 0 ? `−${text}` : text;
}

export function formatDate(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? ""
    : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export const formatScore = (n) => (n === null || n === undefined ? "—" : Number(n).toFixed(1));

/** Announces a short status to screen readers through the page's polite live region. */
export function announce(message) {
  const region = $("#status");
  if (!region) return;
  region.textContent = "";
  setTimeout(() => (region.textContent = message), 30);
}

/** Replaces `node`'s content with an error message (role=alert) and an optional action. */
export function showError(node, message, action) {
  node.replaceChildren(
    el("div", { class: "error-box", role: "alert" }, el("p", { text: message }), action || null),
  );
  node.hidden = false;
}

export function verdictBadge(verdict) {
  if (!verdict) return el("span", { class: "muted", text: "not graded" });
  return el("span", { class: `badge verdict-${verdict}`, text: label(VERDICT_LABELS, verdict) });
}

/** Runs a page's main function and reports a failure in its <main> instead of the console. */
export function boot(main) {
  const run = async () => {
    try {
      await main();
    } catch (exc) {
      const box = $("#page-error") || $("main");
      showError(box, exc && exc.message ? exc.message : "Something went wrong.");
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
}
