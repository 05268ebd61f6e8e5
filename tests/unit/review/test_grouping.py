"""The inbox's grouping by words gives exactly the groups of the plain rule: each message against each lead."""

from hypothesis import given, settings
from hypothesis import strategies as st

from application.learning.text_matching import similarity
from application.review.grouping import group_leads

# Few words, so that texts share many; punctuation and case that normalising folds; texts with no word at all.
WORDS = ["what", "is", "the", "weather", "today", "where", "do", "you", "live", "Weather", "THE", "ßtraße"]
SEPARATORS = [" ", "  ", ", ", "? ", "!", "-", "\t"]


def plainly(texts: list[str], similar: float) -> list[int]:
    """The rule as the inbox first wrote it: in order, join the first group whose lead is alike, or open one."""
    groups: list[list[int]] = []
    for index in range(len(texts)):
        for group in groups:
            if similarity(texts[group[0]], texts[index]) >= similar:
                group.append(index)
                break
        else:
            groups.append([index])
    leads = [0] * len(texts)
    for group in groups:
        for index in group:
            leads[index] = group[0]
    return leads


text = st.builds(
    lambda words, separators: "".join(w + s for w, s in zip(words, separators, strict=False)),
    st.lists(st.sampled_from(WORDS), max_size=7),
    st.lists(st.sampled_from(SEPARATORS), min_size=7, max_size=7),
) | st.sampled_from(["", "?!", "  ", "...", "what", "WHAT?"])
threshold = st.sampled_from([0.5, 1 / 3, 0.7, 0.25, 0.6, 2 / 3, 0.75, 0.8, 1.0, 0.0, -1.0, 1.5, float("nan")]) | (
    st.floats(min_value=0.01, max_value=1.0)
)


@settings(max_examples=400, deadline=None)
@given(st.lists(text, max_size=60), threshold)
def test_grouping_by_words_matches_the_plain_rule(texts: list[str], similar: float) -> None:
    assert group_leads(texts, similar) == plainly(texts, similar)


def test_grouping_by_words_on_inbox_like_messages() -> None:
    texts = ["what is the weather today", "", "where do you live", "what is the weather", "?!", "where you live"]
    assert group_leads(texts, 0.5) == [0, 1, 2, 0, 1, 2]
    assert group_leads(texts, 0.9) == [0, 1, 2, 3, 1, 5]
    assert group_leads(texts, 1.5) == [0, 1, 2, 3, 4, 5]  # nothing is that alike, not even two empty texts
    assert group_leads([], 0.5) == []
