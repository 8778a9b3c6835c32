// History page: past sessions with scores, a trend per dimension, the weakest areas and what
// to practise next.
import { api } from "./api.js";
import { trendChart } from "./charts.js";
import {
  $, DIMENSION_LABELS, boot, el, formatDate, formatScore, label, verdictBadge,
} from "./ui.js";

const PAGE = 50;
const RECENT_FOR_WEAKNESS = 5;
const STUDY_QUERIES = {
  requirements: "clarifying functional and non-functional requirements",
  api_and_data: "API design and data model schema",
  high_level_design: "high-level architecture components",
  deep_dive: "deep dive scaling bottlenecks",
  tradeoffs: "trade-offs consistency availability latency",
  reliability: "failure modes replication retries",
  communication: "structuring the interview and communicating decisions",
};
let loaded = [];
let total = 0;

function sessionRow(s) {
  const graded = s.overall !== null && s.overall !== undefined;
  const href = s.status === "finished" ? `/scorecard.html?id=${s.id}` : `/interview.html?id=${s.id}`;
  return el(
    "tr",
    {},
    el("td", {}, el("a", { href, text: s.question.title }),
      el("div", { class: "small muted", text: formatDate(s.started_at) })),
    el("td", { class: "hide-narrow", text: `${s.mode} · ${s.level}` }),
    el("td", { text: graded ? `${formatScore(s.overall)} / 4` : s.status === "finished" ? "—" : "in progress" }),
    el("td", {}, graded ? verdictBadge(s.verdict) : el("a", { href, text: "Resume" })),
  );
}

function renderTable() {
  if (!loaded.length) {
    $("#sessions").replaceChildren(el("p", { class: "muted" }, "No sessions yet. ",
      el("a", { href: "/index.html", text: "Start your first interview" }), "."));
    return;
  }
  $("#sessions").replaceChildren(
    el("table", { class: "data" },
      el("caption", { class: "sr-only", text: "Past sessions, newest first" }),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", text: "Question" }),
        el("th", { scope: "col", class: "hide-narrow", text: "Mode" }),
        el("th", { scope: "col", text: "Score" }),
        el("th", { scope: "col", text: "Verdict" }))),
      el("tbody", {}, loaded.map(sessionRow))),
  );
  $("#more").hidden = loaded.length >= total;
}

function renderTrends(graded) {
  const oldestFirst = [...graded].reverse();
  $("#trends").replaceChildren(
    ...Object.keys(DIMENSION_LABELS).map((dim) => {
      const points = oldestFirst
        .filter((s) => s.dimensions[dim] !== undefined)
        .map((s) => ({ score: s.dimensions[dim], when: formatDate(s.started_at) }));
      const title = label(DIMENSION_LABELS, dim);
      return el("figure", {}, el("figcaption", { text: title }), trendChart(points, `${title} over time`));
    }),
  );
}

async function renderWeakest(graded) {
  const recent = graded.slice(0, RECENT_FOR_WEAKNESS);
  const averages = Object.keys(DIMENSION_LABELS).map((dim) => {
    const scores = recent.map((s) => s.dimensions[dim]).filter((v) => v !== undefined);
    return { dim, avg: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null };
  });
  const weakest = averages.filter((a) => a.avg !== null).sort((a, b) => a.avg - b.avg).slice(0, 3);
  const questions = await api.questions();
  const tried = new Set(loaded.map((s) => s.question.id));
  const fresh = questions.filter((q) => !tried.has(q.id));
  const pool = fresh.length ? fresh : questions;
  const next = pool[graded.length % pool.length];
  $("#weakest").replaceChildren(
    el("p", { class: "small muted", text: recent.length === 1
      ? "Lowest scores in your graded session."
      : `Lowest average over your last ${recent.length} graded sessions.` }),
    el("ol", { class: "weak-list", id: "weak-list" }, weakest.map((w) =>
      el("li", {},
        el("strong", { text: label(DIMENSION_LABELS, w.dim) }),
        el("span", { class: "score", text: `${formatScore(w.avg)} / 4` }),
        el("a", {
          href: `/study.html?q=${encodeURIComponent(STUDY_QUERIES[w.dim] || w.dim)}`,
          text: `Study ${label(DIMENSION_LABELS, w.dim).toLowerCase()}`,
        })))),
    next ? el("div", { class: "notice", id: "suggestion" },
      el("p", {}, el("strong", { text: "Suggested next question: " }), next.title),
      el("a", { class: "btn btn-primary btn-small", href: `/index.html?question=${encodeURIComponent(next.id)}`,
        text: "Set it up" })) : null,
  );
}

async function loadPage() {
  const page = await api.sessions(PAGE, loaded.length);
  loaded = loaded.concat(page.items);
  total = page.total;
  renderTable();
}

boot(async () => {
  $("#more").addEventListener("click", loadPage);
  await loadPage();
  const graded = loaded.filter((s) => s.dimensions);
  if (!graded.length) {
    const none = "Finish an interview to see your progress here.";
    $("#weakest").replaceChildren(el("p", { class: "muted", text: none }));
    $("#trends").replaceChildren(el("p", { class: "muted", text: none }));
  } else {
    renderTrends(graded);
    await renderWeakest(graded);
  }
  document.body.dataset.ready = "true";
});
