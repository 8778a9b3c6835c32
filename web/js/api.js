// The HTTP API: JSON requests, and turns streamed as server-sent events over fetch().

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || `request failed (${status})`);
    this.status = status;
  }
}

/** A failed turn. `accepted` is true when the server stored the answer before failing. */
export class TurnError extends Error {
  constructor(message, { status = 0, accepted = false } = {}) {
    super(message);
    this.status = status;
    this.accepted = accepted;
  }
}

function detailOf(data) {
  if (!data) return "";
  if (typeof data.detail === "string") return data.detail;
  if (Array.isArray(data.detail)) return data.detail.map((d) => d.msg).join("; ");
  return "";
}

async function request(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, "The server cannot be reached. Is `tradeoff serve` running?");
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, detailOf(data) || res.statusText);
  return data;
}

const enc = encodeURIComponent;
const RENDER_BATCH_CHARS = 40000;

export const api = {
  questions: () => request("GET", "/api/questions"),
  question: (id) => request("GET", `/api/questions/${enc(id)}`),
  createSession: (body) => request("POST", "/api/sessions", body),
  session: (id) => request("GET", `/api/sessions/${enc(id)}`),
  sessions: (limit = 20, offset = 0) => request("GET", `/api/sessions?limit=${limit}&offset=${offset}`),
  hint: (id) => request("POST", `/api/sessions/${enc(id)}/hint`),
  finish: (id) => request("POST", `/api/sessions/${enc(id)}/finish`),
  scorecard: (id) => request("GET", `/api/sessions/${enc(id)}/scorecard`),
  progress: () => request("GET", "/api/progress"),
  dueDrills: (limit = 50) => request("GET", `/api/drills/due?limit=${limit}`),
  answerDrill: (id, answer) => request("POST", `/api/drills/${enc(id)}/answer`, { answer }),
  rateDrill: (id, knew) => request("POST", `/api/drills/${enc(id)}/rate`, { knew }),
  search: (q, k = 8) => request("GET", `/api/search?q=${enc(q)}&k=${k}&corpus=notes`),
  notes: () => request("GET", "/api/notes"),
  noteHtml: (id) => request("GET", `/api/notes/${enc(id)}/html`),
  render: async (markdown) => (await request("POST", "/api/render", { markdown })).html,
  readDiagram: (body) => request("POST", "/api/diagrams/read", body),

  /** Renders many Markdown texts with as few requests as the size limit allows. */
  async renderMany(texts) {
    const out = [];
    let batch = [];
    let size = 0;
    const flush = async () => {
      if (!batch.length) return;
      out.push(...(await request("POST", "/api/render/batch", { items: batch })).items);
      batch = [];
      size = 0;
    };
    for (const text of texts) {
      if (size + text.length > RENDER_BATCH_CHARS || batch.length >= 200) await flush();
      batch.push(text.slice(0, RENDER_BATCH_CHARS));
      size += Math.min(text.length, RENDER_BATCH_CHARS);
    }
    await flush();
    return out;
  },
};

/** Splits an SSE byte stream into {event, data} records (data lines joined by newlines). */
export async function* readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (!line || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? "" : line.slice(colon + 1);
        if (val.startsWith(" ")) val = val.slice(1);
        if (field === "event") event = val;
        else if (field === "data") data.push(val);
      }
      yield { event, data: data.join("\n") };
    }
  }
}

/**
 * POSTs a turn (`/messages` or `/retry`) asking for SSE; calls onToken(text) per delta and
 * resolves with the `done` payload; onAccepted() runs once the server has stored the answer.
 * Throws TurnError when the turn fails.
 */
export async function streamTurn(path, body, { onToken, onAccepted }) {
  let res;
  try {
    res = await fetch(path, {
      method: "POST",
      headers: { Accept: "text/event-stream", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new TurnError("The server cannot be reached; your answer was not sent.");
  }
  if (!res.ok) {
    let detail = res.statusText;
    try {
      detail = detailOf(await res.json()) || detail;
    } catch {
      /* not JSON */
    }
    throw new TurnError(detail, { status: res.status });
  }
  if (onAccepted) onAccepted();
  try {
    for await (const { event, data } of readEvents(res.body)) {
      if (event === "token") onToken(data);
      else if (event === "done") return JSON.parse(data);
      else if (event === "error") {
        const err = JSON.parse(data);
        throw new TurnError(err.detail || "the interviewer could not answer", {
          status: err.status || 500,
          accepted: true,
        });
      }
    }
  } catch (exc) {
    if (exc instanceof TurnError) throw exc;
    throw new TurnError("The reply was cut off.", { accepted: true });
  }
  throw new TurnError("The reply ended before it was complete.", { accepted: true });
}
