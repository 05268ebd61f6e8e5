"""Discord's own OpenAPI description of its HTTP API, as the fake Discord's referee.

Every request the fake receives is matched to the operation whose method and path template it fits, and its
JSON body (or a multipart upload's `payload_json`) is validated against that operation's request schema; every
answer the fake gives is validated against the operation's response schema for its status. A request that
matches no operation, or a body or answer that breaks its schema, is a problem of the fake (`FakeDiscord.check`),
so the test that caused it fails with the rule it broke.

Where discord.py and the spec disagree and Discord is known to accept what discord.py sends, the difference is
allowed by name in `EXCEPTIONS` (printed at the end of every test run), never by skipping validation.
"""

import copy
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from support.shared_data import shared_data

SPEC_URI = "urn:discord-openapi"
SNOWFLAKE = "SnowflakeType"


@dataclass(frozen=True, slots=True)
class Allowance:
    name: str
    why: str


EXCEPTIONS = (
    Allowance(
        "integer snowflakes",
        "the spec's SnowflakeType is a string of digits; discord.py sends ids (message_reference.message_id, "
        "allowed_mentions, application command ids) as JSON integers, which Discord's API accepts",
    ),
)


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    template: str  # the spec's path, e.g. /channels/{channel_id}/messages
    operation_id: str
    pattern: re.Pattern[str]
    pointer: str  # JSON pointer of the operation in the spec


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class DiscordSpec:
    def __init__(self, spec: dict[str, Any]) -> None:
        spec = copy.deepcopy(spec)
        # "integer snowflakes" (see EXCEPTIONS): an id may also be a non-negative JSON integer.
        original = spec["components"]["schemas"][SNOWFLAKE]
        spec["components"]["schemas"][SNOWFLAKE] = {"anyOf": [original, {"type": "integer", "minimum": 0}]}
        self._spec = spec
        resource: Resource[Any] = Resource.from_contents(spec, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._operations: list[Operation] = []
        for template, item in spec["paths"].items():
            regex = re.escape(template)
            regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", regex)
            for method, operation in item.items():
                if method.upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    continue
                self._operations.append(
                    Operation(
                        method.upper(),
                        template,
                        str(operation.get("operationId", "")),
                        re.compile(f"^{regex}$"),
                        f"/paths/{_escape(template)}/{method}",
                    )
                )
        # Literal segments before templated ones: /messages/@original must not be taken for /messages/{id}.
        self._operations.sort(key=lambda op: op.template.count("{"))

    @classmethod
    @functools.cache
    def load(cls) -> "DiscordSpec":
        path = shared_data("discord-api-spec", "openapi.json")
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def operation(self, method: str, path: str) -> Operation | None:
        return next((op for op in self._operations if op.method == method and op.pattern.match(path)), None)

    def _node(self, pointer: str) -> Any:
        node: Any = self._spec
        for token in pointer.strip("/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def _problems(self, pointer: str, instance: Any) -> Iterator[str]:
        validator = Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self._registry)
        errors: list[ValidationError] = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        for error in errors[:5]:
            # A oneOf/anyOf says only "not valid under any"; the deepest error of its branches says why.
            while error.context:
                error = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
            where = "/".join(str(part) for part in error.absolute_path) or "(the body)"
            yield f"{where}: {error.message[:300]} (rule: {error.validator} in {error.json_path})"

    def request_problems(self, operation: Operation, content_type: str, body: Any) -> list[str]:
        request_body = self._node(operation.pointer).get("requestBody")
        if request_body is None:
            return [] if body in (None, b"") else ["a body was sent to an operation that takes none"]
        content = request_body.get("content", {})
        kind = "multipart/form-data" if content_type.startswith("multipart/") else content_type
        if kind not in content:
            return [f"content type {content_type!r} is not one of {sorted(content)}"]
        if body is None:
            return [] if not request_body.get("required") else ["the operation requires a body and none was sent"]
        pointer = f"{operation.pointer}/requestBody/content/{_escape(kind)}/schema"
        return list(self._problems(pointer, body))

    def response_problems(self, operation: Operation, status: int, body: Any) -> list[str]:
        responses = self._node(operation.pointer).get("responses", {})
        key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
        if key not in responses:
            return [f"status {status} is not one the spec lists ({sorted(responses)})"]
        content = responses[key].get("content")
        if not content or "application/json" not in content:
            return []
        pointer = f"{operation.pointer}/responses/{key}/content/application~1json/schema"
        return list(self._problems(pointer, body))
