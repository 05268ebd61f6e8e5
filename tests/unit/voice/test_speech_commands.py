"""Voice messages heard and replies spoken, through the bus, with fake speech backends."""

import asyncio
from pathlib import Path

from domain.messages import Status
from support.app import AppHarness, build_app


async def test_a_voice_message_is_transcribed_then_answered(app: AppHarness) -> None:
    await app.discord.say(
        "!train what time is it => It is noon.\nthe time please => It is noon.\nhi there => Hello.\nhello => Hello."
    )
    await app.settle()
    clip = app.discord.attachment("voice-message.ogg", b"speech:what time is it", "audio/ogg", voice_message=True)
    message = await app.discord.say("", attachments=(clip,))
    transcript, answer = app.discord.replies_to(message)
    assert transcript.text == "🎙️ I heard: what time is it"
    assert answer.text == "It is noon."
    assert [s for m, s in app.discord.statuses if m == message.id] == [Status.WORKING, Status.DONE]
    # By default Parrot hears English and Russian: the recogniser detects which (None: detect).
    assert app.stt.languages == [None]


async def test_an_oversized_audio_file_is_refused_before_it_is_downloaded(app: AppHarness) -> None:
    clip = app.discord.attachment("long.ogg", b"speech:x", "audio/ogg", size=30_000_000)
    message = await app.discord.say("", attachments=(clip,))
    assert app.discord.replies_to(message)[0].text == (
        "The audio file `long.ogg` is too large: 30.0 MB, the limit is 25.0 MB."
    )
    assert app.discord.fetched == []


async def test_broken_audio_and_a_failed_backend_get_clear_answers(app: AppHarness) -> None:
    broken = app.discord.attachment("noise.ogg", b"\x00\x01garbage", "audio/ogg")
    message = await app.discord.say("", attachments=(broken,))
    assert app.discord.replies_to(message)[0].text == "`noise.ogg` is not audio I can decode."
    assert (message.id, Status.FAILED) in app.discord.statuses
    empty = app.discord.attachment("empty.ogg", b"", "audio/ogg")
    message = await app.discord.say("", attachments=(empty,))
    assert app.discord.replies_to(message)[0].text == "That audio file is empty."
    silent = app.discord.attachment("silence.ogg", b"speech:", "audio/ogg")
    message = await app.discord.say("", attachments=(silent,))
    assert app.discord.replies_to(message)[0].text == "I couldn't hear any words in that audio."
    app.stt.down = True
    fine = app.discord.attachment("fine.ogg", b"speech:hello", "audio/ogg")
    message = await app.discord.say("", attachments=(fine,))
    assert "Speech recognition is unavailable" in app.discord.replies_to(message)[0].text
    app.stt.down = False
    after = await app.discord.say("", attachments=(app.discord.attachment("ok.ogg", b"speech:hello", "audio/ogg"),))
    assert app.discord.replies_to(after)[0].text == "🎙️ I heard: hello"


async def test_a_transcript_longer_than_one_message_arrives_as_a_file_with_its_beginning_inline(
    app: AppHarness,
) -> None:
    # Issue 12 replaced "split into messages" with a file: a wall of transcript messages helps nobody.
    words = " ".join(f"word{i}" for i in range(390))
    assert 3000 <= len(words) <= 3100
    clip = app.discord.attachment("talk.ogg", f"speech:{words}".encode(), "audio/ogg")
    message = await app.discord.say("", attachments=(clip,))
    (transcript, *answer) = app.discord.replies_to(message)
    assert transcript.file is not None and transcript.file.filename == "transcript.txt"
    assert transcript.file.data.decode() == words
    assert transcript.text.startswith("🎙️ I heard: word0 word1 word2")
    assert "transcript.txt" in transcript.text and len(transcript.text) <= 600
    assert len(answer) == 1 and answer[0].file is None  # the model still answers what it heard
    short = await app.discord.say("", attachments=(app.discord.attachment("hi.ogg", b"speech:hello", "audio/ogg"),))
    assert app.discord.replies_to(short)[0].file is None


async def test_a_reply_is_spoken_when_the_author_sits_in_a_voice_channel(app: AppHarness) -> None:
    await app.discord.say(
        "!train hi there => Hello! Nice to see you.\nhello => Hello! Nice to see you.\nbye => Bye.\nciao => Bye."
    )
    await app.settle()
    await app.discord.say("hello", voice_channel_id=55)
    await app.settle()
    assert app.discord.voice == {1: 55}
    assert [text for text, _ in app.tts.spoken] == ["Hello!", "Nice to see you."]
    assert [p.channel_id for p in app.discord.played] == [55, 55]
    assert all(p.audio.container == "ogg_opus" for p in app.discord.played)


async def test_replies_are_not_spoken_outside_voice(app: AppHarness) -> None:
    await app.discord.say("hello")
    await app.settle()
    assert app.tts.spoken == [] and app.discord.played == []


