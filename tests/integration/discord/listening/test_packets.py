"""RTP parsing, transport decryption in both modes, replay refusal, the SSRC map and early packets."""

import os

import pytest

from adapters.discord.listening.rtp import BadPacket, is_rtcp, parse_rtp
from adapters.discord.listening.speakers import EarlyPackets, SpeakerMap
from adapters.discord.listening.transport import AES_GCM, XCHACHA, ReplayWindow, TransportDecryptor
from support.fake_discord.voice import Mouth, seal

KEY = bytes(range(32))


@pytest.mark.parametrize("mode", [XCHACHA, AES_GCM])
def test_both_transport_modes_open_what_discord_seals(mode: str) -> None:
    mouth = Mouth(user_id=1, ssrc=77, sequence=9, timestamp=960, nonce=5)
    packet = parse_rtp(seal(mouth, b"opus-frame", KEY, mode))
    assert (packet.ssrc, packet.sequence, packet.timestamp, packet.nonce_counter) == (77, 9, 960, 5)
    assert TransportDecryptor(mode, KEY).open(packet) == b"opus-frame"  # the extension body is skipped


@pytest.mark.parametrize("mode", [XCHACHA, AES_GCM])
def test_a_wrong_key_or_a_changed_header_does_not_open(mode: str) -> None:
    data = seal(Mouth(1, 77), b"opus-frame", KEY, mode)
    with pytest.raises(BadPacket):
        TransportDecryptor(mode, os.urandom(32)).open(parse_rtp(data))
    tampered = data[:3] + bytes([data[3] ^ 1]) + data[4:]  # the sequence number is authenticated
    with pytest.raises(BadPacket):
        TransportDecryptor(mode, KEY).open(parse_rtp(tampered))


def test_unsupported_modes_and_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        TransportDecryptor("xsalsa20_poly1305", KEY)
    with pytest.raises(ValueError, match="32 bytes"):
        TransportDecryptor(XCHACHA, b"short")


@pytest.mark.parametrize(
    "data",
    [b"", b"\x80", b"\x80\x78" + bytes(20), b"\x40\x78" + bytes(40), b"\x9f\x78" + bytes(40), b"\x90\x78" + bytes(14)],
)
def test_malformed_or_truncated_rtp_is_refused(data: bytes) -> None:
    with pytest.raises(BadPacket):
        parse_rtp(data)


def test_rtcp_is_recognised() -> None:
    assert is_rtcp(b"\x81\xc9" + bytes(30))
    assert not is_rtcp(seal(Mouth(1, 2), b"x", KEY))


def test_an_extension_longer_than_the_payload_is_refused() -> None:
    mouth = Mouth(1, 77)
    data = bytearray(seal(mouth, b"x", KEY))
    data[14:16] = b"\x00\x09"  # nine words of extension: more than was sealed (and no longer authentic)
    with pytest.raises(BadPacket):
        TransportDecryptor(XCHACHA, KEY).open(parse_rtp(bytes(data)))


def test_the_replay_window_takes_each_counter_once_and_late_ones_within_reach() -> None:
    window = ReplayWindow(size=8)
    assert [window.accept(n) for n in (1, 2, 3)] == [True, True, True]
    assert not window.accept(2)
    assert window.accept(10)
    assert window.accept(5)  # late but within the window, never seen
    assert not window.accept(5)
    assert not window.accept(1)  # too old
    assert window.accept(1000) and not window.accept(999 - 8)


def test_the_speaker_map_follows_speaking_connect_and_disconnect() -> None:
    speakers = SpeakerMap()
    assert speakers.on_gateway(5, {"user_id": "42", "ssrc": 1001, "speaking": 1}) == [1001]
    assert speakers.on_gateway(5, {"user_id": "42", "ssrc": 1001, "speaking": 0}) == []  # already known
    speakers.on_gateway(12, {"user_id": "43", "audio_ssrc": 1002, "video_ssrc": 1003})
    speakers.on_gateway(11, {"user_ids": ["44", "nonsense"]})
    assert (speakers.user_of(1001), speakers.user_of(1002), speakers.is_video(1003)) == (42, 43, True)
    assert speakers.present == {42, 43, 44}
    speakers.on_gateway(13, {"user_id": "42"})
    assert speakers.user_of(1001) is None and 42 not in speakers.present
    junks: list[object] = [None, [], {"user_id": "x", "ssrc": 5}, {"user_id": "-3", "ssrc": 5}, {"ssrc": "five"}]
    for junk in junks:
        assert speakers.on_gateway(5, junk) == []


def test_early_packets_are_bounded_per_sender_and_in_senders() -> None:
    early = EarlyPackets(per_ssrc=3, ssrcs=2)
    assert all(early.hold(1, bytes([n])) for n in range(3))
    assert not early.hold(1, b"\x03")  # pushes out the oldest
    early.hold(2, b"a")
    early.hold(3, b"b")  # a third sender: the first one's packets go
    assert early.release(1) == []
    assert early.release(3) == [b"b"] and len(early) == 1
