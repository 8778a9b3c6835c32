// Interview page: the transcript, streamed replies, phase stepper, countdowns, hints, finish.
import { api, streamTurn } from "./api.js";
import { attachedDiagram, clearAttachment, initDiagramPanel } from "./diagram-panel.js";
import {
  $, PHASE_LABELS, announce, boot, citationTitle, el, formatClock, label, noteHref, param,
  setServerHtml, showError,
} from "./ui.js";

const id = param("id");
const draftKey = `tradeoff:draft:${id}`;
let session = null;
let busy = false;
let serverOffset = 0; // server clock seconds minus this browser's clock seconds

// -- rendering ------------------------------------------------------------------------------

/** Markdown of one message and its citations, in the order `messageNode` consumes them. */
const markdownOf = (m) => (m.role === "interviewer" ? [m.content, ...m.citations.map((c) => c.text)] : []);

function citationNode(c, html) {
  const link = c.corpus === "notes" ? el("a", { href: noteHref(c), text: "Open the full note" }) : null;
  return el(
    "details",
    {},
    el("summary", { text: citationTitle(c) }),
    setServerHtml(el("div", { class: "cited prose" }), html),
    link,
  );
}

/** One transcript entry; `htmls` are the server-rendered texts from `markdownOf(m)`. */
function messageNode(m, htmls = []) {
  const interviewer = m.role === "interviewer";
  const hint = m.kind === "hint";
  const body = interviewer
    ? setServerHtml(el("div", { class: "body prose" }), htmls[0] || "")
    : el("div", { class: "body plain", text: m.content }); // candidate text: never as HTML
  const citations = interviewer && m.citations.length
    ? el("div", { class: "citations" }, el("h3", { text: "Sources" }),
        m.citations.map((c, i) => citationNode(c, htmls[i + 1] || "")))
    : null;
  return el(
    "li",
    {},
    el(
      "article",
      { class: `msg msg-${m.role}${hint ? " msg-hint" : ""}`, "data-kind": m.kind || "" },
      el(
        "div",
        { class: "msg-head" },
        el("span", { class: "who", text: interviewer ? (hint ? "Hint" : "Interviewer") : "You" }),
        el("span", { text: label(PHASE_LABELS, m.phase) }),
      ),
      body,
      m.notice ? el("p", { class: "msg-notice", text: m.notice }) : null,
      citations,
    ),
  );
}

async function appendMessages(messages) {
  const texts = messages.flatMap(markdownOf);
  const htmls = texts.length ? await api.renderMany(texts) : [];
  let i = 0;
  for (const m of messages) {
    const n = markdownOf(m).length;
    $("#transcript").append(messageNode(m, htmls.slice(i, i + n)));
    i += n;
  }
}

function renderStepper() {
  const phases = Object.keys(session.phases);
  const current = phases.indexOf(session.phase);
  $("#stepper").replaceChildren(
    ...phases.map((p, i) =>
      el(
        "li",
        { class: i < current ? "done" : "", "aria-current": i === current ? "step" : null },
        el("span", { class: "name", text: label(PHASE_LABELS, p) }),
        i < current ? el("span", { class: "sr-only", text: " (done)" }) : null,
        el("span", { class: "minutes", text: `${session.phases[p]} min` }),
      ),
    ),
  );
}

function setTimer(node, secondsLeft) {
  node.classList.toggle("over", secondsLeft < 0);
  $(".label", node).textContent = node.id === "phase-timer"
    ? `${label(PHASE_LABELS, session.phase)}: ${secondsLeft < 0 ? "over budget by" : "time left"}`
    : `Interview: ${secondsLeft < 0 ? "over time by" : "time left"}`;
  $(".value", node).textContent = formatClock(Math.abs(secondsLeft));
}

function tick() {
  if (!session) return;
  const now = Date.now() / 1000 + serverOffset;
  const c = session.clock;
  setTimer($("#phase-timer"), c.phase_started + c.phase_minutes * 60 - now);
  setTimer($("#total-timer"), c.started + c.total_minutes * 60 - now);
}

function applySession(s) {
  session = s;
  serverOffset = s.clock.started - Date.parse(s.started_at) / 1000;
  renderStepper();
  tick();
  const active = s.status === "active";
  $("#answer").disabled = !active;
  $("#send-btn").disabled = !active || busy;
  $("#hint-btn").hidden = s.mode !== "coach" || !active;
  $("#done-banner").hidden = s.status !== "completed";
  $("#finish-btn").classList.toggle("btn-primary", !active);
  if (s.status === "finished") location.replace(`/scorecard.html?id=${encodeURIComponent(s.id)}`);
}

