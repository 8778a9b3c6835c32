// Start page: pick a question (search, topic, or random), a mode and a level; resume sessions.
import { api } from "./api.js";
import { $, boot, el, formatDate, formatScore, param, verdictBadge } from "./ui.js";

let questions = [];

function questionItem(q, checked) {
  return el(
    "li",
    { "data-topics": q.topics.join(" ") },
    el(
      "label",
      { class: "choice" },
      el("input", { type: "radio", name: "question", value: q.id, checked }),
      el(
        "span",
        {},
        el("strong", { text: q.title }),
        el("span", { class: "hint-text", text: `${q.total_minutes} min · ${q.levels.join(", ")}` }),
        el("span", { class: "tags" }, q.topics.slice(0, 4).map((t) => el("span", { class: "tag", text: t }))),
      ),
    ),
  );
}

function renderList() {
  const words = $("#q-search").value.toLowerCase().split(/\s+/).filter(Boolean);
  const topic = $("#q-topic").value;
  const chosen = document.querySelector('input[name="question"]:checked')?.value ?? "";
  const shown = questions.filter(
    (q) =>
      (!topic || q.topics.includes(topic)) &&
      words.every((w) => q.title.toLowerCase().includes(w) || q.topics.some((t) => t.includes(w))),
  );
  const list = $("#q-list");
  const random = list.firstElementChild;
  list.replaceChildren(random, ...shown.map((q) => questionItem(q, q.id === chosen)));
  if (!list.querySelector("input:checked")) random.querySelector("input").checked = true;
  $("#q-count").textContent = `(${shown.length} of ${questions.length} shown)`;
}

function recentItem(s) {
  const finished = s.status === "finished";
  const href = finished ? `/scorecard.html?id=${s.id}` : `/interview.html?id=${s.id}`;
  return el(
    "li",
    {},
    el("a", { href, text: s.question.title }),
    el(
      "div",
      { class: "row small muted" },
      el("span", { text: `${formatDate(s.updated_at)} · ${s.mode} · ${s.level}` }),
      finished ? el("span", { text: `${formatScore(s.overall)} / 4` }) : el("span", { text: "in progress" }),
      finished ? verdictBadge(s.verdict) : el("a", { href, class: "btn btn-small", text: "Resume" }),
    ),
  );
}

async function loadRecent() {
  const list = $("#recent");
  try {
    const { items } = await api.sessions(5);
    list.replaceChildren(
      ...(items.length
        ? items.map(recentItem)
        : [el("li", { class: "muted", text: "No sessions yet. Your first one starts on the left." })]),
    );
  } catch (exc) {
    list.replaceChildren(el("li", { class: "muted", text: `Could not load sessions: ${exc.message}` }));
  }
}

/** The next mock question for the weakest dimensions and topics (GET /api/progress). */
async function loadRecommendation() {
  const { next_question: next, drills } = await api.progress();
  const box = $("#recommended");
  if (!next) return;
  const why = next.dimensions.map((d) => d.replace(/_/g, " ")).join(" and ");
  const topics = next.topics.length ? `; topics ${next.topics.join(", ")}` : "";
  box.replaceChildren(
    el("p", {}, el("strong", { text: "Recommended next: " }), next.title,
      el("span", { class: "small muted", text: ` (works on ${why}${topics})` })),
    el("a", { class: "btn btn-primary btn-small", id: "recommended-link",
      href: `/index.html?question=${encodeURIComponent(next.question_id)}`, text: "Set it up" }),
    drills.due_today ? el("a", { class: "btn btn-small", href: "/drills.html",
      text: `${drills.due_today} drills due today` }) : null,
  );
  box.hidden = false;
}

async function start(event) {
  event.preventDefault();
  const button = $("#start-btn");
  const form = event.currentTarget;
  button.disabled = true;
  button.textContent = "Starting…";
  $("#start-error").textContent = "";
  try {
    const data = new FormData(form);
    const session = await api.createSession({
      question_id: data.get("question") || null,
      mode: data.get("mode"),
      level: data.get("level"),
    });
    location.assign(`/interview.html?id=${encodeURIComponent(session.id)}`);
  } catch (exc) {
    $("#start-error").setAttribute("role", "alert");
    $("#start-error").textContent = `Could not start: ${exc.message}`;
    button.disabled = false;
    button.textContent = "Start interview";
  }
}

boot(async () => {
  $("#start-form").addEventListener("submit", start);
  $("#q-search").addEventListener("input", renderList);
  $("#q-topic").addEventListener("change", renderList);
  loadRecent();
  loadRecommendation().catch(() => {}); // the page works without it
  questions = await api.questions();
  const topics = [...new Set(questions.flatMap((q) => q.topics))].sort();
  $("#q-topic").append(...topics.map((t) => el("option", { value: t, text: t })));
  const wanted = param("question");
  if (wanted) {
    renderList();
    const input = document.querySelector(`input[name="question"][value="${CSS.escape(wanted)}"]`);
    if (input) input.checked = true;
  }
  renderList();
});
