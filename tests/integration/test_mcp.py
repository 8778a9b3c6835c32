"""The MCP server driven by the official `mcp` client: over stdio (`tradeoff mcp` as a child
process) and over streamable HTTP (/mcp of the app under uvicorn), a whole interview, a graded
answer, note search and the notes as resources; over HTTP, one user's key never reaches
another's session, and calls without a valid key are refused."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from sqlmodel import Session, col, select

from api.main import create_app
from core.db import engine_for
from core.models import InterviewSession, Message
from core.settings import Settings
from tests.support.answers import ANSWERS
from tests.support.live import live_server
from tests.support.servers import BIN, REPO
from tests.support.users import KeyedUser, keyed_user

TOOLS = {
    "list_questions",
    "start_interview",
    "answer",
    "hint",
    "finish",
    "grade_answer",
    "search_notes",
    "due_drills",
}


@asynccontextmanager
async def http_client(url: str, user: KeyedUser, mode: str = "auto") -> AsyncIterator[Client]:
    """A client with the user's key; `legacy` speaks the initialize handshake of 2025 clients."""
    async with (
        httpx2.AsyncClient(headers=user.bearer, timeout=httpx2.Timeout(30, read=600)) as http,
        Client(streamable_http_client(f"{url}/mcp", http_client=http), mode=mode) as client,
    ):
        yield client


def _text(result: Any) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


