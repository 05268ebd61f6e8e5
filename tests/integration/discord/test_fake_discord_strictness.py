"""The fake Discord is as strict as Discord: its OpenAPI description, its documented limits and its rate limits.

The refusals are driven straight at the fake over HTTP (as a misbehaving bot would); then Parrot itself is shown
not to trigger any of them at its limits: the longest reply, a 3,000-character transcript, the busiest
`!feedback list`, and 200 replies in one channel through a rate limit.
"""

import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from adapters.discord import ParrotBot
from bootstrap import Container
from cli import settle
from support.fake_discord import SEND_MESSAGE, FakeDiscord
from support.fake_discord.openapi import EXCEPTIONS, DiscordSpec
from support.fake_discord.server import TOKEN
from support.fake_discord.world import JSON


@pytest.fixture
async def strict() -> AsyncIterator[FakeDiscord]:
    """A fake whose refusals are the point of the test: they are checked there, then cleared."""
    async with FakeDiscord() as fake:
        yield fake
        fake.refused.clear()


async def call(fake: FakeDiscord, method: str, path: str, body: Any = None) -> tuple[int, Any, dict[str, str]]:
    headers = {"Authorization": f"Bot {TOKEN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.api_base + path, json=body, headers=headers) as response,
    ):
        data = await response.json() if response.content_type == "application/json" else None
        return response.status, data, dict(response.headers)


# -- the validator --------------------------------------------------------------------------------


def test_a_request_is_matched_to_its_operation_and_checked_against_its_schema() -> None:
    spec = DiscordSpec.load()
    operation = spec.operation("POST", "/channels/123/messages")
    assert operation is not None and operation.operation_id == "create_message"
    good = {"content": "hi", "message_reference": {"message_id": 456}, "allowed_mentions": {"parse": []}}
    assert spec.request_problems(operation, "application/json", good) == []
    [too_long] = spec.request_problems(operation, "application/json", {"content": "x" * 4001})
    assert too_long.startswith("content:") and "maxLength" in too_long
    [wrong_type] = spec.request_problems(operation, "application/json", {"content": "hi", "tts": "yes"})
    assert wrong_type.startswith("tts:") and "'boolean'" in wrong_type
    assert spec.operation("POST", "/channels/123/not-a-route") is None
    # The literal segment wins over a template: @original is not a message id.
    edit = spec.operation("PATCH", "/webhooks/1/token/messages/@original")
    assert edit is not None and edit.operation_id == "update_original_webhook_message"


def test_integer_snowflakes_are_the_one_named_exception() -> None:
    assert [allowance.name for allowance in EXCEPTIONS] == ["integer snowflakes"]
    spec = DiscordSpec.load()
    operation = spec.operation("POST", "/channels/123/messages")
    assert operation is not None
    reply = {"content": "hi", "message_reference": {"message_id": 456}}
    assert spec.request_problems(operation, "application/json", reply) == []
    negative = {"content": "hi", "message_reference": {"message_id": -1}}
    assert spec.request_problems(operation, "application/json", negative) != []


async def test_a_request_no_operation_matches_is_a_problem_of_the_test(strict: FakeDiscord) -> None:
    status, _, _ = await call(strict, "GET", "/channels/1/not-a-route")
    assert status == 404
    assert "GET /channels/1/not-a-route: no operation of Discord's API matches" in strict.problems()
    strict.against_spec.clear()
    strict.unknown.clear()


async def test_a_body_that_breaks_its_schema_is_a_problem_of_the_test(strict: FakeDiscord) -> None:
    channel = strict.world.text_channel.id
    await call(strict, "POST", f"/channels/{channel}/messages", {"content": "hi", "tts": "yes"})
    [problem] = strict.against_spec
    assert problem.startswith(f"POST /channels/{channel}/messages (create_message) request: tts:")
    strict.against_spec.clear()


