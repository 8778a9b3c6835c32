"""Diagrams over HTTP: a diagram message gets a probe on its finding, a bad one a pointed note,
and grading reads diagrams as evidence without ever scoring them below the prose alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "evals" / "data" / "diagrams"
SPOF = """flowchart LR
  C[Browser] --> LB[Load balancer] --> API[Shortener service]
  API -->|cache hot codes| R[(Redis)]
  API --> P[(Postgres)]
"""


def _session(client) -> str:
    r = client.post("/api/sessions", json={"question_id": "url-shortener"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_diagram_message_is_stored_and_probed_on_its_finding(client) -> None:
    sid = _session(client)
    r = client.post(
        f"/api/sessions/{sid}/messages",
        json={"content": "Here is my first sketch.", "diagram": {"text": SPOF}},
    )
    assert r.status_code == 200, r.text
    reply = r.json()["reply"]["content"]
    assert "one Postgres node and no replica" in reply
    assert reply.count("?") == 1
    stored = client.get(f"/api/sessions/{sid}").json()["messages"]
    candidate = [m for m in stored if m["role"] == "candidate"][-1]["content"]
    assert candidate.startswith("Here is my first sketch.") and "```mermaid" in candidate
    # The same finding is not asked about twice.
    r = client.post(f"/api/sessions/{sid}/messages", json={"content": f"```mermaid\n{SPOF}```"})
    assert "no replica" not in r.json()["reply"]["content"]


@pytest.mark.parametrize(
    ("bad", "line"),
    [
        ("We shard by code.\n```mermaid\nflowchart LR\n  A[API] --> B[(Postgres\n```", 4),
        ("```mermaid\nflowchart LR\n  A[API] --> B[(Postgres\n```", 3),  # nothing else said
    ],
)
def test_a_diagram_that_does_not_parse_is_kept_and_pointed_at(client, bad: str, line: int) -> None:
    sid = _session(client)
    r = client.post(f"/api/sessions/{sid}/messages", json={"content": bad})
    assert r.status_code == 200
    reply = r.json()["reply"]["content"]
    assert f"Diagram not read (line {line} of your message)" in reply
    assert reply.count("?") == 1
    stored = client.get(f"/api/sessions/{sid}").json()["messages"]
    assert [m for m in stored if m["role"] == "candidate"][-1]["content"] == bad


def test_bad_diagram_requests_are_refused_clearly(client) -> None:
    sid = _session(client)
    url = f"/api/sessions/{sid}/messages"
    r = client.post(url, json={"diagram": {"format": "excalidraw", "text": "{not json"}})
    assert r.status_code == 422 and "line 1: not valid JSON" in r.text
    r = client.post(url, json={"diagram": {"text": SPOF, "colour": "red"}})
    assert r.status_code == 422
    r = client.post(url, json={"content": "x" * 19_990, "diagram": {"text": SPOF}})
    assert r.status_code == 422 and "at most 20,000" in r.text
    assert client.post(url, json={}).status_code == 422


def test_read_endpoint_types_nodes_and_highlights_findings(client) -> None:
    r = client.post("/api/diagrams/read", json={"text": SPOF})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {n["label"]: n["kind"] for n in body["nodes"]}["Redis"] == "cache"
    assert [f["rule"] for f in body["findings"]] == ["single-point-of-failure"]
    assert "class n5 finding" in body["mermaid"]
    drawing = (DATA / "payments.excalidraw").read_text()
    r = client.post("/api/diagrams/read", json={"format": "excalidraw", "text": drawing})
    assert r.status_code == 200
    assert {f["rule"] for f in r.json()["findings"]} == {
        "sync-third-party",
        "client-writes-database",
        "single-point-of-failure",
    }
    r = client.post("/api/diagrams/read", json={"text": "flowchart LR\n  A --> B[oops"})
    assert r.status_code == 422 and "line 2" in r.json()["detail"]


@pytest.mark.parametrize("with_prose", [True, False])
def test_grading_reads_the_diagram_as_evidence(client, with_prose: bool) -> None:
    prose = "We encode a counter in base62 and redirect with a 302." if with_prose else ""
    alone = client.post("/api/grade", json={"question": "url-shortener", "answer": prose})
    both = client.post(
        "/api/grade",
        json={"question": "url-shortener", "answer": prose, "diagram": {"text": SPOF}},
    )
    assert both.status_code == 200, both.text
    ev = both.json()
    quotes = [q for i in ev["items"] for q in i["evidence"]]
    assert "diagram: Shortener service → Redis (cache hot codes)." in quotes
    assert not {"no_answer", "too_short", "keyword_list"} & set(ev["flags"])
    assert ev["overall"] >= alone.json()["overall"]
    assert json.dumps(ev).count("```") == 0  # graded as evidence, not as raw source


def test_only_the_diagram_frame_may_apply_inline_styles(client) -> None:
    from api.security import CONTENT_SECURITY_POLICY

    frame = client.get("/diagram-frame.html")
    assert frame.status_code == 200 and "/vendor/mermaid.min.js" in frame.text
    csp = frame.headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp and "frame-ancestors 'self'" in csp
    assert "script-src 'self';" in csp and "unsafe-eval" not in csp
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"
    page = client.get("/interview.html")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["x-frame-options"] == "DENY"
    assert "cdn" not in page.text.lower() and "cdn" not in frame.text.lower()


def test_an_unreadable_diagram_is_graded_as_prose_and_said_so(client) -> None:
    answer = (
        "Redirects read a Redis cache in front of Postgres, keyed by the short code.\n"
        "```mermaid\nflowchart LR\n  API --> R[(Redis\n```"
    )
    r = client.post("/api/grade", json={"question": "url-shortener", "answer": answer})
    assert r.status_code == 200, r.text
    ev = r.json()
    assert "diagram_not_read" in ev["flags"]
    assert ev["feedback"].startswith("Diagram not read (line 4 of your message)")
    quotes = [q for i in ev["items"] for q in i["evidence"]]
    assert not any(q.startswith("diagram:") for q in quotes)  # read as the text it is
