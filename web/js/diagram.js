// Diagrams in the browser: mermaid (served from /vendor, never a CDN) renders the source, the
// API reads it (node kinds, findings). Labels are the candidate's text: mermaid runs with
// securityLevel "strict" (labels escaped, no HTML, no click handlers) and findings are text.
import { api } from "./api.js";
import { el } from "./ui.js";

let ready = null;
let seq = 0;

function mermaidLib() {
  if (!ready) {
    const lib = window.mermaid;
    if (!lib) return null;
    lib.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      suppressErrorRendering: true,
      theme: "neutral",
      flowchart: { htmlLabels: false },
    });
    ready = lib;
  }
  return ready;
}

/** Renders Mermaid `source` into `node`; throws the parser's message when it cannot. */
export async function renderMermaid(node, source) {
  const lib = mermaidLib();
  if (!lib) throw new Error("The diagram renderer did not load (run `make install`).");
  seq += 1;
  const { svg } = await lib.render(`diagram-svg-${seq}`, source);
  node.innerHTML = svg; // mermaid's own SVG, built with securityLevel "strict"
  node.dataset.rendered = "true";
}

/** POST /api/diagrams/read. */
export const readDiagram = (body) => api.readDiagram(body);

export function findingsList(findings) {
  if (!findings.length) return el("p", { class: "small muted", text: "No structural findings." });
  return el("ul", { class: "diagram-findings" },
    findings.map((f) => el("li", { "data-rule": f.rule, text: f.message })));
}

const FENCE = /```mermaid[ \t]*\n([\s\S]*?)```/g;

/** The last fenced Mermaid block of `text`, and the text around it. */
export function lastDiagram(text) {
  const blocks = [...text.matchAll(FENCE)];
  if (!blocks.length) return null;
  const last = blocks[blocks.length - 1];
  return { source: last[1].trim(), prose: text.replace(FENCE, " ").trim() };
}