async def _call(client: Client, tool: str, **args: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert not result.is_error, _text(result)
    assert result.structured_content is not None
    return dict(result.structured_content)


async def _whole_interview(client: Client) -> str:
    """start -> 6 answers -> hint -> finish; returns the session id."""
    assert {t.name for t in (await client.list_tools()).tools} >= TOOLS
    bank = (await _call(client, "list_questions", query="url"))["result"]
    assert [q["id"] for q in bank] == ["url-shortener"]
    view = await _call(client, "start_interview", question_id="url-shortener", mode="coach")
    sid = view["id"]
    assert view["status"] == "active" and view["messages"][0]["role"] == "interviewer"
    for text in ANSWERS:
        turn = await _call(client, "answer", session_id=sid, content=text)
        assert turn["message"]["content"] == text and turn["reply"]["content"].strip()
    hint = await _call(client, "hint", session_id=sid)
    assert hint["level"] == 1 and hint["message"]["content"]
    done = await _call(client, "finish", session_id=sid)
    assert done["markdown"].startswith("## Scorecard: Design a URL shortener")
    assert len(done["scorecard"]["dimensions"]) == 7
    again = await _call(client, "finish", session_id=sid)
    assert again["scorecard"] == done["scorecard"]  # graded once
    missed = [i["id"] for i in done["scorecard"]["items"] if i["status"] != "covered"]
    due = await _call(client, "due_drills", limit=50)
    keys = {(c["question_id"], c["kind"]) for c in due["cards"]}
    assert due["total"] >= 1 and ("url-shortener", "item") in keys, (missed, due)
    return str(sid)


async def _grading_and_notes(client: Client) -> None:
    card = await _call(
        client,
        "grade_answer",
        question_id="url-shortener",
        answer="Base62 codes from counter ranges, a KV store, a read-through cache, 302s.",
    )
    assert card["question_id"] == "url-shortener" and 1.0 <= card["overall"] <= 4.0
    free = await _call(
        client, "grade_answer", question_text="Design a rate limiter", answer="Token buckets."
    )
    assert free["rubric"]["kind"] in {"bank", "synthesised", "generic"}
    bad = await client.call_tool("grade_answer", {"answer": "no question given"})
    assert bad.is_error and "exactly one of" in _text(bad)
    hits = (await _call(client, "search_notes", query="cache invalidation", k=3))["result"]
    assert hits and all(h["uri"] == f"tradeoff://notes/{h['note_id']}" for h in hits)
    notes = (await client.list_resources()).resources
    assert len(notes) > 20 and all(str(n.uri).startswith("tradeoff://notes/") for n in notes)
    read = await client.read_resource(hits[0]["uri"])
    assert read.contents[0].mime_type == "text/markdown" and read.contents[0].text.strip()


def _candidates(settings: Settings, session_id: str) -> list[str]:
    with Session(engine_for(settings)) as db:
        rows = db.exec(
            select(Message)
            .where(Message.session_id == session_id, Message.role == "candidate")
            .order_by(col(Message.seq))
        ).all()
        return [m.content for m in rows]


# -- stdio ------------------------------------------------------------------------------------
@pytest.fixture
def stdio_params(app_settings: Settings) -> StdioServerParameters:
    env = {
        **os.environ,
        "TRADEOFF_DATA_DIR": str(app_settings.data_dir),
        "TRADEOFF_LLM": "offline",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    # The console script, as an MCP client's config starts it (README).
    tradeoff = str(BIN / "tradeoff")
    return StdioServerParameters(command=tradeoff, args=["mcp"], env=env, cwd=str(REPO))


async def test_over_stdio_a_whole_interview_and_a_grade(
    stdio_params: StdioServerParameters, app_settings: Settings
) -> None:
    async with Client(stdio_params, read_timeout_seconds=600) as client:
        sid = await _whole_interview(client)
        await _grading_and_notes(client)
        missing = await client.call_tool("hint", {"session_id": "0" * 32})
        assert missing.is_error and "no session" in _text(missing)
    assert _candidates(app_settings, sid) == ANSWERS
    with Session(engine_for(app_settings)) as db:
        session = db.get(InterviewSession, sid)
        assert session is not None and session.status == "finished"


# -- streamable HTTP --------------------------------------------------------------------------


async def test_over_http_a_whole_interview_and_a_grade(served: tuple[str, Settings]) -> None:
    url, settings = served
    async with http_client(url, keyed_user(settings, "mcp")) as client:
        sid = await _whole_interview(client)
        await _grading_and_notes(client)
    assert _candidates(settings, sid) == ANSWERS


async def test_over_http_another_users_key_cannot_reach_the_session(
    served: tuple[str, Settings],
) -> None:
    url, settings = served
    ada, grace = keyed_user(settings, "ada"), keyed_user(settings, "grace")
    async with http_client(url, ada, mode="legacy") as client:
        view = await _call(client, "start_interview", question_id="url-shortener", mode="coach")
        sid = view["id"]
        await _call(client, "answer", session_id=sid, content=ANSWERS[0])
    opening = view["messages"][0]["content"]
    ghost = "f" * 32
    async with http_client(url, grace, mode="legacy") as thief:
        for tool, args in (
            ("answer", {"content": "I would shard by user id."}),
            ("hint", {}),
            ("finish", {}),
        ):
            stolen = await thief.call_tool(tool, {"session_id": sid, **args})
            unknown = await thief.call_tool(tool, {"session_id": ghost, **args})
            # An error, with no data, worded as for an id that never existed.
            assert stolen.is_error and stolen.structured_content is None
            assert _text(stolen).replace(sid, "ID") == _text(unknown).replace(ghost, "ID")
            assert opening not in _text(stolen) and ANSWERS[0] not in _text(stolen)
    assert _candidates(settings, sid) == [ANSWERS[0]]
    with Session(engine_for(settings)) as db:
        session = db.get(InterviewSession, sid)
        assert session is not None and session.status == "active"


def test_over_http_a_key_is_checked_before_the_protocol(
    backend_settings: Settings,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    settings = backend_settings.model_copy(update={"auth": "required"})
    app = create_app(settings)
    app.state.clock = clock
    probe = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    with live_server(app) as url:
        for headers in ({}, {"Authorization": "Bearer tk_not-a-key"}):
            res = httpx.post(f"{url}/mcp", json=probe, headers=headers)
            assert res.status_code == 401 and "tools" not in res.text
