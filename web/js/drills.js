// Drills page: the cards due today, one at a time; an answer is graded on the card's reference
// points (or rated by hand), then the points made and missed, the next due date and the note.
import { api } from "./api.js";
import { $, DIMENSION_LABELS, announce, boot, el, formatDate, label, noteHref } from "./ui.js";

let queue = [];
let current = null;

function summary(page) {
  const text = page.total
    ? `${page.due_today} due today · ${page.total} cards in all`
    : "No drill cards yet: finish an interview and what it missed becomes cards here.";
  $("#due-summary").textContent = text;
}

function showCard() {
  $("#result").hidden = true;
  current = queue.shift() || null;
  $("#drill").hidden = !current;
  if (!current) {
    if ($("#due-summary").dataset.total !== "0") $("#due-summary").textContent += " · all done for today";
    return;
  }
  const about = current.dimension ? label(DIMENSION_LABELS, current.dimension) : "concept";
  $("#card-meta").textContent = `${about} · ${current.topic} · ${current.state}`;
  $("#prompt").textContent = current.prompt;
  $("#drill-answer").value = "";
  $("#drill-answer").focus();
}

function pointList(grade) {
  const rows = [
    ...grade.covered.map((t) => ["made", t]),
    ...grade.partial.map((t) => ["partly made", t]),
    ...grade.missed.map((t) => ["missed", t]),
  ];
  return el("ul", { class: "plain-list", id: "point-list" },
    rows.map(([status, text]) => el("li", { "data-status": status },
      el("strong", { text: `${status}: ` }), text)));
}

function showResult(out) {
  const due = formatDate(out.next_due);
  const credit = out.grade ? ` · ${Math.round(out.grade.credit * 100)}% of the points` : "";
  $("#rating-line").replaceChildren(
    el("span", { class: "badge", id: "rating", text: out.rating }),
    ` ${out.source === "manual" ? "your rating" : "graded"}${credit} · next due `,
    el("time", { id: "next-due", datetime: out.next_due, text: due }),
  );
  $("#points").replaceChildren(out.grade ? pointList(out.grade) : "");
  $("#reference").textContent = out.reference;
  $("#notes").replaceChildren(
    ...out.card.notes.map((n) => el("div", { class: "note-excerpt" },
      el("a", {
        href: noteHref({ doc_id: n.note, heading: n.section ? `${n.title} > ${n.section}` : n.title }),
        text: n.section ? `${n.title} › ${n.section}` : n.title,
      }),
      el("p", { class: "small", text: (n.text || "").slice(0, 600) })),
    ),
  );
  $("#drill").hidden = true;
  $("#result").hidden = false;
  announce(`Rated ${out.rating}; next due ${due}`);
}

async function review(call) {
  const buttons = ["#grade-btn", "#knew-btn", "#didnt-btn"].map((s) => $(s));
  buttons.forEach((b) => (b.disabled = true));
  try {
    showResult(await call());
    const page = await api.dueDrills();
    summary(page);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

boot(async () => {
  const page = await api.dueDrills();
  $("#due-summary").dataset.total = String(page.total);
  summary(page);
  queue = page.cards;
  $("#drill-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const answer = $("#drill-answer").value.trim();
    if (!answer) return announce("Write an answer first, or rate it yourself.");
    review(() => api.answerDrill(current.id, answer));
  });
  $("#knew-btn").addEventListener("click", () => review(() => api.rateDrill(current.id, true)));
  $("#didnt-btn").addEventListener("click", () => review(() => api.rateDrill(current.id, false)));
  $("#next-btn").addEventListener("click", showCard);
  showCard();
  document.body.dataset.ready = "true";
});
