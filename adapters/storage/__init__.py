"""Filesystem storage: a space per guild, sandboxed user paths, atomic writes, JSON Lines logs."""
