"""Hearing a voice channel: the voice listener is a driver, in five steps.

1. UDP packets are decrypted twice: the transport layer (`transport.py`), then DAVE (`endtoend.py`).
2. The SSRC is mapped to its member from the voice gateway's messages (`speakers.py`).
3. Opus is decoded per speaker (`opus.py`).
4. Voice activity splits each speaker's audio into turns (`turns.py`).
5. Each turn becomes a `HearUtterance` command for the core (`listener.py`).

Consent is checked before any of that: an opted-out member's packets are dropped before decryption.
"""
