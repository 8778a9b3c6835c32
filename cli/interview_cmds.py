"""`tradeoff interview`: a mock or coached interview in the terminal, stored like the web UI's.

The same service as the HTTP API takes every turn, so the session shows up in the web history.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

from agents.errors import ServiceError
from agents.interviewer.phases import PHASE_NAMES
from cli.grade_cmds import read_diagram

if TYPE_CHECKING:  # imported where used: `tradeoff grade` and `search` start without them
    from sqlmodel import Session

    from agents.drills.service import DrillService
    from agents.interviewer.service import InterviewService
    from core.models import User
    from wiring import Container

err = Console(stderr=True)
COMMANDS = ("/hint", "/finish", "/quit")
END_OF_ANSWER = "."
DIAGRAM_COMMAND = "/diagram "  # '/diagram FILE' sends a diagram as a message of its own


class Mode(StrEnum):
    mock = "mock"
    coach = "coach"


class Level(StrEnum):
    mid = "mid"
    senior = "senior"
    staff = "staff"


class Persona(StrEnum):
    supportive = "supportive"
    neutral = "neutral"
    adversarial = "adversarial"


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(2)


def _check_question(question: str | None) -> None:
    """Refuses an unknown id before the database or the models are touched."""
    from content.loader import bundled_bank

    ids = sorted(bundled_bank().questions)
    if question is None or question in ids:
        return
    close = difflib.get_close_matches(question, ids, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; {len(ids)} ids are under content/"
    _fail(f"no question {question!r} in the bank{hint}")


def _container() -> Container:
    """The parts an interview in the terminal uses, from the environment's settings."""
    from core.settings import get_settings
    from wiring import Container

    return Container(get_settings())


@contextmanager
def _database(parts: Container, coach: bool) -> Iterator[Session]:
    """The configured database at the newest schema (and, for hints, the indexed notes)."""
    from sqlmodel import Session

    from core.db import upgrade

    parts.settings.ensure_dirs()
    try:
        upgrade(parts.settings.effective_database_url)
    except Exception as exc:  # noqa: BLE001 - one clear line for any driver error
        _fail(f"could not open the database: {type(exc).__name__}: {exc}".splitlines()[0])
    if coach:  # hints cite the study notes
        with err.status("indexing the study notes"):
            parts.index_notes()
    with Session(parts.db, expire_on_commit=False) as db:
        yield db


def read_answer(console: Console, commands: tuple[str, ...] = COMMANDS) -> str | None:
    """One answer: lines up to a line holding only '.', or EOF; None at EOF with nothing read.
    A first line that is one of `commands` is returned alone."""
    console.print("[dim]you[/] [dim](end with a line holding only '.')[/]")
    lines: list[str] = []
    while True:
        line = sys.stdin.readline()
        if not line:  # EOF: what was typed still counts as an answer
            return "\n".join(lines) if lines else None
        line = line.rstrip("\r\n")
        if line.strip() == END_OF_ANSWER:
            return "\n".join(lines)
        if not lines and (line.strip() in commands or line.startswith(DIAGRAM_COMMAND)):
            return line.strip()
        lines.append(line)


