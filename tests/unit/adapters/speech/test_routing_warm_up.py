"""Readying the voices of some languages only: the routing starts no other voice."""

from adapters.speech.routing import LanguageRoutingTextToSpeech
from application.jobs.executor import JobExecutor
from application.ports.work import WarmUpJob
from support import fakes


async def test_only_the_voices_of_the_languages_asked_for_are_warmed() -> None:
    piper, festival, espeak = fakes.FakeTextToSpeech(), fakes.FakeTextToSpeech(), fakes.FakeTextToSpeech()
    router = LanguageRoutingTextToSpeech({"en": piper, "ru": festival}, default=espeak)
    await router.warm_up_languages(["en-US", "en-GB"])
    assert (piper.warmed, festival.warmed, espeak.warmed) == (1, 0, 0)
    await router.warm_up()
    assert (piper.warmed, festival.warmed, espeak.warmed) == (2, 1, 1)


async def test_a_warm_up_job_readies_the_recogniser_and_the_voices_of_its_languages() -> None:
    piper, festival, espeak = fakes.FakeTextToSpeech(), fakes.FakeTextToSpeech(), fakes.FakeTextToSpeech()
    stt = fakes.FakeSpeechToText()
    router = LanguageRoutingTextToSpeech({"en": piper, "ru": festival}, default=espeak)
    executor = JobExecutor(fakes.FakeCodec(), stt, router, {})
    await executor(WarmUpJob(("ru",)))
    assert (stt.warmed, piper.warmed, festival.warmed, espeak.warmed) == (1, 0, 1, 0)
    await executor(WarmUpJob())
    assert (stt.warmed, piper.warmed, festival.warmed, espeak.warmed) == (2, 1, 2, 1)
