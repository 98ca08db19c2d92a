"""Revision hashing, the word-level diff, the redline HTML and diff statistics."""

from __future__ import annotations

import hashlib
import random
import re
from html import unescape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coalition.domain import revisions
from coalition.domain.revisions import (
    DiffStats,
    diff_stats,
    is_whitespace_only_change,
    redline_html,
    text_sha256,
    word_diff,
)


def old_text(ops: list[tuple[int, str]]) -> str:
    return "".join(text for op, text in ops if op <= 0)


def new_text(ops: list[tuple[int, str]]) -> str:
    return "".join(text for op, text in ops if op >= 0)


def edits(ops: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return [(op, text) for op, text in ops if op != 0]


# --- text_sha256 -----------------------------------------------------------


def test_sha256_of_known_input() -> None:
    # Pinned: sha256(b"Title\n\nBody"), the DESIGN definition.
    expected = "45777c14d90fa79dc6ce71ceb6f81cced62c929c472199547cfd939a54e954c6"
    assert text_sha256("Title", "Body") == expected
    assert expected == hashlib.sha256(b"Title\n\nBody").hexdigest()


def test_sha256_is_over_the_exact_utf8_bytes() -> None:
    title = "Déclaration commune – Ελλάδα ✊"
    body = "# Nous appelons\n\nLigne 1\nLigne 2  \n\n- point\n"
    expected = hashlib.sha256((title + "\n\n" + body).encode("utf-8")).hexdigest()
    assert text_sha256(title, body) == expected
    assert len(expected) == 64 and expected == expected.lower()


def test_sha256_hashes_exactly_what_it_is_given() -> None:
    # Normalising is the callers' job: \r\n, a trailing newline or an
    # untrimmed title each make a different hash.
    base = text_sha256("Title", "a\nb")
    assert text_sha256("Title", "a\r\nb") != base
    assert text_sha256("Title", "a\nb\n") != base
    assert text_sha256(" Title", "a\nb") != base
    assert text_sha256("Title\n", "\na\nb") == hashlib.sha256(b"Title\n\n\n\na\nb").hexdigest()


# --- word_diff -------------------------------------------------------------


def test_identical_and_empty_texts() -> None:
    assert word_diff("same text", "same text") == [(0, "same text")]
    assert word_diff("", "") == []
    assert word_diff("", "new") == [(1, "new")]
    assert word_diff("old", "") == [(-1, "old")]


def test_insert_a_word() -> None:
    ops = word_diff("We call on the government.", "We call on the national government.")
    assert edits(ops) == [(1, "national ")] or edits(ops) == [(1, " national")]
    assert ops[0] == (0, "We call on the") or ops[0] == (0, "We call on the ")


def test_delete_a_word() -> None:
    ops = word_diff("We strongly call on them.", "We call on them.")
    assert edits(ops) in ([(-1, "strongly ")], [(-1, " strongly")])


def test_replace_a_word_keeps_unchanged_text_untouched() -> None:
    ops = word_diff("The quick brown fox jumps.", "The quick red fox jumps.")
    assert ops == [(0, "The quick "), (-1, "brown"), (1, "red"), (0, " fox jumps.")]


def test_edits_never_split_a_word() -> None:
    ops = word_diff("a brown fox", "a browner fox")
    assert edits(ops) == [(-1, "brown"), (1, "browner")]
    ops = word_diff("we act now", "we react now")
    assert edits(ops) == [(-1, "act"), (1, "react")]


def test_punctuation_is_its_own_token() -> None:
    ops = word_diff("Stop the war.", "Stop the war!")
    assert ops == [(0, "Stop the war"), (-1, "."), (1, "!")]
    ops = word_diff("peace, now", "peace now")
    assert edits(ops) == [(-1, ",")]


def test_unicode_words() -> None:
    ops = word_diff("Nous exigeons l’égalité réelle.", "Nous exigeons l’égalité effective.")
    assert edits(ops) == [(-1, "réelle"), (1, "effective")]
    ops = word_diff("Мы требуем мира", "Мы требуем справедливого мира")
    assert new_text(ops) == "Мы требуем справедливого мира"
    assert [text.strip() for op, text in edits(ops)] == ["справедливого"]
    # Decomposed accents (combining marks) stay inside their word.
    ops = word_diff("cafe\u0301 noir", "cafe\u0301 blanc")
    assert ops[0] == (0, "cafe\u0301 ")
    # CJK has no spaces: each ideograph is a token.
    ops = word_diff("我们要求和平", "我们呼吁和平")
    assert edits(ops) == [(-1, "要求"), (1, "呼吁")]


def test_line_breaks_and_paragraphs_survive() -> None:
    old = "# Title\n\nFirst para\nwith two lines.\n\nSecond para.\n"
    new = "# Title\n\nFirst para\nwith 2 lines.\n\nSecond para.\n\nThird para.\n"
    ops = word_diff(old, new)
    assert old_text(ops) == old and new_text(ops) == new
    assert edits(ops) == [(-1, "two"), (1, "2"), (1, "\n\nThird para.")]
    html = redline_html(old, new)
    assert '<p class="diff-para">Second para.</p>' in html
    assert '<p class="diff-para changed" id="change-2"><ins>Third para.</ins></p>' in html


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab cé.,\n'’-中!", max_size=60),
    st.text(alphabet="ab cé.,\n'’-中!", max_size=60),
)
def test_ops_always_rebuild_both_texts(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert old_text(ops) == old
    assert new_text(ops) == new
    assert all(op in (-1, 0, 1) and text for op, text in ops)


def test_too_many_distinct_tokens_do_not_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    # With room for only a few code points, the rest of each text becomes
    # one token: the diff is coarse but still correct.
    monkeypatch.setattr(revisions, "_CODE_LIMIT", 12)
    old = " ".join(f"word{n}" for n in range(50))
    new = " ".join(f"word{n}" if n != 30 else "changed" for n in range(60))
    ops = word_diff(old, new)
    assert old_text(ops) == old and new_text(ops) == new
    assert revisions._encode(["a", "b", "c"], ["c", "d"])[2][:4] == ["", "a", "b", "c"]


def test_timeout_gives_a_coarse_but_correct_diff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(revisions, "DIFF_TIMEOUT_SECONDS", 1e-9)
    rng = random.Random(7)
    old = " ".join(rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(2000))
    new = " ".join(rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(2000))
    ops = word_diff(old, new)
    assert old_text(ops) == old and new_text(ops) == new


def _long_texts(words: int, edit_count: int) -> tuple[str, str, int, int]:
    """A long Markdown text, an edited copy, and the expected deletions and insertions."""
    rng = random.Random(2026)
    vocabulary = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 9)))
        for _ in range(3000)
    ]
    laid_out = []
    for position in range(words):
        after = ".\n\n" if position % 97 == 96 else (", " if position % 11 == 0 else " ")
        laid_out.append((rng.choice(vocabulary), after))
    # Edits at least five words apart, so none can be merged with another.
    positions = sorted(rng.sample(range(0, words, 5), edit_count), reverse=True)
    edited = list(laid_out)
    deletions = insertions = 0
    for position in positions:
        word, after = edited[position]
        kind = ("replace", "insert", "delete")[position % 3]
        if kind == "replace":
            edited[position] = (word.upper() + "Q", after)
            deletions += 1
            insertions += 1
        elif kind == "insert":
            edited.insert(position, ("INSERTED", " "))
            insertions += 1
        else:
            del edited[position]
            deletions += 1
    text = "".join(word + after for word, after in laid_out)
    edited_text = "".join(word + after for word, after in edited)
    return text, edited_text, deletions, insertions


