"""GET /api/health: real checks of the database and Chroma."""

from __future__ import annotations

from fastapi import APIRouter

from agents.models import parse_spec
from api.deps import SettingsDep
from api.views import Health
from core import __version__, db

router = APIRouter(tags=["health"])


def _chroma_status(settings) -> str:  # type: ignore[no-untyped-def]
    try:
        from retrieval.store import open_client

        open_client(settings).heartbeat()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - health reports any failure
        return f"error: {type(exc).__name__}"


@router.get("/api/health", response_model=Health)
def health(settings: SettingsDep) -> dict[str, str]:
    database = db.check(settings)
    chroma = _chroma_status(settings)
    ok = database == "ok" and chroma == "ok"
    return {
        "status": "ok" if ok else "degraded",
        "version": __version__,
        "engine": parse_spec(settings.llm_spec).engine_name,
        "database": database,
        "chroma": chroma,
    }
