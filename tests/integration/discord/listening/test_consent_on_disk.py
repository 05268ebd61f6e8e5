"""Consent and privacy with the real stores on disk: an opt-out outlasts a restart, transcripts are kept only when on.

Members speak real clips through the fake Discord, as in test_listening.py; settings and the voice log are kept in
the data root's database, so a new bot on the same data root knows what the last one was told.
"""

import asyncio
from pathlib import Path
from typing import Any

from cli import settle, shutdown
from support import fakes, records
from support.discord_harness import build_app_bot, started
from support.fake_discord import FakeDiscord
from tests.integration.discord.listening.conftest import FAQ, WEATHER, Listening, ToneCodec, options


def space_key(fake: FakeDiscord) -> str:
    return f"guild-{fake.world.guild_id}"


def opted_out(root: Path, fake: FakeDiscord) -> list[int]:
    saved = records.settings(root, space_key(fake))
    assert saved is not None
    return list(saved["listening_opted_out"])


def kept_turns(root: Path, fake: FakeDiscord) -> list[dict[str, Any]]:
    return records.rows(root, "voice_turns", space_key(fake))


def bot_on_disk(fake: FakeDiscord, root: Path) -> Listening:
    stt = fakes.ScriptedSpeechToText([WEATHER])
    bot, container = build_app_bot(fake, root, stt=stt, codec=ToneCodec(), listening=options(), in_memory=False)
    return Listening(fake, bot, container, stt)


async def test_an_opted_out_member_stays_unheard_after_a_restart(tmp_path: Path, weather: list[bytes]) -> None:
    async with FakeDiscord() as fake:
        admin = fake.world.admin
        first = bot_on_disk(fake, tmp_path)
        async with started(first.bot, fake):
            out = await fake.send_message(admin, "!listen optout")
            assert "won't hear you" in (await fake.reply_to(out)).content
            await shutdown(first.container)
        assert opted_out(tmp_path, fake) == [admin.id]

        again = bot_on_disk(fake, tmp_path)  # a new process: nothing in memory from the last one
        async with started(again.bot, fake):
            await again.turn_on()
            mark = len(fake.calls)
            await fake.voice.speak(again.mouth(admin, 5555), weather)
            await asyncio.sleep(1.5)
            assert not [text for text in again.posts(mark) if text.startswith("🎙️")]
            receiver = again.bot.listening.receiver(fake.world.guild_id)
            # Dropped before decryption: not one of their packets was received.
            assert receiver is not None and receiver.received == 0 and receiver.dropped["opted out"] > 0
            assert again.stt.heard == []

            back = await fake.send_message(admin, "!listen optin")
            await fake.reply_to(back)
            mark = len(fake.calls)
            await fake.voice.speak(again.mouth(admin, 5555), weather)
            await again.posted(lambda text: text.startswith("🎙️"), since=mark)
            await settle(again.container)
            await shutdown(again.container)
        assert opted_out(tmp_path, fake) == []


async def test_transcripts_are_kept_only_when_switched_on_and_forget_me_deletes_them(
    tmp_path: Path, weather: list[bytes]
) -> None:
    async with FakeDiscord() as fake:
        admin = fake.world.admin
        app = bot_on_disk(fake, tmp_path)
        async with started(app.bot, fake):
            await fake.reply_to(await fake.send_message(admin, f"!train {FAQ}"))
            await settle(app.container)
            await app.turn_on()

            async def ask(ssrc: int) -> None:
                mark, frames = len(fake.calls), len(fake.voice.frames)
                # Each time a new stream: the fake starts its RTP counters afresh, which a known SSRC would replay.
                await fake.voice.speak(app.mouth(admin, ssrc), weather)
                await app.posted(lambda text: "Sunny" in text, since=mark)
                # Spoken once every subscriber of the answer is done, the voice log's included.
                await fake.voice.wait_for_silence(frames)
                await settle(app.container)

            await ask(5555)
            assert kept_turns(tmp_path, fake) == []  # off by default: heard, answered, forgotten

            switched = await fake.send_message(admin, "!settings voicelog on")
            assert (await fake.reply_to(switched)).content.startswith("Saved. what I hear and answer")
            await ask(5556)
            (record,) = kept_turns(tmp_path, fake)
            assert (record["speaker_id"], record["voice_channel_id"]) == (admin.id, fake.world.voice_channel.id)
            assert record["transcript"] == "Parrot, what's the weather like in New York"
            assert record["answer"] == "Sunny and warm."
            assert not list(tmp_path.rglob("*.wav")) and not list(tmp_path.rglob("*.ogg"))  # never audio

            forget = await fake.send_message(admin, "!forget me")
            assert "And 1 voice chat transcript." in (await fake.reply_to(forget)).content
            assert kept_turns(tmp_path, fake) == []
            await shutdown(app.container)


async def test_an_unsure_spoken_question_leaves_no_word_on_disk_unless_switched_on(
    tmp_path: Path, weather: list[bytes]
) -> None:
    async with FakeDiscord() as fake:
        admin = fake.world.admin
        app = bot_on_disk(fake, tmp_path)
        async with started(app.bot, fake):
            timers = (
                "set a timer => I can't set timers yet.\nstart a timer => I can't set timers yet.\n"
                "set an alarm => I can't set alarms yet.\nwake me up at six => I can't set alarms yet."
            )
            await fake.reply_to(await fake.send_message(admin, f"!train {timers}"))  # knows nothing of the weather
            await settle(app.container)
            await app.turn_on()
            mark, frames = len(fake.calls), len(fake.voice.frames)
            await fake.voice.speak(app.mouth(admin, 5555), weather)
            await app.posted(lambda text: text.startswith("I'm not sure how to answer that."), since=mark)
            await fake.voice.wait_for_silence(frames)
            await settle(app.container)
            assert records.rows(tmp_path, "review_items", space_key(fake)) == [] and kept_turns(tmp_path, fake) == []
            await shutdown(app.container)
        # Posted and answered in the channel, written nowhere under the data root.
        for path in tmp_path.rglob("*"):
            assert not path.is_file() or b"weather" not in path.read_bytes().lower(), path
