"""The HTML report of an eval run: metrics, plots (matplotlib) and the worst cases with evidence."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from content.schema import DIMENSIONS  # noqa: E402
from evals.grading_suite import BANDS, band_of  # noqa: E402
from evals.schema import BAND_TARGET  # noqa: E402


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _scatter(cases: list[Any]) -> str:
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for i, band in enumerate(BANDS):
        ys = [c.overall for c in cases if c.expected == band]
        ax.scatter([i + 0.08 * ((k % 5) - 2) for k in range(len(ys))], ys, label=band, alpha=0.75)
        ax.hlines(BAND_TARGET[band], i - 0.3, i + 0.3, colors="grey", linestyles="dashed")
    ax.set_xticks(range(len(BANDS)), BANDS)
    ax.set_ylim(0.9, 4.1)
    ax.set_ylabel("overall")
    ax.set_title("Overall score by labelled band (dashes: band targets)")
    return _png(fig)


def _confusion(cases: list[Any]) -> str:
    matrix = [[0] * 3 for _ in range(3)]
    for c in cases:
        matrix[BANDS.index(c.expected)][band_of(c.overall)] += 1
    fig, ax = plt.subplots(figsize=(4, 3.4))
    ax.imshow(matrix, cmap="Blues")
    for i in range(3):
        for j in range(3):
            ax.text(j, i, str(matrix[i][j]), ha="center", va="center")
    ax.set_xticks(range(3), BANDS)
    ax.set_yticks(range(3), BANDS)
    ax.set_xlabel("predicted band")
    ax.set_ylabel("labelled band")
    ax.set_title("Confusion matrix")
    return _png(fig)


def _dimensions(cases: list[Any]) -> str:
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    data = [[c.dimensions.get(d, 1.0) for c in cases] for d in DIMENSIONS]
    ax.boxplot(data)
    ax.set_xticks(range(1, len(DIMENSIONS) + 1), [d.replace("_", "\n") for d in DIMENSIONS])
    ax.set_ylim(0.9, 4.1)
    ax.set_title("Per-dimension score distribution (labelled answers)")
    return _png(fig)


def write_report(run: Any, out_dir: Path, failures: list[str] | None = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Tradeoff eval report</title><style>body{font-family:system-ui,sans-serif;",
        "max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d232b}table{border-collapse:",
        "collapse}td,th{border:1px solid #ccd;padding:.3rem .6rem;text-align:left}",
        ".fail{color:#a01010}img{max-width:100%}</style></head><body>",
        f"<h1>Tradeoff eval report</h1><p>Engine <b>{html.escape(run.engine)}</b>, "
        f"{run.seconds:.1f} s. Prompt hashes: {html.escape(str(run.prompt_hashes or 'none'))}</p>",
    ]
    if failures is not None:
        parts.append("<h2>Baseline gate</h2>")
        parts.append(
            "<p>passed</p>"
            if not failures
            else "<ul class='fail'>"
            + "".join(f"<li>{html.escape(f)}</li>" for f in failures)
            + "</ul>"
        )
    parts.append("<h2>Metrics</h2><table><tr><th>metric</th><th>value</th></tr>")
    parts += [
        f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in sorted(run.metrics.items())
    ]
    parts.append("</table>")
    grading = run.details.get("grading")
    if grading:
        graded = [c for c in grading["cases"] if c.kind == "graded"]
        parts.append("<h2>Grading</h2>")
        for title, img in (
            ("Score vs band", _scatter(graded)),
            ("Confusion matrix", _confusion(graded)),
            ("Per-dimension distributions", _dimensions(graded)),
        ):
            parts.append(
                f"<figure><img alt='{title}' src='data:image/png;base64,{img}'>"
                f"<figcaption>{title}</figcaption></figure>"
            )
        worst = sorted(graded, key=lambda c: -abs(c.overall - BAND_TARGET[c.expected]))[:8]
        worst += [c for c in grading["cases"] if c.kind != "graded" and not c.passed]
        parts.append(
            "<h3>Worst cases</h3><table><tr><th>case</th><th>expected</th>"
            "<th>overall</th><th>flags</th><th>evidence</th></tr>"
        )
        for c in worst:
            evidence = "<br>".join(html.escape(e[:160]) for e in c.evidence[:3])
            parts.append(
                f"<tr><td>{html.escape(c.id)}</td><td>{html.escape(c.expected)}</td>"
                f"<td>{c.overall:.2f}</td><td>{html.escape(', '.join(c.flags))}</td>"
                f"<td>{evidence}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    path = out_dir / "index.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
