// Replay page: a past session turn by turn (each message with its phase and time), and its
// exports. Text only: interviewer and candidate words alike are shown as plain text.
import { api } from "./api.js";
import { $, PHASE_LABELS, boot, el, formatDate, label, param } from "./ui.js";

let messages = [];
let shown = 0;

function messageNode(m) {
  const who = m.role === "interviewer" ? (m.kind === "hint" ? "Hint" : "Interviewer") : "You";
  return el("li", {},
    el("article", { class: `msg msg-${m.role}`, "data-seq": String(messages.indexOf(m)) },
      el("div", { class: "msg-head" },
        el("span", { class: "who", text: who }),
        el("span", { text: `${label(PHASE_LABELS, m.phase)} · ${formatDate(m.created_at)}` })),
      el("div", { class: "body plain", text: m.content })));
}

function render() {
  $("#transcript").replaceChildren(...messages.slice(0, shown).map(messageNode));
  $("#turn-count").textContent = `${shown} of ${messages.length} messages`;
  $("#prev-btn").disabled = shown <= 1;
  $("#next-btn").disabled = shown >= messages.length;
  const last = $("#transcript li:last-child");
  if (last) last.scrollIntoView({ block: "nearest" });
}

boot(async () => {
  const id = param("id");
  if (!id) throw new Error("No session given: open a replay from the History page.");
  const session = await api.session(id);
  messages = session.messages || [];
  $("#replay-title").textContent = `Replay: ${session.question.title}`;
  $("#replay-meta").textContent =
    `${session.mode} · ${session.level} · ${session.status} · started ${formatDate(session.started_at)}`;
  $("#export-json").href = `/api/sessions/${encodeURIComponent(id)}/export`;
  $("#export-md").href = `/api/sessions/${encodeURIComponent(id)}/export?format=markdown`;
  $("#next-btn").addEventListener("click", () => { shown += 1; render(); });
  $("#prev-btn").addEventListener("click", () => { shown -= 1; render(); });
  shown = Math.min(1, messages.length);
  render();
  document.body.dataset.ready = "true";
});
