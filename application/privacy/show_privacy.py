"""`privacy`: what Parrot keeps, where, and for how long."""

from collections.abc import Sequence

from application.chat.long_text import send_long_text
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from domain.commands import ShowPrivacy
from domain.text import CommandRef, Strong, join_lines, say


class ShowPrivacyHandler:
    def __init__(self, chat: ChatOutput) -> None:
        self._chat = chat

    async def __call__(self, command: ShowPrivacy) -> Sequence[BusMessage]:
        message = command.message
        text = join_lines(
            [
                say(
                    Strong("What I keep about you"),
                    " (on the computer that runs me, in a folder for this server; "
                    "direct messages get a folder per person):",
                ),
                say(
                    "- ",
                    CommandRef("feedback"),
                    " and ",
                    CommandRef("correct"),
                    " (and Teach me): your words, your name or id, the channel and the time, in files, until you ",
                    CommandRef("forget me"),
                    " or an admin deletes them. Corrections join the next ",
                    CommandRef("train"),
                    ".",
                ),
                "- A 👎 you give one of my replies: the message it answered, my reply and your id, in a file, "
                "until you forget me or an admin deletes it.",
                "- Messages I was unsure about, corrected or 👎'd, for the admins' review page: in a file, the newest "
                "entries only (older ones are dropped). The last 50 exchanges of each channel (so a reply can be "
                "corrected): in memory only, gone when I restart.",
                "- Voice messages and audio files: heard in memory, never saved; their transcript is posted in the "
                "channel.",
                say(
                    "- Voice channels: I hear them only where an admin turned on ",
                    CommandRef("listen on"),
                    "; what you say is heard in memory and its audio never saved, its transcript posted in the "
                    "channel. Only where an admin turned on ",
                    CommandRef("settings voicelog on"),
                    " do I keep, as text, what I heard and answered (your id, the time, the channel), and may a "
                    "question I was unsure about wait on the review page or be corrected, until you ",
                    CommandRef("forget me"),
                    ". ",
                    CommandRef("listen optout"),
                    " and I drop your audio unheard; your id is kept in the server's settings so that this lasts, "
                    "until ",
                    CommandRef("listen optin"),
                    ". While I'm in a voice channel, listening or not, I keep in memory which member speaks on "
                    "which audio stream (ids only, no audio) until I leave it: Discord says so only once.",
                ),
                "- Datasets, models and files admins upload: kept for the server until an admin removes them; a model "
                "keeps what it learned (corrections included) until the next training.",
                "- My log records ids (server, channel, member, message) and what happened, not what you wrote; "
                "how long it is kept is up to whoever runs me.",
                say(CommandRef("forget me"), " deletes what I keep about you, here and in our direct messages."),
            ]
        )
        await send_long_text(self._chat, message.channel_id, text, reply_to=message.id)
        return ()