def test_long_text_with_scattered_edits_is_diffed_precisely() -> None:
    # difflib's autojunk (or a timed-out diff) would report thousands of
    # changes here; the word diff must report about one per edit.
    old, new, expected_deletions, expected_insertions = _long_texts(20_000, 200)
    ops = word_diff(old, new)
    assert old_text(ops) == old
    assert new_text(ops) == new
    deletions = sum(1 for op, _ in ops if op == -1)
    insertions = sum(1 for op, _ in ops if op == 1)
    assert expected_deletions * 0.9 <= deletions <= expected_deletions * 1.1
    assert expected_insertions * 0.9 <= insertions <= expected_insertions * 1.1
    changed_characters = sum(len(text) for op, text in ops if op != 0)
    assert changed_characters < 200 * 30


# --- redline_html ----------------------------------------------------------


def test_redline_marks_a_one_word_change() -> None:
    html = redline_html("The quick brown fox.", "The quick red fox.")
    assert "The quick <del>brown</del><ins>red</ins> fox." in html
    assert html.count("<ins>") == 1 and html.count("<del>") == 1


def test_redline_escapes_html_in_the_body() -> None:
    html = redline_html("Hello", "Hello <script>alert(1)</script> & <b>bye</b>")
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "&amp;" in html
    assert "<b>" not in html


def test_redline_escapes_unchanged_and_deleted_html_too() -> None:
    html = redline_html(
        "<img src=x onerror=alert(1)> kept\n\n<i>gone</i>", "<img src=x onerror=alert(1)> kept"
    )
    assert "<img" not in html and "<i>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<del>&lt;i&gt;gone&lt;/i&gt;</del>" in html


