// Study page: search the notes (hybrid retrieval) and read one, scrolled to a cited section.
import { api } from "./api.js";
import { $, announce, boot, citationTitle, el, noteHref, param, setServerHtml } from "./ui.js";

const SNIPPET_CHARS = 220;

/** A chunk's text as one line of prose: Markdown list and heading markers dropped, cut at a
 * word boundary. */
function snippet(text) {
  const flat = text
    .replace(/^\s*(?:[-*+]|\d+[.)]|#+)\s+/gm, "")
    .replace(/\s+/g, " ")
    .trim();
  if (flat.length <= SNIPPET_CHARS) return flat;
  const cut = flat.slice(0, SNIPPET_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), SNIPPET_CHARS / 2))}…`;
}

async function search(q) {
  const box = $("#results");
  box.replaceChildren(el("p", { class: "muted", text: "Searching…" }));
  try {
    const { results } = await api.search(q, 8);
    box.replaceChildren(
      el("h2", { class: "small muted", text: `${results.length} results for “${q}”` }),
      el("ol", { class: "plain-list", id: "result-list" }, results.map((r) =>
        el("li", {},
          el("a", { href: noteHref(r), "data-note": r.doc_id, text: citationTitle(r) }),
          el("p", { class: "result-snippet", text: snippet(r.text) })))),
    );
    announce(`${results.length} results`);
  } catch (exc) {
    box.replaceChildren(el("p", { role: "alert", text: `Search failed: ${exc.message}` }));
  }
}

async function openNote(id, anchor) {
  const note = await api.noteHtml(id);
  document.title = `${note.title} · Tradeoff`;
  $("#note-title").textContent = note.title;
  $("#note-topics").textContent = `Topics: ${note.topics.join(", ")}`;
  const body = setServerHtml($("#note-body"), note.html);
  const firstHeading = body.querySelector("h1");
  if (firstHeading && firstHeading.textContent.trim() === note.title) firstHeading.remove();
  for (const a of document.querySelectorAll("#notes a")) {
    a.setAttribute("aria-current", String(a.dataset.note === id));
  }
  const target = anchor ? document.getElementById(anchor) : null;
  const focusTarget = target || $("#reader");
  if (target) {
    target.setAttribute("tabindex", "-1");
    target.classList.add("target"); // pushState does not move :target
  }
  focusTarget.focus({ preventScroll: true });
  focusTarget.scrollIntoView({ block: "start" });
  document.body.dataset.note = id;
}

function route() {
  const note = param("note");
  if (note) openNote(note, decodeURIComponent(location.hash.slice(1))).catch((exc) => {
    $("#note-title").textContent = "Note not found";
    $("#note-topics").textContent = exc.message;
  });
}

/** Same-page links to notes open them without a reload (and keep the back button working). */
function interceptNoteLinks(event) {
  const a = event.target.closest("a[href^='/study.html?note=']");
  if (!a || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  history.pushState(null, "", a.getAttribute("href"));
  route();
}

boot(async () => {
  document.addEventListener("click", interceptNoteLinks);
  window.addEventListener("popstate", route);
  $("#search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = $("#search-q").value.trim();
    if (!q) return;
    history.replaceState(null, "", `/study.html?q=${encodeURIComponent(q)}`);
    search(q);
  });
  const q = param("q");
  if (q) {
    $("#search-q").value = q;
    search(q);
  }
  route();
  const notes = await api.notes();
  $("#notes").replaceChildren(...notes.map((n) =>
    el("li", {}, el("a", { href: `/study.html?note=${encodeURIComponent(n.id)}`, "data-note": n.id,
      "aria-current": String(n.id === param("note")), text: n.title }))));
});