class TerminalInterview:
    """One session in the terminal: prints the interviewer, streams replies, runs commands."""

    def __init__(
        self,
        service: InterviewService,
        db: Session,
        user: User,
        console: Console,
        drills: DrillService | None = None,
    ):
        self.service = service
        self.drills = drills  # makes drill cards from the finished interview
        self.db = db
        self.user = user
        self.console = console
        self.session_id = ""
        self.phase = ""

    def _show_phase(self, phase: str) -> None:
        if phase != self.phase:
            self.phase = phase
            self.console.rule(f"[bold]phase: {PHASE_NAMES.get(phase, phase)}[/]")

    def _say(self, text: str, phase: str) -> None:
        self._show_phase(phase)
        self.console.print("[bold cyan]interviewer[/]")
        self.console.print(text, markup=False, highlight=False)

    def start(self, question: str | None, mode: str, level: str, persona: str = "neutral") -> None:
        view = self.service.create(
            self.db, self.user, question_id=question, mode=mode, level=level, persona=persona
        )
        self.session_id = view["id"]
        self.console.print(
            f"[bold]{view['question']['title']}[/]  mode {mode}  level {level}  "
            f"{view['clock']['total_minutes']} min  session {view['id']}",
            highlight=False,
        )
        for m in view["messages"]:
            self._say(m["content"], m["phase"])

    def answer(self, text: str) -> str:
        """Sends one answer and streams the reply; returns the session's status after it."""
        ctx = self.service.begin_turn(self.db, self.user, self.session_id, text)
        self.console.print("[bold cyan]interviewer[/]")
        status = "active"
        for kind, payload in self.service.run_turn(self.db, ctx):
            if kind == "token":
                self.console.print(payload, end="", markup=False, highlight=False, soft_wrap=True)
            elif kind == "done":
                self.console.print()
                reply = payload["reply"]
                if reply.get("notice"):
                    self.console.print(f"[yellow]{reply['notice']}[/]", highlight=False)
                self._show_phase(payload["phase"])
                status = payload["status"]
            elif kind == "error":
                self.console.print()
                self.console.print(f"[red]{payload['detail']}[/]", highlight=False)
        return status

    def hint(self) -> None:
        out = self.service.hint(self.db, self.user, self.session_id)
        msg = out["message"]
        self.console.print(f"[bold magenta]hint (level {out['level']})[/]")
        self.console.print(msg["content"], markup=False, highlight=False)
        for c in msg["citations"]:
            where = escape(str(c.get("heading") or c.get("source", "")))
            self.console.print(f"  [dim]see:[/] {where}", highlight=False)

    def finish(self) -> None:
        from agents.evaluation import Evaluation
        from cli.grade_cmds import print_scorecard

        with err.status("grading the interview"):
            result: dict[str, Any] = self.service.finish(self.db, self.user, self.session_id)
        self.console.rule("[bold]scorecard[/]")
        print_scorecard(Evaluation.model_validate(result), self.console)
        if self.drills is None:
            return
        drills = self.drills.record_interview(self.db, self.user, self.session_id)
        if drills:
            self.console.print(f"{len(drills)} drill card(s) to practise: run 'tradeoff drill'")

    def loop(self, diagram: str = "") -> None:
        """Reads answers until the end; `diagram` (a fenced block) goes with the first one."""
        while True:
            entry = read_answer(self.console)
            if diagram and entry is not None and not entry.startswith("/"):
                entry, diagram = f"{entry}\n\n{diagram}", ""
            try:
                if entry is None or entry == "/quit":
                    self.console.print(
                        f"left the interview; session {self.session_id} is saved", highlight=False
                    )
                    return
                if entry == "/finish":
                    self.finish()
                    return
                if entry == "/hint":
                    self.hint()
                    continue
                if entry.startswith(DIAGRAM_COMMAND):
                    try:
                        path = Path(entry[len(DIAGRAM_COMMAND) :].strip())
                        entry = read_diagram(path).attach_to("")
                    except ValueError as exc:
                        self.console.print(f"[yellow]{escape(str(exc))}[/]", highlight=False)
                        continue
                    except typer.Exit:  # the file could not be read, and it was said: go on
                        continue
                if self.answer(entry) == "completed":
                    self.console.print("[green]the interview is over[/]")
                    self.finish()
                    return
            except ServiceError as exc:  # e.g. an empty answer, or /hint in mock mode
                self.console.print(f"[yellow]{exc.message}[/]", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def interview(
        question: str = typer.Option(None, "--question", help="A bank question id (else random)."),
        mode: Mode = typer.Option(Mode.mock, help="mock, or coach (hints with /hint)."),
        level: Level = typer.Option(Level.senior, help="The level you are interviewing for."),
        persona: Persona = typer.Option(
            Persona.neutral, help="supportive, neutral or adversarial: how hard it pushes back."
        ),
        diagram: Path = typer.Option(
            None,
            "--diagram",
            help="A Mermaid or .excalidraw diagram sent with your first answer "
            "(later: '/diagram FILE').",
        ),
    ) -> None:
        """Take an interview in the terminal: answers end with a '.' line; /hint /finish /quit."""
        from core.users import local_user

        _check_question(question)
        console = Console()
        parts = _container()
        with _database(parts, mode is Mode.coach) as db:
            run = TerminalInterview(
                parts.interview_service, db, local_user(db), console, parts.drill_service
            )
            try:
                run.start(question, mode.value, level.value, persona.value)
                console.print(f"[dim]commands: {' '.join(COMMANDS)} /diagram FILE[/]")
                run.loop(read_diagram(diagram).attach_to("") if diagram else "")
            except KeyboardInterrupt:
                console.print(f"\nleft the interview; session {run.session_id} is saved")
                raise typer.Exit(130) from None
