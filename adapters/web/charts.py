"""Small inline SVG pictures: no script, no image files, readable by a screen reader through their titles."""

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, PAD = 560, 200, 48


def accuracy_chart(points: Sequence[tuple[str, float]]) -> str:
    """A line of accuracy (0..1) across model versions, labelled by version."""
    if not points:
        return ""
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / max(1, len(points) - 1)

    def x(index: int) -> float:
        return PAD + (index * step if len(points) > 1 else inner_w / 2)

    def y(value: float) -> float:
        return PAD + inner_h * (1 - max(0.0, min(1.0, value)))

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title" '
        'xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Accuracy by model version: '
        + escape(", ".join(f"version {label} {value:.0%}" for label, value in points))
        + "</title>",
    ]
    for tick in (0.0, 0.5, 1.0):
        parts.append(
            f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" class="grid"/>'
            f'<text x="{PAD - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.0%}</text>'
        )
    line = " ".join(f"{x(i):.1f},{y(value):.1f}" for i, (_, value) in enumerate(points))
    parts.append(f'<polyline points="{line}" class="line"/>')
    for index, (label, value) in enumerate(points):
        parts.append(
            f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="4" class="dot"/>'
            f'<text x="{x(index):.1f}" y="{y(value) - 9:.1f}" text-anchor="middle">{value:.0%}</text>'
            f'<text x="{x(index):.1f}" y="{HEIGHT - 10}" text-anchor="middle">v{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
