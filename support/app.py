"""The real application, built by the composition root, driven through the in-process fake Discord."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.config.settings import ParrotSettings
from adapters.web import WebAttachments, WebChat
from application.jobs.executor import JobExecutor
from bootstrap import Container, build_container
from cli import settle
from support import fakes
from support.scripted_discord import ScriptedDiscord


@dataclass
class AppHarness:
    container: Container
    discord: ScriptedDiscord
    backend: fakes.FakeModelBackend
    codec: fakes.FakeCodec
    stt: fakes.FakeSpeechToText
    tts: fakes.FakeTextToSpeech
    stores: dict[str, Any] = field(default_factory=dict)
    web_chat: WebChat | None = None
    web_attachments: WebAttachments | None = None
    work: fakes.FakeWorkQueue | None = None
    listening: fakes.FakeListening = field(default_factory=lambda: fakes.FakeListening())

    async def settle(self) -> None:
        await settle(self.container)


def make_settings(data_root: Path, **sections: dict[str, Any]) -> ParrotSettings:
    # The fake model backend stands in for `embedded`, whatever the shipped default is.
    raw: dict[str, Any] = {"storage": {"data_root": str(data_root)}, "model": {"backend": "embedded"}}
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    return ParrotSettings.model_validate(raw)


def in_memory_stores() -> dict[str, Any]:
    """Container overrides that keep every store in memory."""
    settings = fakes.InMemorySettings()
    feedback, review = fakes.InMemoryFeedbackLog(), fakes.InMemoryReviewStore()
    voice, forgotten = fakes.InMemoryVoiceLog(), fakes.InMemoryForgetRequests()
    return {
        "vault": fakes.InMemoryFiles(),
        "datasets": fakes.InMemoryDatasets(),
        "space_settings": settings,
        "feedback_log": feedback,
        "review_store": review,
        "voice_log": voice,
        "forget_requests": forgotten,
        "member_records": fakes.StoreByStoreMemberRecords(feedback, review, voice, forgotten),
        "model_store": fakes.InMemoryModelStore(settings=settings),
        "instructions": fakes.StaticInstructions(),
    }


def build_app(
    data_root: Path,
    *,
    in_memory: bool = True,
    real_speech: bool = False,
    web: bool = False,
    web_settings: dict[str, Any] | None = None,
    fake_work: bool = False,
    **sections: dict[str, Any],
) -> AppHarness:
    """The container with fake speech and model backends; storage in memory, or real under `data_root`.

    The fake model backend stands in for the configured default (`embedded`); with `real_speech`,
    the configured codec, recogniser and voice are the real ones. `web_settings` is the `web` section
    (`web` itself says whether the review page's wrappers are in place). With `fake_work`, the work port is
    the in-memory fake (unit tests); otherwise the in-process adapter with its gate and deadlines.
    """
    if web_settings:
        sections = {**sections, "web": web_settings}
    settings = make_settings(data_root, **sections)
    discord = ScriptedDiscord(prefix=settings.discord.prefix)
    backend = fakes.FakeModelBackend(name="embedded")
    codec, stt, tts = fakes.FakeCodec(), fakes.FakeSpeechToText(), fakes.FakeTextToSpeech()
    overrides: dict[str, object] = {} if real_speech else {"codec": codec, "stt": stt, "tts": tts}
    overrides |= {
        "backends": {"embedded": backend},
        "dataset_parser": fakes.LineParser(),
        "report_renderer": fakes.FakeRenderer(),
        "clock": fakes.FixedClock(),
    }
    work: fakes.FakeWorkQueue | None = None
    if fake_work:
        work = fakes.FakeWorkQueue(JobExecutor(codec, stt, tts, {"embedded": backend}))
        overrides["work_queue"] = work
    stores = in_memory_stores() if in_memory else {}
    # With `web`, the review page's wrappers sit between the application and the fake Discord, as in `cli.py`.
    chat, attachments = (WebChat(discord, settings.discord.prefix), WebAttachments(discord)) if web else (None, None)
    listening = fakes.FakeListening()
    container = build_container(
        settings, chat or discord, discord, attachments or discord, listening=listening, **overrides, **stores
    )
    discord.connect(container.bus())
    return AppHarness(container, discord, backend, codec, stt, tts, stores, chat, attachments, work, listening)
