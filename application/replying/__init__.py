"""Answering every message that is not a command: the correction if there is one, else the active model,
within its deadline, kept in the conversation so it can be corrected."""