# -- what Discord refuses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": "x" * 2001}, "content"),
        ({"embeds": [{"description": "e"}] * 11}, "embeds"),
        ({"components": [{"type": 1, "components": [{"type": 2, "style": 2, "label": "b", "custom_id": "c"}]}] * 6},
         "components"),
        ({"components": [{"type": 1, "components": [
            {"type": 2, "style": 2, "label": "b", "custom_id": f"c{i}"} for i in range(6)]}]}, "components"),
    ],
)  # fmt: skip
async def test_a_message_over_discords_limits_is_refused_as_invalid_form_body(
    strict: FakeDiscord, body: JSON, field: str
) -> None:
    channel = strict.world.text_channel.id
    status, answer, _ = await call(strict, "POST", f"/channels/{channel}/messages", body)
    assert status == 400
    assert answer["code"] == 50035 and answer["message"] == "Invalid Form Body"
    assert field in answer["errors"]
    assert len(strict.refused) == 1 and "50035" in strict.refused[0]
    assert strict.messages == {}  # nothing was posted
    strict.against_spec.clear()  # the spec refuses 11 embeds too


async def test_exactly_at_the_limits_is_accepted(strict: FakeDiscord) -> None:
    channel = strict.world.text_channel.id
    row = {"type": 1, "components": [{"type": 2, "style": 2, "label": "b", "custom_id": f"c{i}"} for i in range(5)]}
    body = {"content": "x" * 2000, "components": [row] * 5, "embeds": [{"description": "e"}] * 10}
    status, _, _ = await call(strict, "POST", f"/channels/{channel}/messages", body)
    assert status == 200
    assert strict.refused == []


async def test_an_interaction_is_answered_once_within_three_seconds(strict: FakeDiscord) -> None:
    now = [1000.0]
    strict.clock = lambda: now[0]
    first = await strict.invoke_slash(strict.world.alice, "privacy")
    path = f"/interactions/{first['id']}/{first['token']}/callback"
    assert (await call(strict, "POST", path, {"type": 5}))[0] == 200
    status, answer, _ = await call(strict, "POST", path, {"type": 4, "data": {"content": "again"}})
    assert (status, answer["code"]) == (400, 40060)

    late = await strict.invoke_slash(strict.world.alice, "privacy")
    now[0] += 3.5
    status, answer, _ = await call(strict, "POST", f"/interactions/{late['id']}/{late['token']}/callback", {"type": 5})
    assert (status, answer["code"]) == (404, 10062)

    # The first one's token takes follow-ups for 15 minutes, then no more.
    application = strict.world.application_id
    followup = f"/webhooks/{application}/{first['token']}"
    assert (await call(strict, "POST", followup, {"content": "done"}))[0] == 200
    now[0] += 15 * 60
    status, answer, _ = await call(strict, "POST", followup, {"content": "too late"})
    assert (status, answer["code"]) == (404, 10015)
    assert len(strict.refused) == 3


async def test_a_modal_with_more_than_five_inputs_is_refused(strict: FakeDiscord) -> None:
    interaction = await strict.invoke_slash(strict.world.alice, "privacy")
    field = {"type": 4, "custom_id": "f", "label": "l", "style": 1}
    modal = {"custom_id": "m", "title": "t", "components": [{"type": 1, "components": [field]}] * 6}
    path = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
    status, answer, _ = await call(strict, "POST", path, {"type": 9, "data": modal})
    assert (status, answer["code"]) == (400, 50035)
    assert "data" in answer["errors"]
    strict.against_spec.clear()  # the spec's own maxItems says the same


async def test_a_reaction_on_a_missing_message_is_unknown_message(strict: FakeDiscord) -> None:
    channel = strict.world.text_channel.id
    status, answer, _ = await call(strict, "PUT", f"/channels/{channel}/messages/42/reactions/%E2%9C%85/@me")
    assert (status, answer["code"]) == (404, 10008)


