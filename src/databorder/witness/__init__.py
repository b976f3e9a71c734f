"""A witness (C2SP `tlog-witness`): a small service, with its own key and store, that cosigns a
log's checkpoints only while they extend one append-only history.

`protocol.py` is the pure judgement, `store.py` what a witness remembers per log origin,
`app.py` its HTTP face (`databorder witness serve`). A regulator or an auditor runs one; the log
submits every new checkpoint to the witnesses it is configured with (`ledger/witnessing.py`).
"""
