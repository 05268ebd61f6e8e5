"""Just enough MLS (RFC 9420) for the fake voice server to play Discord's part in DAVE.

Discord's voice server is the group's *external sender*: it announces its signing key (opcode 25),
proposes adding members (opcode 27), and relays the commit and welcome the bot answers with
(opcodes 28, 29, 30). The fake adds one listener, its own davey session, so it can decrypt what
the bot says. Only the structures that exchange needs are encoded or parsed here.
"""

import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

MLS_10 = 1
PUBLIC_MESSAGE = 1
SENDER_MEMBER = 1
SENDER_EXTERNAL = 2
CONTENT_PROPOSAL = 2
CONTENT_COMMIT = 3
PROPOSAL_ADD = 1
CREDENTIAL_BASIC = 1


def varint(value: int) -> bytes:
    """MLS's variable-length integer (RFC 9000 style), used as the length of every vector."""
    if value < 1 << 6:
        return bytes([value])
    if value < 1 << 14:
        return struct.pack(">H", value | 0x4000)
    if value < 1 << 30:
        return struct.pack(">I", value | 0x8000_0000)
    raise ValueError("vector too long for MLS")


def vector(data: bytes) -> bytes:
    return varint(len(data)) + data


class ExternalSender:
    """The voice server's signing identity (P-256, as DAVE protocol version 1 requires)."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._public = self._key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def package(self) -> bytes:
        """ExternalSender { signature_key<V>; Credential { uint16 type; identity<V> } } for opcode 25."""
        return vector(self._public) + struct.pack(">H", CREDENTIAL_BASIC) + vector(b"fake-discord-voice")

    def propose_add(self, channel_id: int, epoch: int, key_package: bytes) -> bytes:
        """An MLSMessage holding a PublicMessage: an Add proposal for `key_package`, signed by this sender."""
        content = (
            vector(struct.pack(">Q", channel_id))  # group_id: DAVE uses the channel id, big-endian
            + struct.pack(">Q", epoch)
            + struct.pack(">BI", SENDER_EXTERNAL, 0)  # the first (only) external sender
            + vector(b"")  # authenticated_data
            + struct.pack(">BH", CONTENT_PROPOSAL, PROPOSAL_ADD)
            + key_package
        )
        # FramedContentTBS for an external sender carries no group context (RFC 9420, 6.1).
        to_be_signed = struct.pack(">HH", MLS_10, PUBLIC_MESSAGE) + content
        sign_content = vector(b"MLS 1.0 FramedContentTBS") + vector(to_be_signed)
        signature = self._key.sign(sign_content, ec.ECDSA(hashes.SHA256()))
        return struct.pack(">HH", MLS_10, PUBLIC_MESSAGE) + content + vector(signature)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise ValueError("MLS message ends early")
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk

    def uint(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def vector(self) -> bytes:
        first = self.data[self.at]
        prefix = first >> 6
        if prefix == 0:
            length = self.uint(1)
        elif prefix == 1:
            length = self.uint(2) & 0x3FFF
        elif prefix == 2:
            length = self.uint(4) & 0x3FFF_FFFF
        else:
            raise ValueError("invalid MLS varint")
        return self.take(length)


def _skip_leaf_node(reader: _Reader) -> None:
    reader.vector()  # encryption_key
    reader.vector()  # signature_key
    credential_type = reader.uint(2)
    if credential_type != CREDENTIAL_BASIC:
        raise ValueError(f"unexpected credential type {credential_type}")
    reader.vector()  # identity
    for _ in range(5):  # capabilities: versions, cipher suites, extensions, proposals, credentials
        reader.vector()
    source = reader.uint(1)
    if source == 1:  # key_package: lifetime
        reader.take(16)
    elif source == 3:  # commit: parent_hash
        reader.vector()
    reader.vector()  # extensions
    reader.vector()  # signature


def split_commit_welcome(data: bytes) -> tuple[bytes, bytes]:
    """Opcode 28 carries a commit (an MLSMessage) and, when members join, a Welcome right after it."""
    reader = _Reader(data)
    version, wire_format = reader.uint(2), reader.uint(2)
    if (version, wire_format) != (MLS_10, PUBLIC_MESSAGE):
        raise ValueError(f"expected a public MLS 1.0 message, got version {version} wire format {wire_format}")
    reader.vector()  # group_id
    reader.take(8)  # epoch
    sender_type = reader.uint(1)
    if sender_type != SENDER_MEMBER:
        raise ValueError(f"a commit from sender type {sender_type}")
    reader.take(4)  # leaf index
    reader.vector()  # authenticated_data
    if reader.uint(1) != CONTENT_COMMIT:
        raise ValueError("opcode 28 does not start with a commit")
    reader.vector()  # proposals (by reference)
    if reader.uint(1):  # optional UpdatePath
        _skip_leaf_node(reader)
        reader.vector()  # path nodes
    reader.vector()  # signature
    reader.vector()  # confirmation tag
    reader.vector()  # membership tag (a member sent it)
    return data[: reader.at], data[reader.at :]