def test_identical_texts_have_no_changes() -> None:
    text = "# Title\n\nOne paragraph.\n\nAnother one\nwith a line break."
    html = redline_html(text, text)
    assert "<ins" not in html and "<del" not in html
    assert "changed" not in html and "change-1" not in html
    assert html.count('<p class="diff-para">') == 3
    assert "Another one<br>with a line break." in html


def test_changed_paragraphs_are_numbered_in_order() -> None:
    old = "Para one.\n\nPara two.\n\nPara three.\n\nPara four."
    new = "Para one.\n\nPara 2.\n\nPara three.\n\nPara 4."
    html = redline_html(old, new)
    assert re.findall(r'id="(change-\d+)"', html) == ["change-1", "change-2"]
    assert html.index('id="change-1"') < html.index("<ins>2</ins>") < html.index('id="change-2"')
    assert '<p class="diff-para">Para one.</p>' in html
    assert '<p class="diff-para">Para three.</p>' in html
    assert (
        '<p class="diff-para changed" id="change-2">Para <del>four</del><ins>4</ins>.</p>' in html
    )


def test_added_and_removed_paragraphs() -> None:
    html = redline_html("First.\n\nThird.", "First.\n\nSecond.\n\nThird.")
    assert '<p class="diff-para">First.</p>' in html
    assert '<p class="diff-para changed" id="change-1"><ins>Second.</ins></p>' in html
    assert '<p class="diff-para">Third.</p>' in html
    html = redline_html("First.\n\nSecond.", "First.")
    assert '<p class="diff-para">First.</p>' in html
    assert '<p class="diff-para changed" id="change-1"><del>Second.</del></p>' in html


def test_split_paragraph_shows_an_inserted_pilcrow() -> None:
    html = redline_html("One sentence. Two sentence.", "One sentence.\n\nTwo sentence.")
    assert '<ins class="diff-break">\u00b6</ins>' in html
    assert html.count("<p ") == 2


def test_line_breaks_inside_a_paragraph_become_br() -> None:
    html = redline_html("line one\nline two", "line one\nline 2")
    assert "line one<br>line <del>two</del><ins>2</ins>" in html


def test_whitespace_only_paragraph_spacing_is_not_a_change() -> None:
    html = redline_html("A.\n\nB.", "A.\n\n\nB.")
    assert "changed" not in html


def test_redline_of_long_text_keeps_every_word() -> None:
    old, new, _, _ = _long_texts(5_000, 50)
    html = redline_html(old, new)
    ids = re.findall(r'id="change-(\d+)"', html)
    assert ids == [str(n) for n in range(1, len(ids) + 1)]
    assert 0 < len(ids) <= 50
    assert _visible_text(html, "del").split() == new.split()


def _visible_text(html: str, hide: str) -> str:
    """The text a reader sees in a redline with one kind of edit (ins or del) hidden."""
    html = re.sub(rf"<{hide}[^>]*>.*?</{hide}>", "", html, flags=re.DOTALL)
    html = re.sub(r"</p>|<br>", " ", html)
    # A pilcrow marks a paragraph break added or removed: it stands for whitespace.
    return unescape(re.sub(r"<[^>]+>", "", html)).replace("\u00b6", " ")


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab c<>&\"'.\n\r", max_size=50),
    st.text(alphabet="ab c<>&\"'.\n\r", max_size=50),
)
def test_redline_shows_both_texts_and_only_safe_tags(old: str, new: str) -> None:
    html = redline_html(old, new)
    # Paragraphs follow the new text, so its words read exactly as written.
    assert _visible_text(html, "del").split() == new.split()
    # The old text is all there too, in order.
    assert "".join(_visible_text(html, "ins").split()) == "".join(old.split())
    assert set(re.findall(r"</?([a-z]+)", html)) <= {"div", "p", "ins", "del", "br"}


# --- diff_stats and whitespace ---------------------------------------------


def test_diff_stats_counts_words_and_paragraphs() -> None:
    old = "Para one is here.\n\nPara two.\n\nPara three."
    new = "Para one is there, now.\n\nPara two.\n\nPara 3."
    assert diff_stats(old, new) == DiffStats(insertions=4, deletions=2, changed_paragraphs=2)
    assert diff_stats(old, old) == DiffStats(insertions=0, deletions=0, changed_paragraphs=0)


def test_diff_stats_is_frozen() -> None:
    stats = diff_stats("a", "b")
    with pytest.raises(AttributeError):
        stats.insertions = 5  # type: ignore[misc]


def test_is_whitespace_only_change() -> None:
    assert is_whitespace_only_change("a b\n\nc", "a  b\n\n\nc")
    assert not is_whitespace_only_change("a b", "a b")
    assert not is_whitespace_only_change("a b", "a c")
