"""Revision texts: the signed hash, the word-level diff and the redline HTML.

The diff uses diff-match-patch (dmp) on tokens instead of characters: each
text is cut into words, whitespace runs and single punctuation marks, every
distinct token is given one code point, and the two strings of code points
are diffed (dmp's linesToChars trick applied to words), then cleaned up with
diff_cleanupSemantic at the token level. Edits therefore never split a word.

To stay fast on long texts (dmp's bisection is O(length x differences) in
pure Python) the diff runs in passes, as dmp's line mode and git's patience
diff do: first on "units" (a line with the whitespace run that ends it), then
word by word only inside the units that changed, trimming shared ends before
tokenising. In both passes, long stretches are first anchored on items that
occur exactly once in each text (patience), and dmp only diffs the gaps. A
20,000-word text with 200 scattered edits takes about 35-60 ms on two cores
(bench/diff_bench.py); 3,000 edits about 300 ms.

Limits: one code point per distinct token means at most about 1.1 million
distinct tokens (or units) per diff. When a text has more, the rest of it
becomes a single token, as dmp's linesToChars does: the diff stays correct
(old and new can be rebuilt from it) but is coarse from that point on. A body
is at most 200,000 characters, far below the limit. A diff stops refining
after DIFF_TIMEOUT_SECONDS and reports what is left of a gap as one deletion
and one insertion, so two unrelated huge texts cannot hold a request.
"""

from __future__ import annotations

import bisect
import hashlib
import html
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from coalition.domain.rendering import normalise_text, sanitise_html

__all__ = [
    "DIFF_TIMEOUT_SECONDS",
    "DiffStats",
    "diff_stats",
    "is_whitespace_only_change",
    "redline_html",
    "text_sha256",
    "word_diff",
]

DELETE, EQUAL, INSERT = -1, 0, 1

# A bound on the whole diff, not on each pass. With 0 dmp would search for
# the minimal diff without limit (exact, but quadratic on unrelated texts);
# measured results on realistic edits are identical with and without it.
DIFF_TIMEOUT_SECONDS = 1.0

# How many times the patience pass looks again for unique items inside the
# gaps between anchors before leaving a gap to dmp.
_ANCHOR_DEPTH = 8
# Below this many items (old and new together) dmp alone is fast and exact.
_DIRECT_DIFF_ITEMS = 400

# Highest code point a token may be mapped to. Module-level so tests can
# lower it to exercise the overflow path.
_CODE_LIMIT = 0x10FFFF

# Characters that are part of a word: anything but whitespace, ASCII
# punctuation and symbols, Latin-1 punctuation, general punctuation, CJK
# punctuation and ideographs/kana (CJK has no spaces, so each ideograph is
# its own token), and fullwidth punctuation. Combining marks and Indic vowel
# signs are not \w in Python, hence a negated class rather than \w.
_WORD_CHAR = (
    r"[^\s\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f\u00a1-\u00bf\u00d7\u00f7"
    r"\u2000-\u206f\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    r"\ufe30-\ufe4f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]"
)
# A word (with inner apostrophes: "don't", "l’État"), a whitespace run, or
# any other single character.
_TOKEN = re.compile(rf"{_WORD_CHAR}+(?:['\u2019]{_WORD_CHAR}+)*|\s+|.", re.DOTALL)
_TOKEN_IS_WORD = re.compile(_WORD_CHAR)
_VISIBLE_TOKEN = re.compile(rf"{_WORD_CHAR}+(?:['\u2019]{_WORD_CHAR}+)*|\S", re.DOTALL)
# A line with the whole whitespace run that ends it, so a whitespace token
# never straddles two units.
_UNIT = re.compile(r"[^\n]*\n\s*|[^\n]+")
# A paragraph break: a whitespace run holding a blank line.
_SEPARATOR = re.compile(r"[^\S\n]*\n[^\S\n]*\n\s*")
_LEADING_SEPARATOR = re.compile(r"\s*\n[^\S\n]*\n\s*")
_TRAILING_SEPARATOR = re.compile(r"\s*\n[^\S\n]*\n\s*\Z")

