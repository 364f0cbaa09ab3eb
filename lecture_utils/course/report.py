"""The class report: what a class got right and wrong, as one self-contained HTML page.

Per exercise and output: how many passed its visible and its hidden cases, and the checkers' hints
that fired most (the class's common mistakes, so the next lecture can address them); which
submissions tampered, timed out or were no notebook; one histogram of the total scores.
The page works offline (the plot is an inline PNG with alt text), uses 16 px text, and
its table is a real table with a caption and header cells.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections import Counter
from pathlib import Path

TOP_HINTS = 3
NOT_A_MISTAKE = ("this exercise is not implemented yet", "timed out after", "not graded:")   # listed after the hints


def mistake_of(message: str) -> str:
    """A failure message without what varies from case to case, so that equal mistakes count together.

    "Likely mistake: <hint>" keeps the hint alone, with its own numbers ("the mask is 1 where a shows",
    "the 1/N"), only shapes and a padding made "…"; elsewhere shapes and numbers become "…".
    """
    if "Likely mistake:" in message:
        hint = message.split("Likely mistake:", 1)[1]
        hint = re.sub(r"\((?:\s*\d+\s*,?)+\)", "(…)", hint)
        return " ".join(re.sub(r"\bpadding \d+", "padding …", hint).split())
    message = re.sub(r"\((?:\s*\d+\s*,?)+\)", "(…)", message)
    message = re.sub(r"\b\d+x\d+\b", "…", message)                   # "so X is 5x5"
    message = re.sub(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w])", "…", message)
    return " ".join(message.split())


def class_summary(results: list, config: dict) -> list:
    """[{question, part, passed: {group: n}, total, graded: {group: bool}, hints: [(hint, students)]}] over
    the class, one row per
    output of each exercise; a hint counts each student once, whether it fired on visible or hidden cases.

    The checkers' hints (the mistakes) come first, most frequent first; then answers not written, timed
    out or not graded. Tampering is left out here: the page lists those students above the table.
    """
    from .grading import GROUPS, question_parts
    rows = []
    for q in config["questions"]:
        for part in dict.fromkeys(name for _, name, _ in question_parts(q)):
            passed, cases, hints = {g: 0 for g in GROUPS}, {g: 0 for g in GROUPS}, Counter()
            for r in results:
                mine = [p for rq in r["questions"] if rq["question"] == q["function"]
                        for p in rq["parts"] if p["part"] == part]
                for p in mine:
                    passed[p["group"]] += not p["message"]
                    cases[p["group"]] += 1
                hints.update({mistake_of(p["message"]) for p in mine
                              if p["message"] and not p["message"].startswith("tampering")})
            ranked = sorted(hints.items(), key=lambda hn: (hn[0].startswith(NOT_A_MISTAKE), -hn[1]))
            rows.append({"question": q["function"], "part": part, "passed": passed, "total": len(results),
                         "graded": {g: n > 0 for g, n in cases.items()}, "hints": ranked[:TOP_HINTS]})
    return rows


def score_histogram_png(scores, max_score: float) -> bytes:
    """PNG of the distribution of total scores (one bar per point, readable at 640 px wide)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(6.4, 3.2), dpi=150)
    edges = np.arange(0, max_score + 2) - 0.5
    ax.hist(scores, bins=edges, color="#0072B2", edgecolor="white")
    rounded = ", rounded to the point" if any(s != round(s) for s in scores) else ""
    ax.set_xlabel(f"total score (of {max_score:g} points{rounded})", fontsize=11)
    ax.set_ylabel("students", fontsize=11)
    ax.set_xlim(-0.5, max_score + 0.5)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(labelsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def report_html(results: list, config: dict) -> str:
    """The report page as a string."""
    scores = [r["score"] for r in results]
    max_score = sum(q["points"] for q in config["questions"])
    summary = class_summary(results, config)
    png = base64.b64encode(score_histogram_png(scores, max_score)).decode()
    median = sorted(scores)[len(scores) // 2] if scores else 0
    full = sum(s == max_score for s in scores)
    alt = (f"Histogram of the total scores of {len(scores)} submissions out of {max_score:g} points: "
           f"median {median:g}, {full} with full marks, {sum(s == 0 for s in scores)} with zero.")
    body = []
    for row in summary:
        hints = "".join(f"<li>{html.escape(h)} <span class=n>({n})</span></li>" for h, n in row["hints"])
        rates = "".join(f"<td class=num>{n}/{row['total']} ({100 * n / max(1, row['total']):.0f} %)</td>"
                        if row["graded"][g] else "<td>no cases of this kind</td>"   # not a 0 % pass rate
                        for g, n in row["passed"].items())
        body.append(f"<tr><th scope=row><code>{html.escape(row['question'])}</code></th>"
                    f"<td>{html.escape(row['part']) or 'all'}</td>{rates}"
                    f"<td>{'<ul>' + hints + '</ul>' if hints else 'none'}</td></tr>")
    flagged = {
        "Tampering (0 for what it touched)": [r["student"] for r in results if r.get("tampering")],
        "An answer timed out": [r["student"] for r in results
                                if any("timed out" in (p["message"] or "") for q in r["questions"] for p in q["parts"])],
        "Not a readable notebook": [r["student"] for r in results
                                    if any("not a readable Jupyter notebook" in n for n in r["notes"])],
    }
    flags = "".join(f"<li>{what}: {len(names)}{': ' + html.escape(', '.join(names[:30])) if names else ''}"
                    f"{' …' if len(names) > 30 else ''}</li>" for what, names in flagged.items())
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Class report: {html.escape(config['notebook'])}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; color: #111; }}
table {{ border-collapse: collapse; width: 100%; }} caption {{ text-align: left; font-weight: bold; padding: .5rem 0; }}
th, td {{ border: 1px solid #999; padding: .4rem .6rem; vertical-align: top; text-align: left; }}
td.num {{ white-space: nowrap; }} ul {{ margin: 0; padding-left: 1.2rem; }} .n {{ color: #333; }}
img {{ max-width: 100%; height: auto; }}
</style></head>
<body>
<main>
<h1>Class report: {html.escape(config['notebook'])}</h1>
<p>{len(results)} submissions graded; median total {median:g} of {max_score:g} points; {full} with full marks.</p>
<ul>{flags}</ul>
<h2>Distribution of total scores</h2>
<img src="data:image/png;base64,{png}" width="640" height="320" alt="{html.escape(alt)}">
<h2>Each exercise, output by output</h2>
<table>
<caption>Pass rate on the visible and the hidden test cases, and the hints that fired most (the class's
common mistakes, with how many students got each)</caption>
<thead><tr><th scope=col>exercise</th><th scope=col>output</th><th scope=col>passed, visible cases</th>
<th scope=col>passed, hidden cases</th><th scope=col>most frequent hints</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
</main>
</body></html>
"""


def write_report(results: list, config: dict, path) -> Path:
    path = Path(path)
    path.write_text(report_html(results, config), encoding="utf-8")
    return path
