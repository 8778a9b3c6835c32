// Runs inside a sandboxed frame (no same-origin rights): draws the Mermaid source the parent
// page posts, with securityLevel "strict", and answers with the drawing's height or the error.
// Only this frame's page may apply mermaid's inline styles (see api/security.py).
"use strict";

(function () {
  const lib = window.mermaid;
  lib.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    suppressErrorRendering: true,
    htmlLabels: false,
    flowchart: { htmlLabels: false },
    theme: "neutral",
  });
  let seq = 0;
  let queue = Promise.resolve(); // one drawing at a time: mermaid keeps state while it draws
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !event.data || typeof event.data.source !== "string") return;
    queue = queue.then(() => draw(event.data));
  });

  async function draw({ id, source }) {
    const out = document.getElementById("out");
    try {
      seq += 1;
      const { svg } = await lib.render(`d${seq}`, source);
      out.innerHTML = svg; // mermaid's own SVG, labels escaped under securityLevel "strict"
      const height = Math.ceil(out.getBoundingClientRect().height);
      window.parent.postMessage({ id, ok: true, height, findings: out.querySelectorAll(".finding").length }, "*");
    } catch (exc) {
      out.replaceChildren();
      window.parent.postMessage({ id, ok: false, error: String((exc && exc.message) || exc) }, "*");
    }
  }
  window.parent.postMessage({ ready: true }, "*");
})();