_PILCROW = "\u00b6"


@dataclass(frozen=True)
class DiffStats:
    """Size of a change: words and punctuation marks inserted and deleted, paragraphs touched."""

    insertions: int
    deletions: int
    changed_paragraphs: int


def text_sha256(title: str, body: str) -> str:
    """Hex SHA-256 of UTF-8 ``title + "\\n\\n" + body``, hashing exactly what it is given.

    DESIGN "Signature integrity": callers pass the trimmed title and the body
    with \\n line endings, as stored; this function does not normalise.
    """
    return hashlib.sha256((title + "\n\n" + body).encode("utf-8")).hexdigest()


def _encode(old: Sequence[str], new: Sequence[str]) -> tuple[str, str, list[str]]:
    """Map each distinct item to one character; return both strings and the decoding table."""
    # Fast path: one dict lookup per item in C. Codes start at 1, as in dmp.
    index: dict[str, int] = {}
    old_codes = [index.setdefault(item, len(index) + 1) for item in old]
    old_distinct = len(index)
    new_codes = [index.setdefault(item, len(index) + 1) for item in new]
    if old_distinct <= _CODE_LIMIT * 2 // 3 and len(index) <= _CODE_LIMIT:
        table = ["", *index]
        return "".join(map(chr, old_codes)), "".join(map(chr, new_codes)), table
    return _encode_bounded(old, new)


