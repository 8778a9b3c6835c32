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
        from api.interview_deps import build_service
        from api.main import prepare
        from api.mcp_server import build_server, local_identity
        from core.logging import configure_logging
        from core.settings import get_settings

        settings = get_settings()
        configure_logging(settings.log_level)  # to stderr, before the SDK adds a handler
        try:
            prepare(settings)  # the schema, and the notes index that hints and search use
        except Exception as exc:  # noqa: BLE001 - one clear line for any driver error
            typer.echo(f"error: could not prepare: {type(exc).__name__}: {exc}", err=True)
            raise typer.Exit(2) from exc
        service = build_service(settings)
        build_server(settings, lambda: service, local_identity).run("stdio")
