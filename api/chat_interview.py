"""An OpenAI-style chat (the client resends its whole message list every turn) as one interview
session: the first user message opens it, each later one is an answer, `/hint` or `/finish`.

The session is the one named by `metadata.tradeoff_session_id`, or else the one whose opening
reply the history starts with: the first user message and Tradeoff's first reply (which names
its session) are hashed, per user, to the session. Replies are reconciled with what the session
stored, so a resent or retried request gets the reply it already got, never a second turn.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from agents.errors import Conflict, Invalid, NotFound
from agents.evaluation import MAX_ANSWER_CHARS, Evaluation
from agents.interviewer.service import InterviewService, TurnContext
from api import scorecard_markdown
from api.openai_schema import MODEL_PREFIX, ChatCompletionRequest
from api.views import Level, Mode, Persona
from core.models import IdempotencyRecord, User, utcnow

Command = Literal["/hint", "/finish"]
COMMANDS: tuple[Command, ...] = ("/hint", "/finish")
SETUP_CHOICES: dict[str, tuple[str, ...]] = {
    "mode": get_args(Mode),
    "level": get_args(Level),
    "persona": get_args(Persona),
}
DEFAULT_SETUP = {"mode": "coach", "level": "senior", "persona": "neutral"}
_SETUP_LINE = re.compile(r"^\s*(mode|level|persona)\s*[:=]\s*([A-Za-z]+)\s*$", re.I | re.M)
# The links from a chat to its session live in the idempotency table: per user, unique, dated.
OPENING_LINK = "chat:opening"
CONVERSATION_LINK = "chat:conversation"
# A new chat whose first message equals one sent this recently, to a session still unanswered,
# is taken for a retry of that request and gets the same opening.
OPENING_RETRY_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Chat:
    """What the client's message list says."""

    model: str
    question_id: str | None
    setup: dict[str, str]
    setup_text: str
    users: list[str]
    first_reply: str | None
    session_id: str | None


def _norm(text: str) -> str:
    return " ".join(text.split())


def _digest(*parts: str) -> str:
    return hashlib.sha256(json.dumps([_norm(p) for p in parts]).encode()).hexdigest()


def command(text: str) -> Command | None:
    word = text.strip().lower()
    return next((c for c in COMMANDS if word == c), None)


def question_of(model: str, question_ids: set[str]) -> str | None:
    """The bank question a model id names (None: a random one); NotFound for other ids."""
    if model == MODEL_PREFIX:
        return None
    prefix, _, qid = model.partition("/")
    if prefix == MODEL_PREFIX and qid in question_ids:
        return qid
    raise NotFound(f"no model {model!r}: GET /v1/models lists them")


def _setup(req: ChatCompletionRequest, setup_text: str) -> dict[str, str]:
    """Mode, level and persona for a new session: metadata first, then `key: value` lines of
    the system prompt, then the defaults."""
    found = {k.lower(): v.lower() for k, v in _SETUP_LINE.findall(setup_text)}
    meta = req.metadata or {}
    setup = {}
    for key, choices in SETUP_CHOICES.items():
        value = meta.get(f"tradeoff_{key}", found.get(key, DEFAULT_SETUP[key])).lower()
        if value not in choices:
            raise Invalid(f"{key} must be one of {', '.join(choices)}, not {value!r}")
        setup[key] = value
    return setup


def parse(req: ChatCompletionRequest, question_ids: set[str]) -> Chat:
    setup_text = "\n".join(m.text() for m in req.messages if m.role in ("system", "developer"))
    users: list[str] = []
    first_reply = None
    for m in req.messages:
        if m.role == "user":
            users.append(m.text())
        elif m.role == "assistant" and users and first_reply is None:
            first_reply = m.text()
    if req.messages[-1].role != "user" or not users:
        raise Invalid("the last message must be the user's")
    last = users[-1]
    if not last.strip():
        raise Invalid("the last user message is empty")
    if len(last) > MAX_ANSWER_CHARS:
        raise Invalid(f"a message has at most {MAX_ANSWER_CHARS:,} characters")
    if "\x00" in last:
        raise Invalid("a message must not contain NUL (\\x00) characters")
    session_id = (req.metadata or {}).get("tradeoff_session_id")
    if session_id is not None and (len(session_id) > 32 or "\x00" in session_id):
        raise NotFound(f"no session {session_id[:40]!r}")
    return Chat(
        model=req.model,
        question_id=question_of(req.model, question_ids),
        setup=_setup(req, setup_text),
        setup_text=setup_text,
        users=users,
        first_reply=first_reply,
        session_id=session_id,
    )


# -- replies as chat text ----------------------------------------------------------------------
def opening_text(view: dict[str, Any]) -> str:
    """The opening message, and a line naming the session and the commands. That line makes
    every session's first reply unique, so hashing the history's start finds the session."""
    opening = view["messages"][0]["content"]
    hint = "/hint for a hint, " if view["mode"] == "coach" else ""
    return (
        f"{opening}\n\n_Tradeoff session `{view['id']}`: {view['question']['title']}, "
        f"{view['mode']} mode, level {view['level']}. Answer in your own words; send "
        f"{hint}/finish to end and get your scorecard._"
    )


def turn_suffix(result: dict[str, Any]) -> str:
    """What follows the interviewer's words in the chat: a notice, or that the interview is over."""
    notes = []
    if result["reply"].get("notice"):
        notes.append(f"_{result['reply']['notice']}_")
    if result["status"] == "completed":
        notes.append("_The interview is over: send /finish for your scorecard._")
    return "".join(f"\n\n{n}" for n in notes)