def _encode_bounded(old: Sequence[str], new: Sequence[str]) -> tuple[str, str, list[str]]:
    """Like _encode, but when code points run out the rest of a text becomes one item."""
    table: list[str] = [""]
    index: dict[str, int] = {}

    def munge(items: Sequence[str], limit: int) -> str:
        codes: list[int] = []
        for position, item in enumerate(items):
            code = index.get(item)
            if code is None:
                if len(table) >= limit:
                    item = "".join(items[position:])
                    code = index.get(item)
                    if code is None:
                        code = len(table)
                        table.append(item)
                        index[item] = code
                    codes.append(code)
                    break
                code = len(table)
                table.append(item)
                index[item] = code
            codes.append(code)
        return "".join(map(chr, codes))

    # As dmp does, leave a third of the range to the new text's own items.
    encoded_old = munge(old, _CODE_LIMIT * 2 // 3)
    encoded_new = munge(new, _CODE_LIMIT)
    return encoded_old, encoded_new, table


def _decode(diffs: Iterable[tuple[int, str]], table: Sequence[str]) -> list[tuple[int, str]]:
    """Turn diffs over encoded characters back into diffs over text."""
    return [(op, "".join([table[ord(char)] for char in chars])) for op, chars in diffs]


def _merge(diffs: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join neighbouring operations of one kind, deletions before insertions, no empty ones."""
    merged: list[tuple[int, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            merged.append((DELETE, "".join(deleted)))
            deleted.clear()
        if inserted:
            merged.append((INSERT, "".join(inserted)))
            inserted.clear()

    for op, text in diffs:
        if not text:
            continue
        if op == DELETE:
            deleted.append(text)
        elif op == INSERT:
            inserted.append(text)
        else:
            flush()
            if merged and merged[-1][0] == EQUAL:
                merged[-1] = (EQUAL, merged[-1][1] + text)
            else:
                merged.append((EQUAL, text))
    flush()
    return merged


def _token_boundary_prefix(old: str, new: str, matcher: diff_match_patch) -> int:
    """Length of a common prefix of both texts that ends on a token boundary in both."""
    cut = matcher.diff_commonPrefix(old, new) - 1
    # A whitespace character followed by a non-whitespace one ends a token;
    # both characters must lie inside the common prefix.
    while cut > 0 and not (old[cut - 1].isspace() and not old[cut].isspace()):
        cut -= 1
    return max(cut, 0)


def _token_boundary_suffix(old: str, new: str, matcher: diff_match_patch) -> int:
    """Length of a common suffix of both texts that starts on a token boundary in both."""
    common = matcher.diff_commonSuffix(old, new)
    cut = len(old) - common + 1
    while cut < len(old) and not (old[cut - 1].isspace() and not old[cut].isspace()):
        cut += 1
    return len(old) - cut if cut < len(old) else 0


def _token_diff(
    old: str, new: str, matcher: diff_match_patch, deadline: float
) -> list[tuple[int, str]]:
    """Word-level diff of two texts, cleaned up for people at token boundaries."""
    # Tokenising is the costly part: leave out what both texts share at
    # their ends, cutting only where a token boundary lies in both.
    prefix = _token_boundary_prefix(old, new, matcher)
    suffix = _token_boundary_suffix(old[prefix:], new[prefix:], matcher)
    middle_old = old[prefix : len(old) - suffix]
    middle_new = new[prefix : len(new) - suffix]
    encoded_old, encoded_new, table = _encode(
        _TOKEN.findall(middle_old), _TOKEN.findall(middle_new)
    )
    diffs = _anchored_diff(encoded_old, encoded_new, matcher, deadline)
    # Cleaning up on the encoded strings, before decoding, measures
    # equalities in tokens and keeps every edit boundary on a token boundary.
    matcher.diff_cleanupSemantic(diffs)
    return [(EQUAL, old[:prefix]), *_decode(diffs, table), (EQUAL, old[len(old) - suffix :])]


def _boundary_score(left: str | None, right: str | None) -> int:
    """How natural a place for an edit to start or end lies between two tokens (dmp's scale)."""
    if left is None or right is None:
        return 6
    if _SEPARATOR.search(left) or _SEPARATOR.search(right):
        return 5
    if "\n" in left or "\n" in right:
        return 4
    if left in ".!?;:" and right.isspace():
        return 3
    if left.isspace() or right.isspace():
        return 2
    return 1 if _TOKEN_IS_WORD.match(left) is None or _TOKEN_IS_WORD.match(right) is None else 0


def _align_edits(diffs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Slide each lone edit between two equalities to the most natural token boundary.

    dmp's diff_cleanupSemanticLossless does this on characters, but on the
    encoded tokens its scores mean nothing; this is the same idea, moving
    whole tokens and scoring the places by their text (prefer blank lines,
    then line breaks, sentence ends, spaces). The texts described stay the
    same: "the <ins>big </ins>big cat" may become "the big <ins>big </ins>cat".
    """
    aligned = list(diffs)
    for position in range(1, len(aligned) - 1):
        (before_op, before), (op, edit), (after_op, after) = aligned[position - 1 : position + 2]
        if before_op != EQUAL or after_op != EQUAL or op == EQUAL:
            continue
        # Only a stretch as long as the edit can take part in a slide; the
        # first (possibly cut) token of each window is left out.
        reach = len(edit) + 32
        left = _TOKEN.findall(before[-reach:])
        if len(before) > reach:
            left = left[1:]
        right = _TOKEN.findall(after[:reach])
        if len(after) > reach:
            right = right[:-1]
        middle = _TOKEN.findall(edit)
        kept_before = before[: len(before) - sum(map(len, left))]
        kept_after = after[sum(map(len, right)) :]
        while left and left[-1] == middle[-1]:
            right.insert(0, middle.pop())
            middle.insert(0, left.pop())
        best: tuple[list[str], list[str], list[str]] = (left, middle, right)
        best_score = -1
        while True:
            score = _boundary_score(
                left[-1] if left else (kept_before[-1:] or None), middle[0]
            ) + _boundary_score(middle[-1], right[0] if right else (kept_after[:1] or None))
            if score >= best_score:
                best, best_score = (list(left), list(middle), list(right)), score
            if not right or right[0] != middle[0]:
                break
            left.append(middle.pop(0))
            middle.append(right.pop(0))
        aligned[position - 1 : position + 2] = [
            (EQUAL, kept_before + "".join(best[0])),
            (op, "".join(best[1])),
            (EQUAL, "".join(best[2]) + kept_after),
        ]
    return _merge(aligned)


def _anchors(old: str, new: str) -> list[tuple[int, int]]:
    """Positions of units found once in each text, longest run in the same order (patience)."""
    old_counts = Counter(old)
    new_counts = Counter(new)
    new_positions = {unit: position for position, unit in enumerate(new) if new_counts[unit] == 1}
    pairs = [
        (old_position, new_positions[unit])
        for old_position, unit in enumerate(old)
        if old_counts[unit] == 1 and unit in new_positions
    ]
    # Longest increasing subsequence of new positions, O(n log n).
    tails: list[int] = []  # new position ending the best run of each length
    tail_pair: list[int] = []  # index in pairs of that run's last pair
    previous: list[int] = []
    for number, (_, new_position) in enumerate(pairs):
        length = bisect.bisect_left(tails, new_position)
        if length == len(tails):
            tails.append(new_position)
            tail_pair.append(number)
        else:
            tails[length] = new_position
            tail_pair[length] = number
        previous.append(tail_pair[length - 1] if length else -1)
    chain: list[tuple[int, int]] = []
    number = tail_pair[-1] if tail_pair else -1
    while number >= 0:
        chain.append(pairs[number])
        number = previous[number]
    chain.reverse()
    return chain


def _anchored_diff(
    old: str, new: str, matcher: diff_match_patch, deadline: float
) -> list[tuple[int, str]]:
    """Diff two encoded strings, running dmp only between items both share exactly once.

    dmp's bisection costs O(length x differences) in Python, too slow when a
    long text changed in many places. Anchoring first on items that occur
    once in each text and in the same order (patience diff), recursively in
    the gaps, leaves dmp only short gaps between anchors.
    """
    diffs: list[tuple[int, str]] = []
    _anchor_into(diffs, old, new, matcher, deadline, _ANCHOR_DEPTH)
    return _merge(diffs)


def _anchor_into(
    diffs: list[tuple[int, str]],
    old: str,
    new: str,
    matcher: diff_match_patch,
    deadline: float,
    depth: int,
) -> None:
    """Append the anchored diff of two encoded strings to diffs (see _anchored_diff)."""
    if not old or not new:
        diffs.append((DELETE, old) if old else (INSERT, new))
        return
    prefix = matcher.diff_commonPrefix(old, new)
    suffix = matcher.diff_commonSuffix(old[prefix:], new[prefix:])
    diffs.append((EQUAL, old[:prefix]))
    middle_old = old[prefix : len(old) - suffix]
    middle_new = new[prefix : len(new) - suffix]
    anchors: list[tuple[int, int]] = []
    if depth and len(middle_old) + len(middle_new) > _DIRECT_DIFF_ITEMS:
        anchors = _anchors(middle_old, middle_new)
    if not anchors:
        diffs.extend(matcher.diff_main(middle_old, middle_new, False, deadline))
    else:
        old_start = new_start = 0
        for old_anchor, new_anchor in [*anchors, (len(middle_old), len(middle_new))]:
            gap_old = middle_old[old_start:old_anchor]
            gap_new = middle_new[new_start:new_anchor]
            if gap_old == gap_new:
                diffs.append((EQUAL, gap_old))
            else:
                _anchor_into(diffs, gap_old, gap_new, matcher, deadline, depth - 1)
            diffs.append((EQUAL, middle_old[old_anchor : old_anchor + 1]))
            old_start, new_start = old_anchor + 1, new_anchor + 1
    diffs.append((EQUAL, old[len(old) - suffix :]))


def word_diff(old: str, new: str) -> list[tuple[int, str]]:
    """Word-level diff as dmp-style (op, text) pairs: -1 deleted, 0 unchanged, 1 inserted.

    The texts are taken as given (no line-ending normalisation); joining the
    0 and -1 texts gives ``old`` back exactly, joining the 0 and 1 texts ``new``.
    """
    if old == new:
        return [(EQUAL, old)] if old else []
    matcher = diff_match_patch()  # one per call: dmp objects carry settings, not locks
    matcher.Diff_Timeout = DIFF_TIMEOUT_SECONDS
    # dmp's own convention: a timeout of 0 or less means no deadline.
    deadline = time.time() + DIFF_TIMEOUT_SECONDS if DIFF_TIMEOUT_SECONDS > 0 else sys.maxsize

    encoded_old, encoded_new, table = _encode(_UNIT.findall(old), _UNIT.findall(new))
    unit_diffs = _decode(_anchored_diff(encoded_old, encoded_new, matcher, deadline), table)

    result: list[tuple[int, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted and inserted:
            result.extend(_token_diff("".join(deleted), "".join(inserted), matcher, deadline))
        elif deleted:
            result.append((DELETE, "".join(deleted)))
        elif inserted:
            result.append((INSERT, "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for op, text in unit_diffs:
        if op == DELETE:
            deleted.append(text)
        elif op == INSERT:
            inserted.append(text)
        else:
            flush()
            result.append((EQUAL, text))
    flush()
    return _align_edits(_merge(result))


def _redline_ops(old: str, new: str) -> list[tuple[int, str]]:
    """The word diff, adjusted so that paragraph breaks fall where a reader expects them."""
    ops = word_diff(normalise_text(old), normalise_text(new))
    adjusted: list[tuple[int, str]] = []
    position = 0
    while position < len(ops):
        op, text = ops[position]
        following = ops[position + 1] if position + 1 < len(ops) else None
        if op != DELETE or following is None or following[0] != INSERT:
            adjusted.append((op, text))
            position += 1
            continue
        # A replacement where both sides start (or end) with a paragraph
        # break keeps that break: "\n\n" against "\n\n\n" is still one break,
        # nothing to show. The new side's whitespace is the one displayed.
        deleted, inserted = text, following[1]
        old_lead = _LEADING_SEPARATOR.match(deleted)
        new_lead = _LEADING_SEPARATOR.match(inserted)
        if old_lead and new_lead:
            adjusted.append((EQUAL, new_lead.group(0)))
            deleted, inserted = deleted[old_lead.end() :], inserted[new_lead.end() :]
        old_tail = _TRAILING_SEPARATOR.search(deleted)
        new_tail = _TRAILING_SEPARATOR.search(inserted)
        tail = ""
        if old_tail and new_tail:
            tail = new_tail.group(0)
            deleted, inserted = deleted[: old_tail.start()], inserted[: new_tail.start()]
        adjusted += [(DELETE, deleted), (INSERT, inserted), (EQUAL, tail)]
        position += 2
    ops = _merge(adjusted)

    # An edit between two equalities that starts with a paragraph break, when
    # the next equality starts with the same break, is a whole paragraph added
    # or removed: slide the break to the end of the edit (the same texts
    # either way) so the untouched paragraph before it is not marked changed.
    for position, (op, text) in enumerate(ops):
        if op == EQUAL or position == 0 or position + 1 == len(ops):
            continue
        (previous_op, previous_text), (next_op, next_text) = ops[position - 1], ops[position + 1]
        leading = _LEADING_SEPARATOR.match(text)
        if previous_op != EQUAL or next_op != EQUAL or leading is None:
            continue
        separator = leading.group(0)
        if separator == text or not next_text.startswith(separator):
            continue
        ops[position - 1] = (EQUAL, previous_text + separator)
        ops[position] = (op, text[len(separator) :] + separator)
        ops[position + 1] = (EQUAL, next_text[len(separator) :])
    return _merge(ops)


# A paragraph of the redline: pieces of (op, text, is_break_marker).
_Piece = tuple[int, str, bool]


def _redline_paragraphs(old: str, new: str) -> list[list[_Piece]]:
    """Cut the redline operations into output paragraphs, following the new text's breaks."""
    ops = _redline_ops(old, new)
    # blank_after[i]: nothing but whitespace follows op i, in either text.
    blank_after = [False] * len(ops)
    blank = True
    for position in range(len(ops) - 1, -1, -1):
        blank_after[position] = blank
        blank = blank and not ops[position][1].strip()
    paragraphs: list[list[_Piece]] = [[]]
    for position, (op, text) in enumerate(ops):
        chunks = _SEPARATOR.split(text)
        for number, chunk in enumerate(chunks):
            if number > 0:
                current = paragraphs[-1]
                mixed = any(
                    piece_op != op and (piece_op != EQUAL or piece_text.strip())
                    for piece_op, piece_text, _ in current
                )
                # An edit that starts with a break and runs to the end of the
                # text adds or removes whole paragraphs at the end.
                appended = op != EQUAL and number == 1 and not chunks[0] and blank_after[position]
                if op != EQUAL and mixed and not appended:
                    # A break added or removed inside a paragraph: show it.
                    current.append((op, _PILCROW, True))
                    if op == DELETE:
                        # Paragraphs follow the new text: a removed break
                        # joins what it separated, so it shows inline.
                        if chunk:
                            current.append((op, chunk, False))
                        continue
                paragraphs.append([])
            if chunk:
                paragraphs[-1].append((op, chunk, False))
    return [paragraph for paragraph in (_trim(paragraph) for paragraph in paragraphs) if paragraph]


def _trim(paragraph: list[_Piece]) -> list[_Piece]:
    """Drop unchanged whitespace at the edges of a paragraph (it is invisible in HTML)."""
    pieces = list(paragraph)
    if pieces and pieces[0][0] == EQUAL:
        op, text, marker = pieces[0]
        pieces[0] = (op, text.lstrip(), marker)
    if pieces and pieces[-1][0] == EQUAL:
        op, text, marker = pieces[-1]
        pieces[-1] = (op, text.rstrip(), marker)
    return [piece for piece in pieces if piece[1]]


def _escape(text: str) -> str:
    """HTML-escape source text and turn its line breaks into <br>."""
    return html.escape(text, quote=True).replace("\n", "<br>")


def redline_html(old: str, new: str, id_prefix: str = "") -> str:
    """Inline redline of two Markdown bodies: <ins>/<del> per word, one <p> per paragraph.

    Works on the Markdown source, escaped. Paragraphs with a change carry the
    class "changed" and ids "change-1", "change-2"... in order, so a page can
    link to the next change and collapse the rest. A paragraph break added or
    removed inside a paragraph shows as an inserted or deleted pilcrow. A page showing two
    redlines gives one an ``id_prefix`` ("title-", "yours-"), so no id repeats.
    """
    parts = ['<div class="diff">']
    changes = 0
    for paragraph in _redline_paragraphs(old, new):
        if any(op != EQUAL for op, _, _ in paragraph):
            changes += 1
            parts.append(f'<p class="diff-para changed" id="{id_prefix}change-{changes}">')
        else:
            parts.append('<p class="diff-para">')
        for op, text, marker in paragraph:
            content = _escape(text)
            if op == EQUAL:
                parts.append(content)
            else:
                tag = "ins" if op == INSERT else "del"
                attributes = ' class="diff-break"' if marker else ""
                parts.append(f"<{tag}{attributes}>{content}</{tag}>")
        parts.append("</p>")
    parts.append("</div>")
    return sanitise_html("".join(parts))


def _count_visible_tokens(text: str) -> int:
    """Number of words and punctuation marks in a text."""
    return len(_VISIBLE_TOKEN.findall(text))


def diff_stats(old: str, new: str) -> DiffStats:
    """Words and punctuation marks inserted and deleted, and paragraphs changed, old -> new."""
    insertions = deletions = changed = 0
    for paragraph in _redline_paragraphs(old, new):
        touched = False
        for op, text, marker in paragraph:
            if op == EQUAL:
                continue
            touched = True
            if marker:
                continue
            if op == INSERT:
                insertions += _count_visible_tokens(text)
            else:
                deletions += _count_visible_tokens(text)
        changed += touched
    return DiffStats(insertions=insertions, deletions=deletions, changed_paragraphs=changed)


def is_whitespace_only_change(old: str, new: str) -> bool:
    """Whether two bodies differ, but only in whitespace (spacing, line breaks, blank lines)."""
    return old != new and old.split() == new.split()