function setBusy(value) {
  busy = value;
  for (const b of ["#send-btn", "#hint-btn", "#finish-btn"]) $(b).disabled = value;
  if (!value && session) $("#send-btn").disabled = session.status !== "active";
}

// -- turns ----------------------------------------------------------------------------------

function showTurnError(message, action) {
  showError($("#turn-error"), message, action);
  announce(message);
}

const REVEAL_MS = 30; // one streamed piece (a word or so) shown every REVEAL_MS
const REVEAL_MAX_MS = 2500; // a long reply is paced faster so none takes longer than this

/** Shows streamed pieces one by one, as a person types, unless the reader asked for reduced
 * motion; the offline engine sends a whole reply at once, a model a piece at a time. */
function revealer(node) {
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const queue = [];
  let timer = null;
  const step = () => {
    if (!queue.length) {
      timer = null;
      return;
    }
    node.append(queue.shift());
    timer = setTimeout(step, Math.min(REVEAL_MS, REVEAL_MAX_MS / (queue.length + 1)));
  };
  return {
    push(piece) {
      if (reduced) return node.append(piece);
      queue.push(piece);
      if (!timer) step();
    },
    async drained() {
      while (queue.length || timer) await new Promise((r) => setTimeout(r, REVEAL_MS));
    },
  };
}

/** Streams one interviewer reply into a live bubble, then swaps in the rendered message. */
async function streamReply(path, body, { onAccepted } = {}) {
  const text = el("div", { class: "body streaming" });
  const bubble = el("li", {}, el("article", { class: "msg msg-interviewer", "aria-busy": "true",
    "data-streaming": "true" }, el("div", { class: "msg-head" },
    el("span", { class: "who", text: "Interviewer" }), el("span", { text: "typing…" })), text));
  $("#transcript").append(bubble);
  bubble.scrollIntoView({ block: "nearest" });
  try {
    const reveal = revealer(text);
    const done = await streamTurn(path, body, { onAccepted, onToken: (t) => reveal.push(t) });
    await reveal.drained();
    const htmls = await api.renderMany(markdownOf(done.reply));
    bubble.replaceWith(messageNode(done.reply, htmls));
    const phaseChanged = done.phase !== session.phase;
    session.status = done.status;
    if (phaseChanged) applySession(await api.session(id));
    else applySession(session);
    announce(done.status === "completed" ? "The interviewer has wrapped up." : "The interviewer replied.");
  } finally {
    bubble.remove();
  }
}

const MAX_ANSWER_CHARS = 20000; // the API's limit on one message

/** A short note under the answer box (empty answer, too long), or none. */
function composerNote(text) {
  const note = $("#composer-note");
  note.textContent = text || "";
  note.hidden = !text;
}

/** Shows the length once the answer nears the limit; the box itself never cuts a paste. */
function updateCount() {
  const n = $("#answer").value.length;
  const count = $("#answer-count");
  count.textContent = n > MAX_ANSWER_CHARS * 0.8
    ? `${n.toLocaleString("en")} of ${MAX_ANSWER_CHARS.toLocaleString("en")} characters.` : "";
  count.classList.toggle("over", n > MAX_ANSWER_CHARS);
}

async function send() {
  const box = $("#answer");
  const typed = box.value.trim();
  const diagram = attachedDiagram();
  const content = diagram ? `${typed}\n\n\`\`\`mermaid\n${diagram}\n\`\`\``.trim() : typed;
  if (busy || session.status !== "active") return;
  if (!content) {
    composerNote("Write an answer (or attach a diagram) first: an empty message is not sent.");
    box.focus();
    return;
  }
  if (content.length > MAX_ANSWER_CHARS) {
    composerNote(
      `Your answer is ${content.length.toLocaleString("en")} characters; one message holds at most `
      + `${MAX_ANSWER_CHARS.toLocaleString("en")}. Shorten it or send it in parts: your draft is kept.`,
    );
    box.focus();
    return;
  }
  composerNote("");
  setBusy(true);
  $("#turn-error").hidden = true;
  const mine = messageNode({ role: "candidate", content, phase: session.phase, citations: [] });
  $("#transcript").append(mine);
  box.value = "";
  let accepted = false;
  try {
    await streamReply(`/api/sessions/${encodeURIComponent(id)}/messages`, { content }, {
      onAccepted: () => {
        accepted = true;
        localStorage.removeItem(draftKey);
        clearAttachment();
      },
    });
  } catch (exc) {
    if (accepted) {
      showTurnError(`The interviewer could not answer: ${exc.message}`, retryButton());
    } else {
      mine.remove();
      box.value = typed; // nothing was stored: the answer goes back into the box
      const again = exc.status === 0 || exc.status >= 500
        ? el("button", { class: "btn", type: "button", text: "Try again", onclick: send })
        : null;
      showTurnError(`Your answer was not sent: ${exc.message}`, again);
    }
  } finally {
    setBusy(false);
  }
}