async def test_a_burst_is_answered_429_with_discords_headers(strict: FakeDiscord) -> None:
    channel = strict.world.text_channel.id
    strict.rate_limits.routes[SEND_MESSAGE] = (5, 60.0)
    answers = [await call(strict, "POST", f"/channels/{channel}/messages", {"content": f"{i}"}) for i in range(6)]
    assert [status for status, _, _ in answers] == [200] * 5 + [429]
    assert answers[4][2]["X-RateLimit-Remaining"] == "0" and answers[0][2]["X-RateLimit-Limit"] == "5"
    status, body, headers = answers[5]
    assert body["global"] is False and 0 < body["retry_after"] <= 60
    assert (
        headers["X-RateLimit-Scope"] == "user" and headers["X-RateLimit-Bucket"] == answers[0][2]["X-RateLimit-Bucket"]
    )
    # Another channel is another bucket.
    other = strict.world.voice_channel.id
    assert (await call(strict, "POST", f"/channels/{other}/messages", {"content": "x"}))[0] == 200

    strict.rate_limits.global_limit = (1, 60.0)
    assert (await call(strict, "GET", "/users/@me"))[0] == 200
    status, body, headers = await call(strict, "GET", "/users/@me")
    assert status == 429 and body["global"] is True and headers["X-RateLimit-Global"] == "true"


# -- Parrot at its limits -------------------------------------------------------------------------


async def test_a_3000_character_transcript_stays_within_discords_limits(
    fake: FakeDiscord, app: tuple[ParrotBot, Container]
) -> None:
    words = " ".join(f"w{i:05d}" for i in range(430))  # 3,009 characters
    clip = fake.add_attachment("voice-message.ogg", f"speech:{words}".encode(), "audio/ogg", voice=True)
    voice = await fake.send_message(fake.world.alice, attachments=[clip], voice_message=True)
    transcript = await fake.reply_to(voice, timeout=10)
    assert len(transcript.content) <= 2000
    assert [upload.data.decode() for upload in transcript.uploads] == [words]
    assert fake.refused == [] and fake.against_spec == []


async def test_the_busiest_feedback_list_stays_within_discords_limits(
    fake: FakeDiscord, app: tuple[ParrotBot, Container]
) -> None:
    for i in range(30):
        asked = await fake.send_message(fake.world.alice, f"question number {i} about something long " + "x" * 300)
        await fake.reply_to(asked)
        sent = await fake.send_message(fake.world.alice, f"!feedback {i}: " + "f" * 1900)
        await fake.reply_to(sent)
    listing = await fake.send_message(fake.world.admin, "!feedback list")
    first = await fake.reply_to(listing, timeout=10)
    await settle(app[1])
    replies = [
        c for c in fake.calls_to(SEND_MESSAGE) if c.status == 200 and fake.calls.index(c) >= fake.calls.index(first)
    ]
    assert replies and all(len(reply.content) <= 2000 for reply in replies)
    assert fake.refused == [] and fake.against_spec == []


async def test_200_replies_through_a_rate_limit_arrive_once_each_in_order(
    fake: FakeDiscord, app: tuple[ParrotBot, Container], caplog: pytest.LogCaptureFixture
) -> None:
    fake.rate_limits.routes[SEND_MESSAGE] = (5, 0.1)  # Discord's 5 per 5 s, fifty times faster
    # discord.py waits out a bucket the headers show empty, but meets a global limit only as a 429.
    fake.rate_limits.global_limit = (20, 1.0)
    caplog.set_level(logging.WARNING)
    questions = [await fake.send_message(fake.world.alice, f"!hi {i}") for i in range(200)]
    last = await fake.reply_to(questions[-1], timeout=300)
    assert last.status == 200
    replies = [c for c in fake.calls_to(SEND_MESSAGE) if c.status == 200]
    answered = [c.reply_to for c in replies]
    assert answered == [int(q["id"]) for q in questions]  # each once, in the order asked
    assert fake.rate_limits.hits > 0  # the global limit was met, and waited out
    assert any(c.status == 429 for c in fake.calls_to(SEND_MESSAGE))
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert fake.refused == [] and fake.against_spec == []
