"""RTP packets as Discord's voice servers send them (RFC 3550), parsed without trusting a single byte."""

import struct
from dataclasses import dataclass

OPUS_PAYLOAD_TYPE = 0x78  # 120: the only payload type that carries voice; video and screen share use others
_FIXED_HEADER = 12
_TAG_AND_NONCE = 16 + 4  # an AEAD tag and the 4-byte nonce counter Discord appends


class BadPacket(ValueError):
    """A datagram that is not a voice packet we can use; the reason goes to the log."""


@dataclass(frozen=True, slots=True)
class RtpPacket:
    sequence: int
    timestamp: int
    ssrc: int
    payload_type: int
    # The bytes authenticated but not encrypted ("rtpsize" modes): the fixed header, CSRCs and the
    # extension's 4-byte preamble. The extension's body is encrypted along with the payload.
    header: bytes
    ciphertext: bytes
    nonce: bytes
    extension_words: int
    data: bytes

    @property
    def nonce_counter(self) -> int:
        return int.from_bytes(self.nonce, "big")


def is_rtcp(data: bytes) -> bool:
    """RTCP shares the socket; its packet types 200-204 sit where RTP keeps marker and payload type."""
    return len(data) >= 2 and 200 <= data[1] <= 204


def parse_rtp(data: bytes) -> RtpPacket:
    if len(data) < _FIXED_HEADER + _TAG_AND_NONCE:
        raise BadPacket(f"too short for RTP ({len(data)} bytes)")
    first = data[0]
    if first >> 6 != 2:
        raise BadPacket("not RTP version 2")
    csrc_count = first & 0x0F
    has_extension = bool(first & 0x10)
    payload_type = data[1] & 0x7F
    sequence, timestamp, ssrc = struct.unpack_from(">HII", data, 2)
    header_size = _FIXED_HEADER + 4 * csrc_count
    extension_words = 0
    if has_extension:
        if len(data) < header_size + 4:
            raise BadPacket("extension header cut short")
        extension_words = struct.unpack_from(">H", data, header_size + 2)[0]
        header_size += 4
    if len(data) < header_size + _TAG_AND_NONCE:
        raise BadPacket("no room for a payload")
    return RtpPacket(
        sequence=sequence,
        timestamp=timestamp,
        ssrc=ssrc,
        payload_type=payload_type,
        header=data[:header_size],
        ciphertext=data[header_size:-4],
        nonce=data[-4:],
        extension_words=extension_words,
        data=data,
    )


def strip_extension(plaintext: bytes, extension_words: int) -> bytes:
    """The decrypted payload starts with the header extension's body (audio level and the like): skip it."""
    skip = 4 * extension_words
    if skip > len(plaintext):
        raise BadPacket("extension longer than the payload")
    return plaintext[skip:]
