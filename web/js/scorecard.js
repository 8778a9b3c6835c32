// Scorecard page: overall and verdict, the seven dimensions as bars, evidence, missed points
// with the study notes that teach them, flags and the written feedback.
import { api } from "./api.js";
import { dimensionBars } from "./charts.js";
import { findingsList, lastDiagram, readDiagram, renderMermaid } from "./diagram.js";
import {
  $, DIMENSION_LABELS, boot, citationTitle, el, formatDate, formatScore, label, noteHref, param,
  setServerHtml, verdictBadge,
} from "./ui.js";

const MAX_NOTE_LOOKUPS = 12;

/** The last diagram the candidate sent, drawn with the nodes of each finding outlined. */
async function showLastDiagram(messages) {
  const mine = messages.filter((m) => m.role === "candidate").reverse();
  const found = mine.map((m) => lastDiagram(m.content)).find(Boolean);
  if (!found) return;
  const card = $("#diagram-card");
  card.hidden = false;
  try {
    const read = await readDiagram({ text: found.source, prose: found.prose });
    $("#sc-diagram-findings").replaceChildren(findingsList(read.findings));
    await renderMermaid($("#sc-diagram"), read.mermaid);
  } catch (exc) {
    // Not readable: shown as the text it was graded as.
    $("#sc-diagram").replaceChildren(el("pre", { text: found.source }));
    $("#sc-diagram-findings").replaceChildren(el("p", { class: "small muted", text: exc.message }));
  }
}

/** The note section that best teaches each missed point: one search each, a few at a time,
 * preferring the notes the question itself recommends. */
async function notesFor(texts, relatedNotes) {
  const related = new Set(relatedNotes);
  const found = new Map();
  const queue = texts.slice(0, MAX_NOTE_LOOKUPS);
  const worker = async () => {
    while (queue.length) {
      const text = queue.shift();
      try {
        const { results } = await api.search(text, 5);
        const best = results.find((r) => related.has(r.doc_id)) || results[0];
        if (best) found.set(text, best);
      } catch {
        /* the point stays listed without a link */
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return found;
}

const noteLink = (hit) => el("a", { href: noteHref(hit), text: `Study: ${citationTitle(hit)}` });

function dimensionCard(d, links) {
  return el(
    "section",
    { class: "card dim", "aria-labelledby": `dim-${d.name}` },
    el("h3", { id: `dim-${d.name}` },
      el("span", { text: label(DIMENSION_LABELS, d.name) }),
      el("span", { class: "badge", text: d.assessed ? `${formatScore(d.score)} / 4` : "not assessed" })),
    d.evidence.length
      ? [el("h4", { class: "small muted", text: "What you said" }),
         d.evidence.map((q) => el("blockquote", { text: q }))] // candidate quotes: text only
      : el("p", { class: "small muted", text: "No quoted evidence." }),
    d.missing.length
      ? [el("h4", { class: "small muted", text: "Missed" }),
         el("ul", {}, d.missing.map((m) =>
           el("li", {}, el("span", { text: m }), links.get(m) ? [el("br"), noteLink(links.get(m))] : null)))]
      : null,
    (d.partial || []).length
      ? [el("h4", { class: "small muted", text: "Only touched on" }),
         el("ul", { class: "partial" }, d.partial.map((m) =>
           el("li", {}, el("span", { text: m }), links.get(m) ? [el("br"), noteLink(links.get(m))] : null)))]
      : null,
  );
}

boot(async () => {
  const id = param("id");
  if (!id) throw new Error("No session given.");
  const [session, ev] = await Promise.all([api.session(id), api.scorecard(id)]);
  document.title = `Scorecard: ${session.question.title} · Tradeoff`;
  $("#sc-title").textContent = session.question.title;
  $("#sc-meta").textContent = `${formatDate(session.updated_at)} · ${session.mode} · ${ev.level} level`;
  $("#overall").replaceChildren(formatScore(ev.overall), el("small", { text: " / 4 overall" }));
  $("#verdict").replaceChildren(verdictBadge(ev.verdict));
  $("#replay-link").href = `/replay.html?id=${encodeURIComponent(id)}`;
  $("#card").hidden = false;
  $("#chart").replaceChildren(
    dimensionBars(
      ev.dimensions.map((d) => ({ label: label(DIMENSION_LABELS, d.name), score: d.score, assessed: d.assessed })),
      "Score by dimension, 1 to 4",
      Math.max(300, Math.min(560, $("#chart").clientWidth)),
    ),
  );
  if (ev.flags.length) {
    $("#flags").replaceChildren(...ev.flags.map((f) => el("li", { text: f.replace(/_/g, " ") })));
    $("#flags-card").hidden = false;
  }
  setServerHtml($("#feedback"), await api.render(ev.feedback || "No written feedback."));
  await showLastDiagram(session.messages || []);
  $("#dims").replaceChildren(...ev.dimensions.map((d) => dimensionCard(d, new Map())));
  const question = await api.question(session.question.id).catch(() => ({ related_notes: [] }));
  const links = await notesFor(
    ev.dimensions.flatMap((d) => [...d.missing, ...(d.partial || [])]), question.related_notes);
  $("#dims").replaceChildren(...ev.dimensions.map((d) => dimensionCard(d, links)));
  document.body.dataset.ready = "true";
});
