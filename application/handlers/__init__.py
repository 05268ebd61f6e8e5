"""One module per use case; each handler is a small class with one async `__call__`."""
