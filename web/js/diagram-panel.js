// The interview's diagram panel: a Mermaid editor with a live preview, the findings the server
// reads in it, an .excalidraw import, and "Attach to answer" (sent with the next message).
import { findingsList, readDiagram, renderMermaid } from "./diagram.js";
import { $, announce } from "./ui.js";

const DRAFT_KEY = "tradeoff:diagram";
const MAX_DRAWING_BYTES = 1_000_000;
let attached = "";
let timer = 0;

function setError(text) {
  const box = $("#diagram-error");
  box.textContent = text;
  box.hidden = !text;
}

async function refresh() {
  const source = $("#diagram-source").value.trim();
  const preview = $("#diagram-preview");
  if (!source) {
    preview.replaceChildren();
    $("#diagram-findings").replaceChildren();
    setError("");
    return;
  }
  try {
    const read = await readDiagram({ text: source, highlight: false });
    setError("");
    $("#diagram-findings").replaceChildren(findingsList(read.findings));
  } catch (exc) {
    setError(exc.message); // e.g. "diagram: line 3: the label of 'B' is not closed with ']'"
    $("#diagram-findings").replaceChildren();
  }
  try {
    await renderMermaid(preview, source);
  } catch (exc) {
    if ($("#diagram-error").hidden) setError(`No preview yet: ${exc.message}`);
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 300);
}

function showAttached() {
  const chip = $("#diagram-attached");
  chip.hidden = !attached;
  $("#diagram-attach").textContent = attached ? "Update attached diagram" : "Attach to answer";
}

async function importDrawing(file) {
  if (file.size > MAX_DRAWING_BYTES) {
    setError("That drawing is over 1 MB; export a smaller one.");
    return;
  }
  try {
    const read = await readDiagram({ format: "excalidraw", text: await file.text(), highlight: false });
    $("#diagram-source").value = read.mermaid;
    localStorage.setItem(DRAFT_KEY, read.mermaid);
    announce(`Imported ${read.nodes.length} shapes and ${read.edges.length} arrows.`);
    if (read.skipped.length) setError(`Left out: ${read.skipped.join("; ")}.`);
    await refresh();
  } catch (exc) {
    setError(`Not imported: ${exc.message}`);
  }
}

/** The Mermaid source attached to the next answer ("" when none). */
export const attachedDiagram = () => attached;

export function clearAttachment() {
  attached = "";
  showAttached();
}

export function initDiagramPanel() {
  const box = $("#diagram-source");
  box.value = localStorage.getItem(DRAFT_KEY) || "";
  box.addEventListener("input", () => {
    if (box.value) localStorage.setItem(DRAFT_KEY, box.value);
    else localStorage.removeItem(DRAFT_KEY);
    schedule();
  });
  $("#diagram-attach").addEventListener("click", () => {
    const source = box.value.trim();
    if (!source) {
      setError("Draw something first: the diagram is empty.");
      return;
    }
    attached = source;
    showAttached();
    announce("Diagram attached to your next answer.");
  });
  $("#diagram-detach").addEventListener("click", clearAttachment);
  $("#diagram-import").addEventListener("change", (e) => {
    const [file] = e.target.files;
    if (file) importDrawing(file);
    e.target.value = "";
  });
  showAttached();
  if (box.value.trim()) refresh();
}
