"""Ending turns with the real end-of-turn model (Smart Turn v3.2) on real speech: at the short pause when the
sentence is finished, later when it is not, and never inside a sentence that only paused."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.config.settings import ListenSettings
from adapters.discord.listening.options import TurnRules
from adapters.speech.model_files import smart_turn_file
from adapters.speech.smart_turn import SmartTurn
from cli import listening_options, settle, shutdown
from support import fakes
from support.discord_harness import build_app_bot, started
from support.fake_discord import FakeDiscord
from support.turn_rig import turn_rig
from tests.integration.discord.listening.conftest import WEATHER, Listening, ToneCodec, clip, options

RULES = TurnRules(pause_seconds=0.2, silence_seconds=0.6)
SILENCE_ONLY = TurnRules(silence_seconds=0.6)
# Where the model hears these sentences as unfinished (20 ms frames): "set a | timer for 3 hours and 10 minutes",
# "what's the weather | like in New York". Elsewhere inside them it often hears a finished one: bench/turns.py.
UNFINISHED = {"en_s2p_timer_3h10m.wav": 41, "en_s2p_weather_new_york.wav": 61}


@pytest.fixture(scope="module")
def model() -> SmartTurn:
    return SmartTurn(smart_turn_file())


def test_the_settings_choose_the_model_or_the_silence_rule_and_both_hear_from_the_pause() -> None:
    chosen = listening_options(ListenSettings(end_of_turn="model"))
    assert isinstance(chosen.end_of_turn, SmartTurn) and chosen.rules.pause_seconds == 0.2
    assert chosen.rules.silence_seconds == 0.6
    silence = listening_options(ListenSettings(end_of_turn="silence", pause_ms=300, silence_ms=900))
    assert silence.end_of_turn is None and (silence.rules.pause_seconds, silence.rules.silence_seconds) == (0.3, 0.9)


@pytest.mark.slow
async def test_a_finished_question_ends_the_turn_at_the_short_pause(model: SmartTurn) -> None:
    r = turn_rig(model, RULES)
    await r.speak(clip("en_s2p_weather_new_york.wav"))
    spoke_until = r.clock.now
    await r.quiet(0.3)
    assert not r.in_turn  # over before the 600 ms of silence
    [(_, turn, tentative, when)] = r.heard
    assert tentative and when - spoke_until <= 0.25
    await r.quiet(1.0)
    assert await r.answered() == [turn] and len(r.heard) == 1


@pytest.mark.slow
async def test_a_sentence_cut_in_the_middle_is_judged_unfinished_and_waits(model: SmartTurn) -> None:
    name, cut = "en_s2p_timer_3h10m.wav", UNFINISHED["en_s2p_timer_3h10m.wav"]
    r = turn_rig(model, RULES)
    await r.speak(clip(name)[:cut])
    await r.quiet(0.4)
    assert r.in_turn and r.ending.judged == 1  # judged at the pause, and kept waiting
    await r.quiet(0.3)
    assert not r.in_turn  # the fallback silence ended it, with the hearing begun at the pause
    [(_, turn, tentative, _)] = r.heard
    assert tentative and await r.answered() == [turn]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(UNFINISHED))
@pytest.mark.parametrize("pause", [0.4, 0.5])
async def test_a_pause_inside_a_sentence_does_not_split_the_turn(model: SmartTurn, name: str, pause: float) -> None:
    frames, cut = clip(name), UNFINISHED[name]
    r = turn_rig(model, RULES)
    await r.speak(frames[:cut])
    await r.quiet(pause)
    await r.speak(frames[cut:])
    await r.quiet(1.0)
    [answered] = await r.answered()  # one answer, for the whole sentence
    whole = turn_rig(None, SILENCE_ONLY)
    await whole.speak(frames)
    await whole.quiet(1.0)
    [(_, alone, _, _)] = whole.heard
    assert answered.voiced_seconds == alone.voiced_seconds
    tentative = [turn for _, turn, is_tentative, _ in r.heard if is_tentative]
    assert len(tentative) == 2 and tentative[0].voiced_seconds < answered.voiced_seconds  # the first was dropped


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Listening]:
    async with FakeDiscord() as fake:
        # Heard by length: the part before the pause would be "what's the weather", the whole the full question.
        stt = fakes.ScriptedSpeechToText([(0.3, 2.0, "Parrot, what's the weather"), WEATHER])
        listening = options(rules=RULES, end_of_turn=SmartTurn(smart_turn_file()))
        bot, container = build_app_bot(fake, tmp_path, stt=stt, codec=ToneCodec(), listening=listening)
        async with started(bot, fake):
            yield Listening(fake, bot, container, stt)
            await settle(container)
            await shutdown(container)


@pytest.mark.slow
async def test_a_member_who_pauses_mid_sentence_is_answered_once_for_the_whole_sentence(app: Listening) -> None:
    """Through the fake Discord: what was said before the pause is heard tentatively and dropped; only the whole
    question is posted and answered."""
    world = app.fake.world
    await app.turn_on()
    mark = len(app.fake.calls)
    name = "en_s2p_weather_new_york.wav"
    frames, cut = clip(name), UNFINISHED[name]
    mouth = app.mouth(world.admin, 5555)
    await app.fake.voice.speak(mouth, frames[:cut])
    await asyncio.sleep(0.4)  # after the five silence frames the client sends: a 500 ms pause
    await app.fake.voice.speak(mouth, frames[cut:], announce=False)
    await app.posted(lambda text: text.startswith("🎙️"), since=mark, timeout=30)
    await asyncio.sleep(1.5)  # time for a second answer, if there were one
    await settle(app.container)
    assert [text for text in app.posts(mark) if text.startswith("🎙️")] == [f"🎙️ Admin: {WEATHER[2]}"]
    assert len([call for call in app.fake.calls[mark:] if call.reply_to is not None]) == 1  # one answer
    assert any(seconds < 2.0 for seconds in app.stt.heard)  # the part before the pause was heard, unanswered
