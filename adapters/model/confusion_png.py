"""The confusion matrix of an evaluation as a PNG that reads well in a chat window (matplotlib, Agg)."""

import asyncio
import io

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from domain.training import OUT_OF_SCOPE, OUT_OF_SCOPE_MEANING, EvaluationReport

_LABEL_CHARS = 28


class ConfusionMatrixRenderer:
    """Implements application.ports.model.ReportRenderer.

    The report's matrix is already cropped to the intents that matter (domain.evaluation); `max_labels` crops
    further, keeping the labels with the most errors. Counts are written in the cells; the title says when the
    rows are a selection ("most confused 20 of 77 intents"), and a footnote what `oos` means when it is shown.
    """

    def __init__(self, max_labels: int = 20, dpi: int = 100) -> None:
        self._max_labels = max_labels
        self._dpi = dpi

    async def confusion_png(self, report: EvaluationReport) -> bytes:
        # Drawing takes a few hundred milliseconds: not on the event loop. Figure objects (not pyplot) are
        # independent of each other, so concurrent drawings in threads are safe.
        return await asyncio.to_thread(self.render, report)

    def title(self, report: EvaluationReport) -> str:
        """The picture's title: the figures, and how many of the intents the rows show when not all of them."""
        title = f"{report.method}: accuracy {report.accuracy:.1%}, macro-F1 {report.macro_f1:.1%}"
        shown = min(len(report.labels), self._max_labels)
        total = max(report.intent_count, len(report.labels))
        if shown and shown < total:
            # A reader who counts the rows must not take them for every intent.
            title += f"\nmost confused {shown} of {total} intents"
        return title

    def render(self, report: EvaluationReport) -> bytes:
        labels, matrix = _crop(report.labels, report.confusion, self._max_labels)
        size = max(5.0, 2.5 + 0.42 * len(labels))
        figure = Figure(figsize=(size + 1.0, size), dpi=self._dpi, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.set_title(self.title(report), fontsize=13)
        if OUT_OF_SCOPE in labels:
            figure.supxlabel(f"{OUT_OF_SCOPE} = {OUT_OF_SCOPE_MEANING}", fontsize=11)
        if not labels:
            axes.axis("off")
            axes.text(0.5, 0.5, "Nothing to show: no examples were evaluated.", ha="center", va="center", fontsize=13)
        else:
            _draw(figure, axes, labels, matrix)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()


def _draw(figure: Figure, axes: Axes, labels: list[str], matrix: list[list[int]]) -> None:
    """Right answers (the diagonal) in blue, mistakes in red, so that the mistakes stand out."""
    size = len(labels)
    peak = max((max(row) for row in matrix), default=0) or 1
    right = np.ma.masked_array(matrix, mask=~np.eye(size, dtype=bool))
    wrong = np.ma.masked_array(matrix, mask=np.eye(size, dtype=bool) | (np.asarray(matrix) == 0))
    axes.imshow(np.zeros((size, size)), cmap="Greys", vmin=0, vmax=1)
    axes.imshow(right, cmap="Blues", vmin=0, vmax=peak * 1.2)
    worst = max(int(wrong.max()) if wrong.count() else 0, 1)
    axes.imshow(wrong, cmap="Reds", vmin=0, vmax=worst * 1.3)
    shown = [_shorten(label) for label in labels]
    font = 11 if size <= 12 else 9
    axes.set_xticks(range(size), shown, rotation=50, ha="right", rotation_mode="anchor", fontsize=font)
    axes.set_yticks(range(size), shown, fontsize=font)
    axes.set_xlabel("predicted", fontsize=12)
    axes.set_ylabel("true intent", fontsize=12)
    for row, counts in enumerate(matrix):
        for column, count in enumerate(counts):
            if count:
                axes.text(column, row, str(count), ha="center", va="center", color="black", fontsize=font)


def _shorten(label: str) -> str:
    """Long intent names often share their start: keep both ends."""
    if len(label) <= _LABEL_CHARS:
        return label
    head = (_LABEL_CHARS - 1) // 2
    return label[:head] + "…" + label[-(_LABEL_CHARS - 1 - head) :]


def _crop(
    labels: tuple[str, ...], confusion: tuple[tuple[int, ...], ...], limit: int
) -> tuple[list[str], list[list[int]]]:
    """Keep at most `limit` labels: those with the most errors (off-diagonal counts in their row and column)."""
    if len(labels) <= limit:
        return list(labels), [list(row) for row in confusion]
    errors = [
        sum(confusion[i]) - confusion[i][i] + sum(row[i] for row in confusion) - confusion[i][i]
        for i in range(len(labels))
    ]
    keep = sorted(sorted(range(len(labels)), key=lambda i: (-errors[i], labels[i]))[:limit])
    return [labels[i] for i in keep], [[confusion[i][j] for j in keep] for i in keep]
