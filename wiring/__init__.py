"""The application's features wired, one container per feature package of `application/`.

Each names only application classes and takes the ports and the adapters' containers it needs; `bootstrap.py`
composes them. A feature's `handlers` map each command to its handler; its `subscribers` each event to a list.
"""
