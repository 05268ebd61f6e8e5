"""Drivers that run Parrot without Discord: the terminal chat and the scripted fake Discord for tests."""
