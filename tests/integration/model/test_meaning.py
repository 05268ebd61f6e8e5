"""Grouping by meaning with the model's own sentence encoders (real MiniLM and e5, nothing faked)."""

import pytest

from adapters.model.meaning import EncoderSimilarity, meaning_similarity
from application.ports.model import MeaningSimilarity


@pytest.mark.parametrize("encoder", ["minilm", "e5", "use", "minilm+use"])
async def test_the_encoders_meaning_similarity_tells_rewordings_from_other_questions(encoder: str) -> None:
    meaning = EncoderSimilarity(encoder)
    assert isinstance(meaning, MeaningSimilarity)
    texts = ["what's the weather today?", "what is the weather tomorrow", "where do you live", "can I bring my dog"]
    scores = await meaning.pairwise(texts)
    assert scores[0][0] == pytest.approx(1.0, abs=1e-4)
    assert scores[0][1] >= meaning.same_meaning  # one question, reworded
    assert max(scores[0][2], scores[1][2], scores[2][3], scores[0][3]) < meaning.same_meaning
    again = await meaning.pairwise(texts[1::-1])  # remembered vectors, in the order asked
    assert [again[0][1], again[1][0]] == pytest.approx([scores[0][1], scores[1][0]], abs=1e-5)
    assert await meaning.pairwise([]) == []
    assert meaning_similarity("tfidf", encoder) is None and meaning_similarity("hybrid", encoder) is not None


@pytest.mark.parametrize("encoder", ["minilm", "e5"])
async def test_the_encoders_groups_follow_the_first_alike_lead(encoder: str) -> None:
    meaning = EncoderSimilarity(encoder)
    texts = ["what's the weather today?", "where do you live", "what is the weather tomorrow", "can I bring my dog"]
    assert await meaning.leads(texts) == [0, 1, 0, 3]
    assert await meaning.leads(texts[1:]) == [0, 1, 2]  # "tomorrow" leads, since "today" is not asked
    assert await meaning.leads([]) == []
