"""Charts as inline SVG text (matplotlib, imported only when a chart is drawn). Deterministic:
fixed hash salt, no dates in the metadata, text kept as (escaped) text."""
from __future__ import annotations

import io


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "finops-grader", "svg.fonttype": "none", "font.size": 9,
                         "axes.spines.top": False, "axes.spines.right": False})
    return plt, *plt.subplots(figsize=(width, height))


def _svg(plt, fig) -> str:
    buf = io.StringIO()
    fig.tight_layout()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]          # inline: without the XML prolog and DOCTYPE


def waterfall(baseline: float, steps: list[tuple[str, float]], title: str) -> str:
    """Baseline, then each action's saving taken off what is left, then what remains."""
    plt, fig, ax = _figure(7, 3.2)
    labels, bottoms, heights, colours = ["baseline"], [0.0], [baseline], ["#5b7db1"]
    level = baseline
    for name, saving in steps:
        labels.append(name)
        bottoms.append(level - saving if saving >= 0 else level)
        heights.append(abs(saving))
        colours.append("#3c9d5d" if saving >= 0 else "#c0392b")
        level -= saving
    labels.append("after")
    bottoms.append(0.0)
    heights.append(level)
    colours.append("#5b7db1")
    ax.bar(range(len(labels)), heights, bottom=bottoms, color=colours)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_title(title)
    ax.set_ylabel("annual cost")
    return _svg(plt, fig)


def bars(items: list[tuple[str, float]], title: str, xlabel: str, reference: float | None = None) -> str:
    """Horizontal bars, largest first; an optional reference line (e.g. 1.0 = on target)."""
    plt, fig, ax = _figure(7, max(2.0, 0.32 * len(items) + 1))
    names = [n for n, _ in items][::-1]
    values = [v for _, v in items][::-1]
    ax.barh(range(len(items)), values, color="#5b7db1")
    ax.set_yticks(range(len(items)), names)
    if reference is not None:
        ax.axvline(reference, color="#c0392b", linewidth=1)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    return _svg(plt, fig)


def tornado(rows: list[dict], base: float, title: str) -> str:
    """NPV at each driver's low and high multiplier around the base case, widest swing on top."""
    plt, fig, ax = _figure(7, max(2.0, 0.5 * len(rows) + 1))
    for i, row in enumerate(reversed(rows)):
        low, high = row["npv_low"], row["npv_high"]
        ax.barh(i, low - base, left=base, color="#c0392b")
        ax.barh(i, high - base, left=base, color="#3c9d5d")
    ax.set_yticks(range(len(rows)), [r["driver"] for r in reversed(rows)])
    ax.axvline(base, color="black", linewidth=1)
    ax.set_title(title)
    ax.set_xlabel("NPV")
    return _svg(plt, fig)


def histogram(values: list[float], title: str) -> str:
    plt, fig, ax = _figure(5, 2.6)
    ax.hist(values, bins=[i * 10 for i in range(11)], color="#5b7db1", edgecolor="white")
    ax.set_title(title)
    ax.set_xlabel("score (%)")
    ax.set_ylabel("learners")
    return _svg(plt, fig)
