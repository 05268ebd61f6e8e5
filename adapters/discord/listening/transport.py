"""The transport encryption Discord negotiates for a voice connection, undone, with replays refused.

Both "rtpsize" modes authenticate the RTP header and seal the rest; the nonce is a 4-byte big-endian
counter appended to the packet, padded with zeros to the cipher's nonce size (24 for XChaCha20, 12 for
AES-GCM). A sender's counter only grows, so a window of recent counters per SSRC refuses replays.
"""

import functools

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt
from nacl.exceptions import CryptoError

from adapters.discord.listening.rtp import BadPacket, RtpPacket, strip_extension

XCHACHA = "aead_xchacha20_poly1305_rtpsize"
AES_GCM = "aead_aes256_gcm_rtpsize"
SUPPORTED_MODES = (XCHACHA, AES_GCM)


@functools.cache
def aes_gcm_available() -> bool:
    """Whether this host's `cryptography` (its OpenSSL) seals AES-256-GCM: Discord's preferred mode where it can."""
    try:
        AESGCM(bytes(32)).encrypt(bytes(12), b"", None)
    except UnsupportedAlgorithm:
        return False
    return True


class ReplayWindow:
    """Counters seen lately for one sender: a new one passes once; one too old or seen before does not."""

    def __init__(self, size: int = 128) -> None:
        self._size = size
        self._highest = -1
        self._seen = 0  # bit i: counter (highest - i) was seen

    def accept(self, counter: int) -> bool:
        if counter > self._highest:
            shift = counter - self._highest
            self._seen = ((self._seen << shift) | 1) & ((1 << self._size) - 1) if shift < self._size else 1
            self._highest = counter
            return True
        offset = self._highest - counter
        if offset >= self._size or self._seen >> offset & 1:
            return False
        self._seen |= 1 << offset
        return True


class TransportDecryptor:
    def __init__(self, mode: str, secret_key: bytes) -> None:
        if mode not in SUPPORTED_MODES:
            raise ValueError(f"unsupported voice encryption mode {mode}")
        if len(secret_key) != 32:
            raise ValueError("a voice secret key has 32 bytes")
        self.mode = mode
        self._key = bytes(secret_key)
        self._aes = AESGCM(self._key) if mode == AES_GCM else None

    def open(self, packet: RtpPacket) -> bytes:
        """The packet's payload (Opus, or a DAVE frame), or BadPacket when it does not authenticate."""
        try:
            if self._aes is not None:
                plaintext = self._aes.decrypt(packet.nonce + bytes(8), packet.ciphertext, packet.header)
            else:
                plaintext = crypto_aead_xchacha20poly1305_ietf_decrypt(
                    packet.ciphertext, packet.header, packet.nonce + bytes(20), self._key
                )
        except (InvalidTag, CryptoError, ValueError) as error:
            raise BadPacket(f"does not decrypt ({type(error).__name__})") from None
        return strip_extension(plaintext, packet.extension_words)
