"""DAVE, Discord's end-to-end encryption: each frame is decrypted with the call's MLS session.

discord.py 2.7 keeps the `davey.DaveSession` on the voice connection state and keeps it in step with the
group (proposals, commits, welcomes). Decryption needs the sender's user id, hence after the SSRC map.
"""

from collections.abc import Callable

import davey

from adapters.discord.listening.rtp import BadPacket

OPUS_SILENCE = b"\xf8\xff\xfe"  # sent in the clear at the end of a stream, even in an end-to-end call
DAVE_MAGIC = b"\xfa\xfa"


class EndToEndFailure(BadPacket):
    """A frame the DAVE session could not decrypt: counted, since many in a row mean a broken session."""


class EndToEnd:
    def __init__(self, session: Callable[[], davey.DaveSession | None]) -> None:
        self._session = session

    def open(self, user_id: int, frame: bytes) -> bytes:
        session = self._session()
        if session is None or frame == OPUS_SILENCE:
            return frame  # the call is not end-to-end encrypted (or the frame never is)
        if not frame.endswith(DAVE_MAGIC):
            # During a transition davey lets clear frames through; otherwise it refuses them below.
            if not session.ready:
                return frame
        elif not session.ready:
            raise EndToEndFailure("an end-to-end frame before the DAVE session is ready")
        try:
            return session.decrypt(user_id, davey.MediaType.audio, frame)
        except Exception as error:  # davey raises its own errors for frames that do not authenticate
            raise EndToEndFailure(f"DAVE refused the frame ({type(error).__name__})") from None