function retryButton() {
  return el("button", { class: "btn btn-primary", type: "button", id: "retry-btn", text: "Retry", onclick: retry });
}

/** After a failed turn: re-run it when the server holds the answer, else send it again. */
async function retry() {
  if (busy) return;
  setBusy(true);
  $("#turn-error").hidden = true;
  try {
    const fresh = await api.session(id);
    const stored = fresh.messages[fresh.messages.length - 1];
    if (stored && stored.role === "candidate") {
      await streamReply(`/api/sessions/${encodeURIComponent(id)}/retry`, undefined);
    } else {
      const mine = [...document.querySelectorAll(".msg-candidate .body")].pop();
      const content = mine ? mine.textContent : "";
      const lastCandidate = [...fresh.messages].reverse().find((m) => m.role === "candidate");
      if (content && (!lastCandidate || lastCandidate.content !== content)) {
        await streamReply(`/api/sessions/${encodeURIComponent(id)}/messages`, { content });
      } else {
        await loadTranscript(fresh); // the reply was stored after all
      }
    }
  } catch (exc) {
    showTurnError(`The retry failed too: ${exc.message}`, retryButton());
  } finally {
    setBusy(false);
  }
}

async function hint() {
  if (busy) return;
  setBusy(true);
  try {
    const { message } = await api.hint(id);
    await appendMessages([message]);
    announce("A hint was added to the transcript.");
  } catch (exc) {
    showTurnError(`No hint: ${exc.message}`);
  } finally {
    setBusy(false);
  }
}

/** Finishing before the interviewer wraps up asks first, and says what will count as missing. */
function askFinish() {
  if (busy) return;
  const wrapped = !$("#done-banner").hidden || session.status !== "active";
  if (wrapped) return finish();
  const phases = Object.keys(session.phases);
  const left = phases.slice(phases.indexOf(session.phase) + 1).map((p) => label(PHASE_LABELS, p));
  $("#finish-confirm-text").textContent = left.length
    ? `The interview is not over: ${left.join(", ")} ${left.length > 1 ? "are" : "is"} still to come. `
      + "Finishing now grades what you have said, counts the rest as not covered, and marks the "
      + "interview incomplete."
    : "The interviewer has not wrapped up yet. Finishing now grades what you have said so far.";
  $("#finish-confirm").hidden = false;
  $("#finish-confirm-btn").focus();
}

function cancelFinish() {
  $("#finish-confirm").hidden = true;
  $("#finish-btn").focus();
}

async function finish() {
  if (busy) return;
  $("#finish-confirm").hidden = true;
  setBusy(true);
  $("#finish-btn").textContent = "Grading…";
  try {
    await api.finish(id);
    location.assign(`/scorecard.html?id=${encodeURIComponent(id)}`);
  } catch (exc) {
    $("#finish-btn").textContent = "Finish and see scorecard";
    showTurnError(`Could not grade the interview: ${exc.message}`);
    setBusy(false);
  }
}

async function loadTranscript(s) {
  $("#transcript").replaceChildren();
  await appendMessages(s.messages);
  applySession(s);
}

// -- page -----------------------------------------------------------------------------------

boot(async () => {
  if (!id) throw new Error("No session given. Start one from the Start page.");
  const s = await api.session(id);
  document.title = `${s.question.title} · Tradeoff`;
  $("#q-title").textContent = s.question.title;
  $("#q-meta").textContent = `${s.mode} · ${s.level}`;
  $("#q-prompt").textContent = s.question.prompt;
  await loadTranscript(s);
  $("#room").hidden = false;

  const box = $("#answer");
  box.value = localStorage.getItem(draftKey) || "";
  box.addEventListener("input", () => {
    if (box.value) localStorage.setItem(draftKey, box.value);
    else localStorage.removeItem(draftKey);
    updateCount();
    if (box.value.trim().length <= MAX_ANSWER_CHARS) composerNote("");
  });
  updateCount();
  box.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      send();
    }
  });
  $("#composer").addEventListener("submit", (e) => {
    e.preventDefault();
    send();
  });
  $("#hint-btn").addEventListener("click", hint);
  $("#finish-btn").addEventListener("click", askFinish);
  $("#finish-confirm-btn").addEventListener("click", finish);
  $("#finish-cancel-btn").addEventListener("click", cancelFinish);
  initDiagramPanel();
  setInterval(tick, 1000);
  if (s.status === "active") box.focus();
});
