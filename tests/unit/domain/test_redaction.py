"""Credentials inside URLs are masked wherever a URL is shown: config, replies, logs."""

import pytest

from domain.redaction import mask_url, mask_urls_deep, mask_urls_in
from tests import secrets

KEY = secrets.OPENAI_API_KEY


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"https://admin:{KEY}@api.example.com:8443/v1", "https://***@api.example.com:8443/v1"),
        (f"http://{KEY}@127.0.0.1:9/v1", "http://***@127.0.0.1:9/v1"),
        (
            f"https://speech.example.com/v1/recognize?key={KEY}&lang=en",
            "https://speech.example.com/v1/recognize?key=***&lang=en",
        ),
        (
            f"https://h.example/p?Token={KEY}&api_key={KEY}&apikey={KEY}&access_token={KEY}&sig={KEY}&x=1",
            "https://h.example/p?Token=***&api_key=***&apikey=***&access_token=***&sig=***&x=1",
        ),
        (f"https://h.example/cb#access_token={KEY}&state=1", "https://h.example/cb#access_token=***&state=1"),
        (f"https://u:{KEY}@[::1]:80/?password={KEY}", "https://***@[::1]:80/?password=***"),
        ("http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1"),
        ("https://discord.com/api/v10?limit=5", "https://discord.com/api/v10?limit=5"),
    ],
)
def test_a_url_keeps_its_place_but_loses_its_credentials(url: str, shown: str) -> None:
    assert mask_url(url) == shown
    assert mask_urls_in(f"calling {url} now") == f"calling {shown} now"


def test_credentials_in_free_text_are_masked_even_without_a_scheme() -> None:
    text = f"The language model server at admin:{KEY}@127.0.0.1:9 could not be reached."
    assert mask_urls_in(text) == "The language model server at ***@127.0.0.1:9 could not be reached."
    assert mask_urls_in("write to bob@example.com, key=value") == "write to bob@example.com, key=value"


def test_nested_values_are_masked_and_other_values_kept() -> None:
    document = {"a": [f"wss://u:{KEY}@gw.example/"], "b": {"c": f"http://h/?key={KEY}"}, "n": 3, "none": None}
    assert mask_urls_deep(document) == {
        "a": ["wss://***@gw.example/"],
        "b": {"c": "http://h/?key=***"},
        "n": 3,
        "none": None,
    }
