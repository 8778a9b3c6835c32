// Diagrams in the browser: mermaid (served from /vendor, never a CDN) renders the source, the
// API reads it (node kinds, findings). Labels are the candidate's text: mermaid runs with
// securityLevel "strict" (labels escaped, no HTML, no click handlers) and findings are text.
import { api } from "./api.js";
import { el } from "./ui.js";

let seq = 0;

/** A sandboxed frame of our own (web/diagram-frame.html) that draws diagrams: mermaid needs
 * inline styles, which the app's pages refuse, and the frame has no rights on the page. */
function frameIn(node) {
  let frame = node.querySelector("iframe.diagram-frame");
  if (frame) return frame.loaded;
  frame = el("iframe", {
    class: "diagram-frame",
    src: "/diagram-frame.html",
    sandbox: "allow-scripts",
    title: node.getAttribute("aria-label") || "Diagram",
  });
  frame.loaded = new Promise((resolve) => {
    const onReady = (event) => {
      if (event.source === frame.contentWindow && event.data && event.data.ready) {
        window.removeEventListener("message", onReady);
        resolve(frame);
      }
    };
    window.addEventListener("message", onReady);
  });
  node.replaceChildren(frame);
  return frame.loaded;
}

/** Draws Mermaid `source` in `node`; throws mermaid's message when it cannot. */
export async function renderMermaid(node, source) {
  const frame = await frameIn(node);
  seq += 1;
  const id = seq;
  const answer = await new Promise((resolve) => {
    const onAnswer = (event) => {
      if (event.source === frame.contentWindow && event.data && event.data.id === id) {
        window.removeEventListener("message", onAnswer);
        resolve(event.data);
      }
    };
    window.addEventListener("message", onAnswer);
    frame.contentWindow.postMessage({ id, source }, "*"); // the frame's origin is opaque
  });
  if (!answer.ok) throw new Error(answer.error);
  frame.style.height = `${answer.height + 8}px`;
  node.dataset.rendered = String(id);
  return answer;
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
