"""`/healthz` (the process answers) and `/readyz` (database, migrations, policy)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from broker.system import service

router = APIRouter(tags=["system"])


@router.get("/healthz", summary="Liveness")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database reachable, migrations at head, policy loaded",
            responses={503: {"description": "Not ready"}})
def readyz(request: Request) -> Any:
    ready, report = service.readiness(request.app.state.db, request.app.state.policy)
    return JSONResponse(report, status_code=200 if ready else 503)
