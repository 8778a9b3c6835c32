"""`tradeoff mcp`: the MCP server over stdio, for MCP clients that start a command.

It acts as the local user, like `tradeoff interview`, so its sessions show in the web history of
local mode. Logs go to stderr: stdout carries the protocol.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def mcp() -> None:
        """Serve the MCP tools and the notes over stdio (see the README for client config)."""
        from api.mcp_server import build_server, local_identity
        from core.logging import configure_logging
        from core.settings import get_settings
        from wiring import Container

        parts = Container(get_settings())
        configure_logging(parts.settings.log_level)  # to stderr, before the SDK adds a handler
        try:
            parts.prepare()  # the schema, and the notes index that hints and search use
        except Exception as exc:  # noqa: BLE001 - one clear line for any driver error
            typer.echo(f"error: could not prepare: {type(exc).__name__}: {exc}", err=True)
            raise typer.Exit(2) from exc
        build_server(parts.settings, lambda: parts, local_identity).run("stdio")
