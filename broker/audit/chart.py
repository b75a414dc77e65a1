"""A small line chart as SVG coordinates, drawn on the server (no script needed)."""

from dataclasses import dataclass
from datetime import date

COLOURS = ["#1d4ed8", "#b45309", "#047857", "#be123c", "#6d28d9", "#0e7490", "#4d7c0f",
           "#a21caf"]
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 260, 40, 30, 10


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    points: str
    total: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[Line]
    y_max: int
    x_labels: list[tuple[float, str]]
    y_labels: list[tuple[float, int]]
    plot_left: int
    plot_bottom: float


def line_chart(days: list[date], series: dict[str, list[int]]) -> Chart:
    y_max = max([1, *(max(values) for values in series.values() if values)])
    span = max(1, len(days) - 1)
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP

    def x(i: int) -> float:
        return round(LEFT + plot_w * i / span, 1)

    def y(v: int) -> float:
        return round(TOP + plot_h * (1 - v / y_max), 1)

    lines = [Line(label, COLOURS[n % len(COLOURS)],
                  " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values)), sum(values))
             for n, (label, values) in enumerate(series.items())]
    step = max(1, len(days) // 6)
    x_labels = [(x(i), d.strftime("%d-%m")) for i, d in enumerate(days) if i % step == 0]
    y_labels = [(y(v), v) for v in sorted({0, y_max // 2, y_max})]
    return Chart(WIDTH, HEIGHT, lines, y_max, x_labels, y_labels, LEFT, TOP + plot_h)
