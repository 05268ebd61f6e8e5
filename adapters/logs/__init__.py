"""Structured logging: structlog for Parrot, the standard library's loggers (discord.py's) routed through it."""
