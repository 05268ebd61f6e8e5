import io

import matplotlib.image
import pytest
from PIL import Image

from adapters.model.confusion_png import ConfusionMatrixRenderer
from application.ports.model import ReportRenderer
from domain.evaluation import evaluate_predictions
from domain.training import EvaluationReport


def many_intents_report() -> EvaluationReport:
    truths = [f"a_rather_long_intent_name_number_{i}" for i in range(40) for _ in range(5)]
    predicted = list(truths)
    for i in range(0, len(predicted), 7):
        predicted[i] = truths[(i + 5) % len(truths)]
    return evaluate_predictions(truths, predicted, [0.9] * len(truths), "5-fold cross-validation")


def open_png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


async def test_a_cropped_matrix_is_a_readable_png() -> None:
    renderer = ConfusionMatrixRenderer()
    assert isinstance(renderer, ReportRenderer)
    report = many_intents_report()
    assert 0 < len(report.labels) <= 20
    image = open_png(await renderer.confusion_png(report))
    assert image.format == "PNG"
    assert 600 <= image.width <= 2000 and 500 <= image.height <= 2000
    assert matplotlib.image.imread(io.BytesIO(await renderer.confusion_png(report)), format="png").ndim == 3


@pytest.mark.parametrize("labels", [0, 2, 30])
def test_small_empty_and_uncropped_reports_render(labels: int) -> None:
    names = [f"intent{i}" for i in range(labels)]
    report = EvaluationReport(
        accuracy=0.5,
        macro_f1=0.5,
        example_count=labels,
        method="test data",
        labels=tuple(names),
        confusion=tuple(tuple(int(i == j) * 3 + int(j == i + 1) for j in range(labels)) for i in range(labels)),
    )
    image = open_png(ConfusionMatrixRenderer(max_labels=12).render(report))
    assert 400 <= image.width <= 2000 and 400 <= image.height <= 2000


def test_the_title_says_when_the_matrix_shows_a_selection_of_the_intents() -> None:
    truths = [f"intent_{i}" for i in range(77) for _ in range(3)]
    predicted = [truths[(i + 3) % len(truths)] if i % 4 == 0 else label for i, label in enumerate(truths)]
    report = evaluate_predictions(truths, predicted, [0.9] * len(truths), "test data")
    renderer = ConfusionMatrixRenderer(max_labels=20)
    assert renderer.title(report).endswith("\nmost confused 20 of 77 intents")
    small = evaluate_predictions(["a", "b"], ["a", "a"], [0.9, 0.9], "test data")
    assert "most confused" not in renderer.title(small)
    assert open_png(renderer.render(report)).height >= 500
