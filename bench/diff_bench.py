"""Time the word diff and the redline on a long statement with scattered edits.

Run from the repository root: ``python -m bench.diff_bench [--words N] [--edits N] [--runs N]``
(or ``python bench/diff_bench.py``). Prints one line per measurement; the target comes from
the drafting pages, which compute a redline per request. The suite (``python -m bench``)
reports the same diff and redline figures and builds its long statement with these functions.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coalition.domain.revisions import diff_stats, redline_html, word_diff  # noqa: E402

TARGET_MS = 150.0


def make_words(count: int, seed: int) -> list[str]:
    """A deterministic list of pseudo-words drawn from a fixed vocabulary."""
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 10)))
        for _ in range(4000)
    ]
    return [rng.choice(vocabulary) for _ in range(count)]


def lay_out(words: list[str], seed: int) -> list[tuple[str, str]]:
    """Give each word what follows it: sentences, commas, paragraphs of 40-120 words."""
    rng = random.Random(seed)
    laid_out: list[tuple[str, str]] = []
    until_paragraph = rng.randint(40, 120)
    for position, word in enumerate(words):
        until_paragraph -= 1
        if position == len(words) - 1:
            after = ".\n"
        elif until_paragraph == 0:
            after = ".\n\n"
            until_paragraph = rng.randint(40, 120)
        elif rng.random() < 0.07:
            after = ". "
        elif rng.random() < 0.08:
            after = ", "
        else:
            after = " "
        laid_out.append((word, after))
    return laid_out


def edit(laid_out: list[tuple[str, str]], edits: int, seed: int) -> list[tuple[str, str]]:
    """Apply scattered single-word replacements, insertions and deletions."""
    rng = random.Random(seed)
    edited = list(laid_out)
    for position in sorted(rng.sample(range(len(laid_out)), edits), reverse=True):
        word, after = edited[position]
        kind = rng.choice(("replace", "insert", "delete"))
        if kind == "insert":
            edited.insert(position, ("inserted", " "))
        elif kind == "delete" and after == " ":
            del edited[position]
        else:
            edited[position] = (word.upper() + "q", after)
    return edited


def text(laid_out: list[tuple[str, str]]) -> str:
    """The Markdown text of laid-out words."""
    return "".join(word + after for word, after in laid_out)


def measure(function: Callable[[], object], runs: int) -> tuple[float, float]:
    """Best and median wall time of a call, in milliseconds."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return min(timings), statistics.median(timings)


def main() -> None:
    """Build the texts, time word_diff, redline_html and diff_stats, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    arguments = parser.parse_args()

    laid_out = lay_out(make_words(arguments.words, seed=1), seed=2)
    old = text(laid_out)
    new = text(edit(laid_out, arguments.edits, seed=3))

    print(
        f"{datetime.date.today().isoformat()}, Python {platform.python_version()}, "
        f"os.cpu_count()={os.cpu_count()}, {len(old):,} characters, "
        f"{old.count(chr(10) * 2) + 1} paragraphs, best/median of {arguments.runs} runs"
    )
    stats = diff_stats(old, new)
    ops = word_diff(old, new)
    print(
        f"result: {sum(1 for op, _ in ops if op)} edit operations, {stats.insertions} "
        f"insertions, {stats.deletions} deletions, {stats.changed_paragraphs} changed paragraphs"
    )
    label = f"{arguments.words} words {arguments.edits} edits"
    for name, function in (
        ("diff", lambda: word_diff(old, new)),
        ("redline", lambda: redline_html(old, new)),
        ("stats", lambda: diff_stats(old, new)),
    ):
        best, median = measure(function, arguments.runs)
        print(
            f"{name} {label}: median {median:.1f} ms, best {best:.1f} ms "
            f"(target < {TARGET_MS:.0f} ms)"
        )
    unrelated = text(lay_out(make_words(arguments.words, seed=4), seed=5))
    best, median = measure(lambda: word_diff(old, unrelated), 3)
    print(f"diff {label} against an unrelated text: median {median:.1f} ms, best {best:.1f} ms")


if __name__ == "__main__":
    main()
