"""Who thinks alike: opinion groups found in the votes themselves (Pol.is's method), what each
group believes, the consensus and the divisive statements (docs/opinion.md).

The server imports only the pure-Python modules here (`ballots`, `result`, `worker`); numpy and
scikit-learn are imported by `matrix`, `groups`, `beliefs` and `compute`, which run in the
worker process alone, so the server's memory per phone does not grow.
"""