def turn_text(result: dict[str, Any]) -> str:
    return str(result["reply"]["content"]) + turn_suffix(result)


def hint_text(message: dict[str, Any]) -> str:
    """The hint, and the note sections it cites (by heading: the source is a server path)."""
    headings = [c["heading"] for c in message.get("citations") or [] if c.get("heading")]
    see = "; ".join(dict.fromkeys(headings))
    return str(message["content"]) + (f"\n\nSee: {see}" if see else "")


# -- what to reply ----------------------------------------------------------------------------
@dataclass
class Reply:
    """The session, and either the reply's text, a turn to resume, or a new answer to store."""

    view: dict[str, Any]
    text: str | None = None
    resume: TurnContext | None = None
    answer: str | None = None
    answer_index: int = 0


class ChatInterviews:
    def __init__(self, service: InterviewService):
        self.service = service

    def reply(self, db: Session, user: User, chat: Chat) -> Reply:
        view = self._session(db, user, chat)
        said = chat.users[1:]
        if not said:
            return Reply(view, text=opening_text(view))
        prior, last = said[:-1], said[-1]
        sid = view["id"]
        if command(last) == "/finish":
            result = self.service.finish(db, user, sid)
            view = self.service.get(db, user, sid)
            card = Evaluation.model_validate(result)
            return Reply(view, text=scorecard_markdown.render(card, view["question"]["title"]))
        if command(last) == "/hint":
            asked = sum(1 for c in prior if command(c) == "/hint")
            hints = [m for m in view["messages"] if m["kind"] == "hint"]
            if len(hints) > asked:  # a resent request: the hint it got
                return Reply(view, text=hint_text(hints[asked]))
            out = self.service.hint(db, user, sid)
            return Reply(self.service.get(db, user, sid), text=hint_text(out["message"]))
        return self._answer(db, user, view, prior, last)

    def _answer(
        self, db: Session, user: User, view: dict[str, Any], prior: list[str], last: str
    ) -> Reply:
        answers = [c for c in prior if command(c) is None]
        stored = [m for m in view["messages"] if m["role"] == "candidate"]
        n = len(answers)
        same = len(stored) >= n and all(
            _norm(m["content"]) == _norm(a) for m, a in zip(stored, answers, strict=False)
        )
        if same and len(stored) == n:
            return Reply(view, answer=last, answer_index=n)
        if same and len(stored) == n + 1 and _norm(stored[n]["content"]) == _norm(last):
            resumed = self.service.resume(db, user, view["id"], stored[n]["id"])
            if isinstance(resumed, dict):  # a resent request: the reply it got
                return Reply(view, text=turn_text(resumed))
            return Reply(view, resume=resumed)
        raise Conflict(
            f"this chat no longer matches interview {view['id']}: an earlier answer was changed "
            "or removed. Start a new chat to start a new interview."
        )

    def _session(self, db: Session, user: User, chat: Chat) -> dict[str, Any]:
        if chat.session_id is not None:
            return self.service.get(db, user, chat.session_id)
        if chat.first_reply is not None:
            link = _link(db, user, CONVERSATION_LINK, _digest(chat.users[0], chat.first_reply))
            if link is None:
                raise NotFound(
                    "this chat is not one of your Tradeoff interviews (its first reply is not one "
                    "Tradeoff gave you): start a new chat, or pass metadata.tradeoff_session_id"
                )
            return self.service.get(db, user, link.response["session_id"])
        opening_key = _digest(chat.model, chat.setup_text, chat.users[0])
        retried = self._recent_opening(db, user, opening_key)
        if retried is not None:
            return retried
        view = self.service.create(
            db,
            user,
            question_id=chat.question_id,
            mode=chat.setup["mode"],
            level=chat.setup["level"],
            persona=chat.setup["persona"],
        )
        _set_link(db, user, OPENING_LINK, opening_key, view["id"])
        conversation_key = _digest(chat.users[0], opening_text(view))
        _set_link(db, user, CONVERSATION_LINK, conversation_key, view["id"])
        return view

    def _recent_opening(self, db: Session, user: User, key: str) -> dict[str, Any] | None:
        link = _link(db, user, OPENING_LINK, key)
        if link is None:
            return None
        created = link.created_at
        if created.tzinfo is None:  # SQLite keeps no zone; it was stored in UTC
            created = created.replace(tzinfo=UTC)
        if datetime.now(UTC) - created > OPENING_RETRY_WINDOW:
            return None
        try:
            view = self.service.get(db, user, link.response["session_id"])
        except NotFound:
            return None
        untouched = len(view["messages"]) == 1 and view["status"] == "active"
        return view if untouched else None


def _link(db: Session, user: User, route: str, key: str) -> IdempotencyRecord | None:
    return db.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user.id,
            IdempotencyRecord.route == route,
            IdempotencyRecord.key == key,
        )
    ).first()


def _set_link(db: Session, user: User, route: str, key: str, session_id: str) -> None:
    for _ in range(2):  # a concurrent insert of the same link: update it instead
        rec = _link(db, user, route, key) or IdempotencyRecord(
            user_id=user.id, route=route, key=key, body_hash=key
        )
        rec.response, rec.status_code, rec.created_at = {"session_id": session_id}, 200, utcnow()
        db.add(rec)
        try:
            db.commit()
            return
        except IntegrityError:
            db.rollback()
