"""POST /api/render and GET /api/notes/{id}/html: Markdown as sanitised HTML for the web UI."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field

from api.deps import current_user
from api.markdown import MAX_MARKDOWN_CHARS, render
from api.routes.search import get_note

router = APIRouter(tags=["render"], dependencies=[Depends(current_user)])


class RenderRequest(BaseModel):
    markdown: str = Field(description=f"Markdown text, at most {MAX_MARKDOWN_CHARS:,} characters.")


class RenderResponse(BaseModel):
    html: str


class RenderBatchRequest(BaseModel):
    items: list[str] = Field(max_length=200, description="Markdown texts, rendered in order.")


class RenderBatchResponse(BaseModel):
    items: list[str]


class NoteHtml(BaseModel):
    id: str
    title: str
    topics: list[str]
    html: str


@router.post("/api/render", response_model=RenderResponse)
def render_markdown(body: RenderRequest) -> RenderResponse:
    """Renders Markdown (CommonMark + tables, no raw HTML) and sanitises the result."""
    if len(body.markdown) > MAX_MARKDOWN_CHARS:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"markdown longer than {MAX_MARKDOWN_CHARS:,} characters",
        )
    return RenderResponse(html=render(body.markdown))


@router.post("/api/render/batch", response_model=RenderBatchResponse)
def render_batch(body: RenderBatchRequest) -> RenderBatchResponse:
    """Several texts in one request (a transcript with its citations); the same limit in total."""
    if sum(len(text) for text in body.items) > MAX_MARKDOWN_CHARS:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"markdown longer than {MAX_MARKDOWN_CHARS:,} characters in total",
        )
    return RenderBatchResponse(items=[render(text) for text in body.items])


@router.get("/api/notes/{note_id}/html", response_model=NoteHtml)
def note_html(note_id: str) -> NoteHtml:
    """A study note rendered; its headings carry `sec-<slug>` ids that citations link to."""
    note = get_note(note_id)
    return NoteHtml(id=note.id, title=note.title, topics=note.topics, html=render(note.body))
