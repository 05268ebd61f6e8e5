"""Issue 12's conveniences on the real Discord driver and the real application, through the socket-level fake:
the Transcribe message-menu entry, the Teach me button and its form, settings and forget me as slash commands."""

from adapters.discord import ParrotBot
from bootstrap import Container
from cli import settle
from support.discord_harness import form_ready
from support.fake_discord import EPHEMERAL, SEND_MESSAGE, FakeDiscord
from support.fake_discord.world import JSON

TRAINING = "!train hello there => Hi!\nhello friend => Hi!\nbye now => Bye.\nbye friend => Bye."


async def voice_message(fake: FakeDiscord, words: str) -> JSON:
    clip = fake.add_attachment("voice-message.ogg", f"speech:{words}".encode(), "audio/ogg", voice=True)
    return await fake.send_message(fake.world.alice, attachments=[clip], voice_message=True)


async def test_transcribe_in_the_message_menu_answers_the_member_alone(
    fake: FakeDiscord, app: tuple[ParrotBot, Container]
) -> None:
    # Automatic transcription off: the voice message stays unanswered until someone asks.
    switched = await fake.send_message(fake.world.admin, "!settings transcribe off")
    assert (await fake.reply_to(switched)).content.startswith("Saved. voice messages are not transcribed")
    voice = await voice_message(fake, "hello from the train")
    interaction = await fake.invoke_message_command(fake.world.alice, "Transcribe", voice)
    answer = await fake.wait_for(lambda call: call in fake.followups_to(interaction))
    assert answer.content == "🎙️ I heard: hello from the train"
    assert answer.body["flags"] & EPHEMERAL
    [deferral] = fake.callbacks_to(interaction)
    assert deferral.body["type"] == 5 and deferral.body["data"]["flags"] & EPHEMERAL
    assert [call for call in fake.calls_to(SEND_MESSAGE) if call.reply_to == int(voice["id"])] == []
    # Hearing is heavy: the same member cools down, as for the other expensive commands.
    again = await fake.invoke_message_command(fake.world.alice, "Transcribe", voice)
    refusal = await fake.wait_for(lambda call: call in fake.callbacks_to(again))
    assert refusal.body["type"] == 4 and "cooling down" in refusal.body["data"]["content"]
    assert refusal.body["data"]["flags"] & EPHEMERAL
    # A message without audio is explained, to the member alone.
    text = await fake.send_message(fake.world.trainer, "just words")
    asked = await fake.invoke_message_command(fake.world.trainer, "Transcribe", text)
    told = await fake.wait_for(lambda call: call in fake.followups_to(asked))
    assert told.content == "That message has no voice message or audio file to transcribe."
    assert told.body["flags"] & EPHEMERAL


async def test_a_long_voice_message_is_transcribed_into_a_file(
    fake: FakeDiscord, app: tuple[ParrotBot, Container]
) -> None:
    words = " ".join(f"word{i}" for i in range(390))
    voice = await voice_message(fake, words)
    transcript = await fake.reply_to(voice, timeout=10)
    [upload] = transcript.uploads
    assert upload.filename == "transcript.txt" and upload.data.decode() == words
    assert transcript.content.startswith("🎙️ I heard: word0 word1") and len(transcript.content) <= 2000


def without_ids(components: list[JSON]) -> list[JSON]:
    """Components as the bot sent them: without the `id`s Discord numbers them with, a Unicode emoji's id unset."""
    sent = []
    for component in components:
        row = {key: value for key, value in component.items() if key != "id"}
        if "components" in row:
            row["components"] = without_ids(row["components"])
        if "emoji" in row:
            row["emoji"] = {"id": None} | row["emoji"]
        sent.append(row)
    return sent