async def test_each_guild_is_heard_and_spoken_to_in_its_configured_language(tmp_path: Path) -> None:
    app = build_app(tmp_path, fake_work=True, speech={"guild_languages": {2: "ru-RU"}})
    for guild in (1, 2):
        clip = app.discord.attachment("v.ogg", b"speech:hello", "audio/ogg")
        await app.discord.say("", attachments=(clip,), guild_id=guild, voice_channel_id=30)
    await app.settle()
    # Guild 1 has no language of its own: detected among the configured ones.
    assert app.stt.languages == [None, "ru-RU"]
    assert {language for _, language in app.tts.spoken} == {"en-US", "ru-RU"}


async def test_one_configured_language_is_heard_without_detection(tmp_path: Path) -> None:
    app = build_app(tmp_path, speech={"languages": ["en"]})
    clip = app.discord.attachment("v.ogg", b"speech:hello", "audio/ogg")
    await app.discord.say("", attachments=(clip,), guild_id=1)
    russian = build_app(tmp_path / "ru", speech={"languages": ["ru"]})
    clip = russian.discord.attachment("v.ogg", b"speech:hello", "audio/ogg")
    await russian.discord.say("", attachments=(clip,), guild_id=1)
    assert app.stt.languages == ["en-US"] and russian.stt.languages == ["ru"]


async def test_each_reply_is_spoken_in_the_language_it_is_written_in(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    await app.discord.say(
        "!train hello => Hello there.\nhi => Hello there.\nпривет => Привет, рад тебя видеть.\n"
        "здравствуй => Привет, рад тебя видеть."
    )
    await app.settle()
    await app.discord.say("hello", voice_channel_id=55)
    await app.discord.say("привет", voice_channel_id=55)
    await app.settle()
    assert app.tts.spoken == [("Hello there.", "en-US"), ("Привет, рад тебя видеть.", "ru")]


async def test_a_voice_message_deleted_while_heard_is_neither_transcribed_nor_answered(app: AppHarness) -> None:
    app.stt.delay = 0.2
    clip = app.discord.attachment("voice-message.ogg", b"speech:what time is it", "audio/ogg", voice_message=True)
    message = app.discord.message("", attachments=(clip,))
    heard = asyncio.create_task(app.discord.post(message))
    await asyncio.sleep(0.05)
    app.discord.deleted.add(message.id)  # its author deletes it while the recogniser works
    await heard
    assert app.stt.languages == [None]  # heard (detected among the default languages) once
    assert app.discord.replies_to(message) == []
    assert [s for m, s in app.discord.statuses if m == message.id] == [Status.WORKING]


async def test_a_transcript_is_quoted_in_the_chat_and_kept_as_said_in_its_file(app: AppHarness) -> None:
    said = "**loud** [link](https://evil.example) ```"
    clip = app.discord.attachment("voice-message.ogg", f"speech:{said}".encode(), "audio/ogg", voice_message=True)
    message = await app.discord.say("", attachments=(clip,))
    shown = app.discord.replies_to(message)[0].text
    assert shown == "🎙️ I heard: \\*\\*loud\\*\\* \\[link\\]\\(https://evil.example\\) \\`\\`\\`"
    long_said = " ".join(["**word**-of-twenty-ch"] * 450)
    clip = app.discord.attachment("long.ogg", f"speech:{long_said}".encode(), "audio/ogg", voice_message=True)
    message = await app.discord.say("", attachments=(clip,))
    attached = app.discord.replies_to(message)[0].file
    assert attached is not None and attached.filename == "transcript.txt"
    assert attached.data.decode() == long_said


async def test_a_russian_voice_message_is_introduced_and_answered_in_russian(app: AppHarness) -> None:
    clip = app.discord.attachment("voice-message.ogg", "speech:какая погода".encode(), "audio/ogg", voice_message=True)
    message = await app.discord.say("", attachments=(clip,))
    transcript, answer = app.discord.replies_to(message)
    assert transcript.text == "🎙️ Я услышал: какая погода"
    assert answer.text.startswith("Меня ещё ничему не научили")  # no model here: said in the question's language
    words = " ".join(f"слово{i}" for i in range(390))
    long = app.discord.attachment("talk.ogg", f"speech:{words}".encode(), "audio/ogg")
    message = await app.discord.say("", attachments=(long,))
    (transcript, *_) = app.discord.replies_to(message)
    assert transcript.file is not None and transcript.file.data.decode() == words
    assert transcript.text.startswith("🎙️ Я услышал: слово0 слово1")
    assert f"(полный текст во вложении transcript.txt: {len(words)} симв.)" in transcript.text


async def test_a_spoken_reply_says_its_commands_with_the_prefix_in_words(tmp_path: Path) -> None:
    app = build_app(tmp_path, fake_work=True, discord={"prefix": "?"})
    await app.discord.say(
        "?train how to teach => Admins teach me with `!train`; fix an answer with `!correct <answer>`.\n"
        "teach me => Admins teach me with `!train`; fix an answer with `!correct <answer>`.\n"
        "bye => Bye.\nciao => Bye."
    )
    await app.settle()
    message = await app.discord.say("how to teach", voice_channel_id=55)
    await app.settle()
    # Written with the chat's prefix and markup, said with the prefix in words and nothing left out.
    assert (
        app.discord.replies_to(message)[0].text
        == "Admins teach me with `?train`; fix an answer with `?correct <answer>`."
    )
    assert [text for text, _ in app.tts.spoken] == [
        "Admins teach me with question mark train; fix an answer with question mark correct answer."
    ]
