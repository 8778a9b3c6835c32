"""`tradeoff drill`: the cards due today, one at a time: answer (graded on the card's reference
points) or rate by hand, then see the points made and missed, the next due date and the note."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from agents.errors import ServiceError

if TYPE_CHECKING:
    from sqlmodel import Session

    from agents.drills.service import DrillService
    from core.models import User

err = Console(stderr=True)
COMMANDS = ("/knew", "/didnt", "/skip", "/quit")
NOTE_CHARS = 700  # of a note section, in the terminal


def show_review(out: dict[str, Any], console: Console) -> None:
    grade = out.get("grade")
    if grade:
        table = Table("point of the reference answer", "made", show_lines=False)
        for label, key, style in (
            ("yes", "covered", "green"),
            ("partly", "partial", "yellow"),
            ("no", "missed", "red"),
        ):
            for text in grade[key]:
                table.add_row(escape(text), f"[{style}]{label}[/]")
        console.print(table)
        console.print(f"credit [bold]{grade['credit']:.2f}[/]", highlight=False)
    console.print(
        f"rating [bold]{out['rating']}[/] ({out['source']})  "
        f"next due [bold]{out['next_due'][:10]}[/]",
        highlight=False,
    )
    console.print(Panel(escape(out["reference"]), title="reference answer", expand=False))
    for note in out["card"]["notes"]:
        where = note["title"] + (f" — {note['section']}" if note.get("section") else "")
        text = (note.get("text") or "")[:NOTE_CHARS]
        console.print(f"[dim]read:[/] [bold]{escape(where)}[/]  (content/notes/{note['note']}.md)")
        if text:
            console.print(escape(text) + (" …" if len(note.get("text") or "") > NOTE_CHARS else ""))


def drill_loop(service: DrillService, db: Session, user: User, console: Console, limit: int) -> int:
    """Runs through the due cards; returns how many were reviewed."""
    from cli.interview_cmds import read_answer

    page = service.due(db, user, limit=limit)
    console.print(
        f"[bold]{page['due_today']} due today[/] ({page['due_now']} now, {page['total']} cards)",
        highlight=False,
    )
    done = 0
    for card in page["cards"]:
        title = f"{card['kind']}: {card['topic']}" + (
            f"  [{card['question_id']}]" if card["question_id"] else ""
        )
        console.print(Panel(escape(card["prompt"]), title=escape(title), expand=False))
        console.print(f"[dim]answer, or {' '.join(COMMANDS)}[/]")
        entry = read_answer(console, COMMANDS)
        try:
            if entry is None or entry == "/quit":
                break
            if entry == "/skip":
                continue
            if entry in ("/knew", "/didnt"):
                out = service.rate(db, user, card["id"], knew=entry == "/knew")
            else:
                with err.status("grading"):
                    out = service.answer(db, user, card["id"], entry)
        except ServiceError as exc:
            console.print(f"[yellow]{exc.message}[/]", highlight=False)
            continue
        show_review(out, console)
        done += 1
    console.print(f"reviewed {done} card(s)", highlight=False)
    return done


def register(app: typer.Typer) -> None:
    @app.command()
    def drill(
        limit: int = typer.Option(20, min=1, max=100, help="At most this many cards."),
    ) -> None:
        """Drill the cards due today: type an answer ending with a '.' line, or /knew /didnt."""
        from cli.interview_cmds import _container, _database
        from core.users import local_user

        console = Console()
        parts = _container()
        with _database(parts, False) as db:
            drill_loop(parts.drill_service, db, local_user(db), console, limit)
