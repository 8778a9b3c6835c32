"""The schema of the diagram content: node kinds and structural rules (content/diagrams/).

Both files are validated when loaded; a problem names the file and the field.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=2, max_length=64)]
Words = list[Annotated[str, Field(min_length=1, max_length=60)]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NodeKind(_Strict):
    id: Slug
    name: str = Field(min_length=2, description="How findings and the UI name the kind.")
    generic: bool = Field(
        default=False, description="Gives way to any specific kind named in the same label."
    )
    concepts: list[Slug] = Field(
        default_factory=list, description="Concept-bank ids whose aliases name this kind."
    )
    aliases: Words = Field(default_factory=list, description="Further lower-case names.")
    weak_aliases: Words = Field(
        default_factory=list,
        description="Names that say this kind only when nothing else in the label names one "
        "('replica' in 'Cassandra replica' is a role, not a relational database).",
    )
    exemplars: list[Annotated[str, Field(min_length=5)]] = Field(
        min_length=1, description="Descriptions an unknown label is compared with by meaning."
    )


class _RuleBase(_Strict):
    id: Slug
    message: str = Field(min_length=5, description="The finding, with {label} placeholders.")
    probe: str = Field(
        min_length=10, pattern=r"\?$", description="What the interviewer asks about it."
    )
    topic: str = Field(min_length=3, description="A noun phrase: what the finding is about.")


class SingleInstance(_RuleBase):
    """A store drawn once, with no replica or standby beside it."""

    check: Literal["single_instance"]
    kinds: list[Slug] = Field(min_length=1)
    redundancy_words: Words = Field(min_length=1)


class NothingBehind(_RuleBase):
    """A node (a cache) with no source of truth anywhere in its part of the graph."""

    check: Literal["nothing_behind"]
    kinds: list[Slug] = Field(min_length=1)
    behind_kinds: list[Slug] = Field(min_length=1)


class DirectEdge(_RuleBase):
    """An edge straight from one kind to another (a client writing to a database)."""

    check: Literal["direct_edge"]
    from_kinds: list[Slug] = Field(min_length=1)
    to_kinds: list[Slug] = Field(min_length=1)


class NoConsumer(_RuleBase):
    """A node (a queue) nothing reads from."""

    check: Literal["no_consumer"]
    kinds: list[Slug] = Field(min_length=1)
    consumer_kinds: list[Slug] = Field(default_factory=list)
    consume_words: Words = Field(default_factory=list)


class SyncOnRequestPath(_RuleBase):
    """A synchronous call to a kind (a third party) from a node serving a client's request."""

    check: Literal["sync_on_request_path"]
    to_kinds: list[Slug] = Field(min_length=1)
    entry_kinds: list[Slug] = Field(min_length=1, description="Where requests come from.")
    fallback_entry_kinds: list[Slug] = Field(
        min_length=1, description="The request path when no client is drawn."
    )
    off_path_kinds: list[Slug] = Field(
        default_factory=list, description="Kinds past which a call is no longer on the path."
    )
    async_words: Words = Field(default_factory=list)


class ProseMismatch(_RuleBase):
    """A component named in the prose but not drawn (`named_not_drawn`) or the reverse."""

    check: Literal["named_not_drawn", "drawn_not_named"]
    kinds: list[Slug] = Field(min_length=1)
    min_prose_words: int = Field(default=20, ge=1)


Rule = Annotated[
    SingleInstance | NothingBehind | DirectEdge | NoConsumer | SyncOnRequestPath | ProseMismatch,
    Field(discriminator="check"),
]


class RuleSet(_Strict):
    rules: list[Rule] = Field(min_length=1)


class NodeKindSet(_Strict):
    kinds: list[NodeKind] = Field(min_length=1)
