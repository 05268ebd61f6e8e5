"""Parrot's domain: commands, events, value objects and refusals. Standard library only."""
