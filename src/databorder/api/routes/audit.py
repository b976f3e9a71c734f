"""Audit runs for the privacy officer: run the checks, list the runs, fetch findings and packs.

A run takes as long as the checks take (seconds on a small world, the live database read in
one snapshot); it answers when the pack is written, so the officer downloads what was
recorded. Large worlds are audited offline in DuckDB (`databorder audit run --engine duckdb`).
"""

from typing import Annotated, Any

from fastapi import Body, Query, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from databorder.api.deps import RuntimeDep, requires, scoped_router
from databorder.api.problems import problems
from databorder.audit.exposure import MAX_WON, Sales
from databorder.audit.types import Window
from databorder.auth.services import Principal, Scope
from databorder.model.fields import Ident, Instant

router = scoped_router(Scope.OFFICER, "audit")


class RunIn(BaseModel):
    """Which events to audit, and, for the Art. 64-2 exposure, the sales the marketplace states."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: Instant | None = Field(default=None, alias="from", description="events from (RFC 3339)")
    end: Instant | None = Field(default=None, alias="to", description="events before (RFC 3339)")
    sales: list[Annotated[int, Field(ge=0, le=MAX_WON)]] | None = Field(
        default=None,
        min_length=1,
        max_length=3,
        description="annual sales in won, one per business year, most recent first",
    )
    unrelated_sales: Annotated[int, Field(ge=0, le=MAX_WON)] | None = Field(
        default=None, description="of the average annual sales, the won unrelated to the findings"
    )

    @model_validator(mode="after")
    def _consistent(self) -> "RunIn":
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("to: must be after from")
        if (self.sales is None) != (self.unrelated_sales is None):
            raise ValueError("sales and unrelated_sales: give both, or neither")
        return self


class PackOut(BaseModel):
    sha256: str
    bytes: int


class RunOut(BaseModel):
    id: str
    requested_by: str
    started_at: str
    finished_at: str
    as_of: str
    window: dict[str, str | None]
    engine: str
    pack_version: str
    tree_size: int
    root_hash: str
    findings: int
    clean: bool
    by_severity: dict[str, int]
    by_check: dict[str, int]
    exposure: dict[str, Any] | None
    pack: PackOut


@router.post(
    "/v1/audit/runs",
    status_code=status.HTTP_201_CREATED,
    summary="Run the compliance audit and pack its evidence",
    responses=problems(422),
)
def start_run(
    rt: RuntimeDep,
    officer: Annotated[Principal, requires(Scope.OFFICER)],
    body: Annotated[RunIn | None, Body()] = None,
) -> RunOut:
    given = body or RunIn()
    sales = (
        Sales(tuple(given.sales), given.unrelated_sales)
        if given.sales is not None and given.unrelated_sales is not None
        else None
    )
    run = rt.audits.run(officer.name, Window(given.start, given.end), sales)
    return RunOut.model_validate(run.to_json())


@router.get("/v1/audit/runs", summary="Audit runs, newest first")
def list_runs(rt: RuntimeDep, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[RunOut]:
    return [RunOut.model_validate(r.to_json()) for r in rt.audits.recent(limit)]


@router.get("/v1/audit/runs/{run_id}", summary="One audit run", responses=problems(404))
def get_run(rt: RuntimeDep, run_id: Ident) -> RunOut:
    return RunOut.model_validate(rt.audits.get(run_id).to_json())


@router.get(
    "/v1/audit/runs/{run_id}/findings",
    summary="Every finding of a run (findings.json of its pack)",
    responses=problems(404, 409),
)
def get_findings(rt: RuntimeDep, run_id: Ident) -> dict[str, Any]:
    return rt.audits.findings(run_id)


@router.get(
    "/v1/audit/runs/{run_id}/pack",
    summary="The run's evidence pack (a signed .tar.gz)",
    response_class=FileResponse,
    responses={
        200: {
            "content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "the archive",
        },
        **problems(404, 409),
    },
)
def get_pack(rt: RuntimeDep, run_id: Ident) -> FileResponse:
    path = rt.audits.pack_path(run_id)
    return FileResponse(path, media_type="application/gzip", filename=path.name)
