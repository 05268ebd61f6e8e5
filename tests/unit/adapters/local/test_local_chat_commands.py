"""The local chat's own commands (`/voice`, `/as`, `/reply`), through the real application with in-memory fakes."""

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.local.console import LOCAL_HELP, ConsoleChat, LocalChatSession
from application.jobs.executor import JobExecutor
from bootstrap import build_container
from cli import settle
from support import fakes
from support.app import in_memory_stores, make_settings

TRAINING = "!train hello there => Hi!\\ngood morning => Hi!\\nwhat time is it => Noon.\\nthe hour => Noon."


@dataclass
class LocalChat:
    console: ConsoleChat
    output: io.StringIO
    session: LocalChatSession

    async def type(self, line: str) -> list[str]:
        """Type a line; every line printed in answer (the bot's and the local chat's own)."""
        before = len(self.output.getvalue().splitlines())
        await self.session.handle_line(line)
        return self.output.getvalue().splitlines()[before:]


@pytest.fixture
def local(tmp_path: Path) -> LocalChat:
    settings = make_settings(tmp_path, model={"starter": False})
    output = io.StringIO()
    console = ConsoleChat(tmp_path / "out", output, settings.discord.prefix)
    backend = fakes.FakeModelBackend(name="embedded")
    codec, stt, tts = fakes.FakeCodec(), fakes.FakeSpeechToText(), fakes.FakeTextToSpeech()
    container = build_container(
        settings,
        console,
        console,
        console,
        backends={"embedded": backend},
        dataset_parser=fakes.LineParser(),
        report_renderer=fakes.FakeRenderer(),
        clock=fakes.FixedClock(),
        codec=codec,
        stt=stt,
        tts=tts,
        work_queue=fakes.FakeWorkQueue(JobExecutor(codec, stt, tts, {"embedded": backend})),
        **in_memory_stores(),
    )

    async def settle_app() -> None:
        await settle(container)

    session = LocalChatSession(console, container.bus(), settings.discord.prefix, settle_app, interactive=False)
    return LocalChat(console, output, session)


async def test_voice_takes_only_on_or_off(local: LocalChat) -> None:
    assert await local.type("/voice on") == ["(you are in the voice channel #20)"]
    assert await local.type("/voice maybe") == ["(usage: /voice on|off)"]
    assert local.console.user_in_voice  # a typo changes nothing
    assert await local.type("/voice") == ["(usage: /voice on|off)"]
    assert await local.type("/voice OFF") == ["(you are out of the voice channel #20)"]
    assert not local.console.user_in_voice


async def test_as_member_is_refused_what_admins_may_do_and_as_owner_is_not(local: LocalChat) -> None:
    assert await local.type("/as member") == ["(you are now a member (the admin commands are refused))"]
    refused = await local.type("!feedback list")
    assert "needs the Manage Server permission" in refused[0], refused
    assert await local.type("/as somebody") == ["(usage: /as member|admin|owner)"]
    assert await local.type("/as admin") == ["(you are now an admin)"]
    assert "No feedback yet." in (await local.type("!feedback list"))[0]
    assert await local.type("/as owner") == ["(you are now an owner)"]


def _number(line: str) -> int:
    found = re.search(r"\(#(\d+)\)$", line)
    assert found, line
    return int(found.group(1))


async def test_reply_aims_correct_at_an_older_unsure_reply(local: LocalChat) -> None:
    await local.type(TRAINING)
    (coffee,) = await local.type("do you sell coffee")
    assert coffee.startswith("parrot> I'm not sure how to answer that.")
    (other,) = await local.type("how tall are giraffes")
    assert "(#" in other and "(#" not in (await local.type("hello there"))[0]  # only unsure replies are numbered
    number = _number(coffee)
    assert await local.type(f"/reply {number}") == [f"(your next message replies to Parrot's message #{number})"]
    (noted,) = await local.type("!correct Yes, beans and ground.")
    assert 'I answer "do you sell coffee" with your correction' in noted
    # The reply went with that one message: the next `correct` is the latest reply's again.
    assert await local.type("do you sell coffee") == ["parrot> Yes, beans and ground."]


async def test_reply_refuses_what_is_not_one_of_parrots_messages(local: LocalChat) -> None:
    assert await local.type("/reply") == ["(usage: /reply N, N being the number (#N) of one of Parrot's messages)"]
    assert await local.type("/reply 99") == ["(#99 is not one of Parrot's messages)"]


async def test_feedback_list_in_the_local_chat_says_how_to_reply_and_to_which(local: LocalChat) -> None:
    await local.type(TRAINING)
    (unsure,) = await local.type("do you sell coffee")
    listing = "\n".join(await local.type("!feedback list"))
    assert "`/reply N` then `!correct <the answer>`" in listing
    assert f'"do you sell coffee" (#{_number(unsure)}): I would have said "' in listing
    assert "replying to my reply" not in listing


async def test_attach_does_what_the_local_help_says(local: LocalChat, tmp_path: Path) -> None:
    (attach,) = [line for line in LOCAL_HELP.splitlines() if "/attach PATH" in line]
    assert "audio is heard and answered; to train on a dataset," in attach
    assert "give `!train` as the text (`/attach faq.csv !train`)" in LOCAL_HELP
    faq = tmp_path / "faq.csv"
    faq.write_text("hello there => Hi!\ngood morning => Hi!\nwhat time is it => Noon.\nthe hour => Noon.\n")
    alone = await local.type(f"/attach {faq}")
    assert any("I can only hear audio files" in line and "`!train`" in line for line in alone)
    trained = await local.type(f"/attach {faq} !train")
    assert any("done: model version 1" in line for line in trained)
