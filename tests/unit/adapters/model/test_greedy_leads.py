"""The encoder's grouping, block by block, gives the groups of the plain rule over the whole score matrix."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from adapters.model.meaning import greedy_leads


def plainly(vectors: np.ndarray, line: float) -> list[int]:
    """The rule as the inbox first wrote it: every score, then each vector against each lead in order."""
    scores = (vectors @ vectors.T).tolist()
    groups: list[list[int]] = []
    for index in range(len(vectors)):
        for group in groups:
            if scores[group[0]][index] >= line:
                group.append(index)
                break
        else:
            groups.append([index])
    leads = [0] * len(vectors)
    for group in groups:
        for index in group:
            leads[index] = group[0]
    return leads


# Small whole numbers: every dot product is exact, whatever order a matrix product sums in.
vectors = st.integers(min_value=0, max_value=40).flatmap(
    lambda rows: arrays(np.float32, (rows, 4), elements=st.integers(min_value=-2, max_value=2).map(float))
)


@settings(max_examples=300, deadline=None)
@given(vectors, st.sampled_from([-1.0, 0.0, 1.0, 2.0, 3.0, 4.5, 20.0]), st.sampled_from([1, 2, 3, 7, 512]))
def test_greedy_leads_match_the_plain_rule(vectors: np.ndarray, line: float, block: int) -> None:
    assert greedy_leads(vectors, line, block=block) == plainly(vectors, line)