async def test_teach_me_under_an_unsure_reply_opens_a_form_that_corrects_it(
    fake: FakeDiscord, app: tuple[ParrotBot, Container]
) -> None:
    await fake.send_message(fake.world.admin, TRAINING)
    await settle(app[1])
    sure = await fake.send_message(fake.world.alice, "hello there")
    assert (await fake.reply_to(sure)).body.get("components") in (None, [])
    question = await fake.send_message(fake.world.alice, "where is the station")
    unsure = await fake.reply_to(question)
    assert unsure.content.startswith("I'm not sure")
    [row] = unsure.body["components"]
    [button] = row["components"]
    assert button["label"] == "Teach me" and button["custom_id"] == f"parrot:teach:{question['id']}"
    reply_message = fake.messages[max(fake.messages)]  # the message the reply became, buttons included
    # As Discord stores them: the components the bot sent, each numbered by Discord.
    assert without_ids(reply_message["components"]) == unsure.body["components"]
    assert [row["id"] for row in reply_message["components"]] == [1]

    click = await fake.click_button(fake.world.trainer, reply_message, button["custom_id"])
    opened = await fake.wait_for(lambda call: call in fake.callbacks_to(click))
    assert opened.body["type"] == 9  # a form
    form = opened.body["data"]
    [field] = form["components"][0]["components"]
    await form_ready(app[0], form["custom_id"])
    submitted = await fake.submit_modal(fake.world.trainer, form, {field["custom_id"]: "Turn left at the bakery."})
    thanks = await fake.wait_for(lambda call: call in fake.followups_to(submitted))
    assert thanks.content.startswith('Thanks, noted. From now on I answer "where is the station" with your correction')
    assert not thanks.body.get("flags", 0) & EPHEMERAL  # a correction is public, as `!correct` is
    # Applied at once, for everyone.
    again = await fake.send_message(fake.world.admin, "where is the station")
    assert (await fake.reply_to(again)).content == "Turn left at the bakery."


async def test_a_teach_me_form_for_a_message_never_answered_is_refused_clearly(
    fake: FakeDiscord, app: tuple[ParrotBot, Container]
) -> None:
    reply = fake.messages[int((await fake.send_message(fake.world.alice, "x"))["id"])]
    reply["components"] = [{"type": 1, "id": 1, "components": [{"type": 2, "id": 2, "style": 2, "label": "Teach me",
                                                                "custom_id": "parrot:teach:123"}]}]  # fmt: skip
    click = await fake.click_button(fake.world.alice, reply, "parrot:teach:123")
    opened = await fake.wait_for(lambda call: call in fake.callbacks_to(click))
    form = opened.body["data"]
    [field] = form["components"][0]["components"]
    await form_ready(app[0], form["custom_id"])
    submitted = await fake.submit_modal(fake.world.alice, form, {field["custom_id"]: "Paris"})
    told = await fake.wait_for(lambda call: call in fake.followups_to(submitted))
    assert told.content.startswith("There is nothing to correct: the message you replied to is not one I answered")


async def test_settings_privacy_and_forget_as_slash_commands_answer_the_member_alone(
    fake: FakeDiscord, app: tuple[ParrotBot, Container]
) -> None:
    refused = await fake.invoke_slash(fake.world.alice, "settings", {"change": "voice off"})
    callback = await fake.wait_for(lambda call: call in fake.callbacks_to(refused))
    assert callback.body["data"]["content"] == "`!settings` needs the Manage Server permission."
    assert callback.body["data"]["flags"] & EPHEMERAL
    changed = await fake.invoke_slash(fake.world.admin, "settings", {"change": "voice off"})
    saved = await fake.wait_for(lambda call: call in fake.followups_to(changed))
    assert saved.content == "Saved. I stay silent in voice channels." and saved.body["flags"] & EPHEMERAL
    privacy = await fake.invoke_slash(fake.world.alice, "privacy")
    told = await fake.wait_for(lambda call: call in fake.followups_to(privacy))
    assert "What I keep about you" in told.content and told.body["flags"] & EPHEMERAL
    forget = await fake.invoke_slash(fake.world.alice, "forget", {"who": "me"})
    done = await fake.wait_for(lambda call: call in fake.followups_to(forget))
    assert done.content.startswith("Done: I deleted what I kept about you") and done.body["flags"] & EPHEMERAL
