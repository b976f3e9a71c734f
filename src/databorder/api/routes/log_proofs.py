"""A disclosure's proof bundle (C2SP tlog-proof) for the privacy officer and a regulator.

The public log routes (`ledger/http.py`) serve hashes and checkpoints, never records; a bundle
carries the record and the salt that open the disclosure's private leaf, so it is for the
officer (here) and for the buyer it is about (the privacy center's `/me/proofs/{id}/bundle`).
"""

from starlette.responses import Response

from databorder.api.deps import RuntimeDep, scoped_router
from databorder.api.problems import problems
from databorder.auth.services import Scope
from databorder.errors import NotFound
from databorder.gateway.models import Disclosure
from databorder.ledger.prove import tlog_proof
from databorder.model.fields import Ident
from databorder.store.query import by_id

router = scoped_router(Scope.OFFICER, "log")

BUNDLE_TYPE = "text/plain; charset=utf-8"


@router.get(
    "/v1/log/proof",
    summary="One disclosure's tlog-proof bundle: record, salt, inclusion proof, cosigned checkpoint",
    response_class=Response,
    responses={
        200: {"content": {BUNDLE_TYPE: {"schema": {"type": "string"}}}},
        **problems(404),
    },
)
def disclosure_bundle(rt: RuntimeDep, disclosure: Ident) -> Response:
    with rt.sessions.begin() as session:  # may sign a head covering the leaf
        row = by_id(session, Disclosure, disclosure)
        if row is None or row.leaf_index is None:
            raise NotFound("disclosure", disclosure)
        text = tlog_proof(session, row.leaf_index, rt.signer)
    return Response(
        text,
        media_type=BUNDLE_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{disclosure}.tlog-proof"',
            "Cache-Control": "no-store",
        },
    )
