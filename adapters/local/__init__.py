"""Drivers that run Parrot without Discord: the terminal chat and the `parrot train` / `parrot test` admin jobs."""
