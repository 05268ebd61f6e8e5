"""ChatOutput and AttachmentSource as Discord sees them: the REST calls the driver makes."""

import pytest

from adapters.discord import ParrotBot
from adapters.discord.attachments import DiscordAttachments
from domain.errors import NotFound, TooLarge
from domain.ids import ChannelId, MessageId
from domain.messages import Attachment, OutgoingFile, Status
from support.discord_harness import RecordingSink
from support.fake_discord import ADD_REACTION, EDIT_MESSAGE, REMOVE_REACTION, SEND_MESSAGE, FakeDiscord


async def test_user_text_never_pings_anyone(fake: FakeDiscord, bot: ParrotBot) -> None:
    question = await fake.send_message(fake.world.alice, "hello")
    channel = ChannelId(fake.world.text_channel.id)
    await bot.chat.send_text(channel, "@everyone <@&1> <@2> said hi", reply_to=MessageId(int(question["id"])))
    [call] = fake.calls_to(SEND_MESSAGE)
    assert call.body["allowed_mentions"] == {"parse": []}  # no users, roles, everyone, nor the replied-to author
    assert call.reply_to == int(question["id"])


async def test_a_long_reply_is_split_on_word_boundaries(fake: FakeDiscord, bot: ParrotBot) -> None:
    words = [f"word{i:04d}" for i in range(500)]  # 4,999 characters
    await bot.chat.send_text(ChannelId(fake.world.text_channel.id), " ".join(words), reply_to=MessageId(1))
    calls = fake.calls_to(SEND_MESSAGE)
    assert len(calls) == 3
    assert all(len(call.content) <= 2000 for call in calls)
    assert " ".join(call.content for call in calls).split() == words
    assert [call.reply_to for call in calls] == [1, None, None]
    assert all(call.body["allowed_mentions"] == {"parse": []} for call in calls)


async def test_a_file_goes_as_a_multipart_upload(fake: FakeDiscord, bot: ParrotBot) -> None:
    file = OutgoingFile("report.txt", b"accuracy: 0.93\n", "the report")
    await bot.chat.send_file(ChannelId(fake.world.text_channel.id), file, text="Here it is", reply_to=MessageId(5))
    [call] = fake.calls_to(SEND_MESSAGE)
    [upload] = call.uploads
    assert (upload.filename, upload.data) == ("report.txt", b"accuracy: 0.93\n")
    assert call.content == "Here it is"
    assert call.body["attachments"][0]["description"] == "the report"
    assert call.body["allowed_mentions"] == {"parse": []}


async def test_edit_and_status_reactions(fake: FakeDiscord, bot: ParrotBot) -> None:
    channel = ChannelId(fake.world.text_channel.id)
    sent = await bot.chat.send_text(channel, "Training: 10%")
    await bot.chat.edit_text(channel, sent, "Training: 100%")
    assert fake.messages[sent]["content"] == "Training: 100%"
    [edit] = fake.calls_to(EDIT_MESSAGE)
    assert edit.body["allowed_mentions"] == {"parse": []}

    question = MessageId(int((await fake.send_message(fake.world.alice, "hello"))["id"]))
    await bot.chat.set_status(channel, question, Status.WORKING)
    await bot.chat.set_status(channel, question, Status.DONE)
    added = [call.path.rsplit("/", 2)[-2] for call in fake.calls_to(ADD_REACTION)]
    removed = [call.path.rsplit("/", 2)[-2] for call in fake.calls_to(REMOVE_REACTION)]
    assert (added, removed) == (["⏳", "✅"], ["⏳"])


async def test_a_rate_limited_send_is_retried(fake: FakeDiscord, bot: ParrotBot) -> None:
    fake.rate_limit(SEND_MESSAGE, retry_after=0.05)
    sent = await bot.chat.send_text(ChannelId(fake.world.text_channel.id), "after the wait")
    first, second = fake.calls_to(SEND_MESSAGE)
    assert (first.status, second.status) == (429, 200)
    assert second.content == "after the wait"
    assert sent in fake.messages


async def test_an_attachment_is_fetched_after_a_size_check(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink
) -> None:
    data = b"OggS" + bytes(3000)
    voice_note = fake.add_attachment("voice-message.ogg", data, "audio/ogg", voice=True)
    await fake.send_message(fake.world.alice, "", attachments=[voice_note], voice_message=True)
    [command] = await sink.wait_for(1)
    attachment = command.message.attachments[0]
    assert attachment.is_voice_message
    with pytest.raises(TooLarge):
        await bot.attachments.fetch(attachment, max_bytes=1000)
    assert fake.downloads == []  # refused before downloading
    assert await bot.attachments.fetch(attachment, max_bytes=10_000) == data
    assert len(fake.downloads) == 1

    # Without the remembered attachment (say, after a restart) its message is fetched again, by id.
    forgetful = DiscordAttachments(bot)
    assert await forgetful.fetch(attachment, max_bytes=10_000) == data
    assert [call.route for call in fake.calls][-1] == "GET /channels/{channel_id}/messages/{message_id}"


async def test_only_references_to_discord_attachments_are_fetched(bot: ParrotBot) -> None:
    foreign = Attachment(1, "x.ogg", 10, "audio/ogg", ref="https://example.com/x.ogg")
    with pytest.raises(NotFound):
        await bot.attachments.fetch(foreign, max_bytes=100)
