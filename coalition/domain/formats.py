"""The export formats, in one registry: name -> renderer, media type, file name, where offered.

Every place that lists, routes, renders, names or serves an export reads this registry
(publishing's routes and pages, the lead's draft exports, the cache of published exports,
Translations' exports, the CLI's warm-up), so adding a format is one :func:`register` call
and one renderer. Pure Python like the rest of the domain: a renderer takes an
:class:`EditionDocument` and returns bytes.

Labels are English msgids; the pages translate them (``coalition/i18n.py`` marks them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from coalition.domain import documents, exports
from coalition.domain.exports import EditionDocument

__all__ = [
    "EMBED_CSP",
    "EXPORT_CSP",
    "Format",
    "Renderer",
    "every",
    "get",
    "register",
    "render",
    "unregister",
]

# Another format's bytes of the same document (the press kit holds the PDF and DOCX):
# from the cache for a published edition, rendered afresh for a draft or a preview.
Part = Callable[[str], bytes]
# (document, file-name stem, part) -> the export's bytes.
Renderer = Callable[[EditionDocument, str, Part], bytes]

# The standalone HTML export carries its own <style> and nothing else: allow exactly that.
EXPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
# The embeddable fragment: its own scoped <style>, nothing else, in any site's frame.
EMBED_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)


@dataclass(frozen=True)
class Format:
    """One export: how it is made, served, named and where it is offered."""

    name: str  # in addresses and in the cache: /s/<slug>.<name>, ExportFile.format
    render: Renderer
    media_type: str
    label: str  # the lead's download lists
    page_label: str  # the statement page's download list
    page_hint: str = ""  # shown after the page label, small
    extension: str = ""  # of the file name; the name when empty
    suffix: str = ""  # before the extension: slug-press-kit.zip
    attachment: bool = True  # downloaded rather than shown in the browser
    dotted: bool = True  # reached as /s/<slug>.<name>; False: at its own path (embed, csv)
    draft: bool = True  # the lead may export the current draft in it
    content_security_policy: str | None = None

    def file_name(self, stem: str) -> str:
        """The download's name from the edition's stem: slug-edition-2-press-kit.zip."""
        return f"{stem}{self.suffix}.{self.extension or self.name}"


_REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add a format (offered after those registered before it); a name is registered once."""
    if fmt.name in _REGISTRY:
        raise ValueError(f"export format {fmt.name!r} is already registered")
    _REGISTRY[fmt.name] = fmt
    return fmt


def unregister(name: str) -> None:
    """Remove a format (tests that register a throwaway one)."""
    _REGISTRY.pop(name, None)


def get(name: str) -> Format:
    """The format called ``name``; ValueError for one that is not registered."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown export format {name!r}") from None


def every() -> list[Format]:
    """Every format, in the order the download lists show them."""
    return list(_REGISTRY.values())


def render(document: EditionDocument, name: str, stem: str, part: Part | None = None) -> bytes:
    """One export of a document; ``part`` supplies the other formats a format holds."""
    fmt = get(name)

    def fresh(other: str) -> bytes:
        return render(document, other, stem)

    return fmt.render(document, stem, part or fresh)


def _text(make: Callable[[EditionDocument], str]) -> Renderer:
    return lambda document, stem, part: make(document).encode("utf-8")


def _press_kit(document: EditionDocument, stem: str, part: Part) -> bytes:
    return exports.press_kit_zip(document, stem, pdf=part("pdf"), docx=part("docx"))


register(Format(
    "pdf", lambda document, stem, part: documents.to_pdf(document), "application/pdf",
    label="PDF", page_label="PDF", page_hint="A4, to print",
))
register(Format(
    "docx", lambda document, stem, part: documents.to_docx(document),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    label="Word (DOCX)", page_label="Word", page_hint="DOCX, to edit",
))
register(Format(
    "txt", _text(exports.to_text), "text/plain; charset=utf-8", attachment=False,
    label="Plain text", page_label="Plain text", page_hint="for e-mail",
))
register(Format(
    "md", _text(exports.to_markdown), "text/markdown; charset=utf-8", attachment=False,
    label="Markdown", page_label="Markdown",
))
register(Format(
    "html", _text(exports.to_html), "text/html; charset=utf-8", attachment=False,
    label="Standalone HTML", page_label="HTML page", content_security_policy=EXPORT_CSP,
))
register(Format(
    "csv", _text(exports.signatories_csv), "text/csv; charset=utf-8", suffix="-signatories",
    dotted=False, draft=False, label="Signatories (CSV)", page_label="Signatories",
    page_hint="CSV",
))
register(Format(
    "embed", _text(exports.to_fragment), "text/html; charset=utf-8", extension="html",
    suffix="-embed", attachment=False, dotted=False, content_security_policy=EMBED_CSP,
    label="Embeddable HTML fragment", page_label="HTML fragment",
    page_hint="to embed, after the embargo",
))
register(Format(
    "zip", _press_kit, "application/zip", suffix="-press-kit",
    label="Press kit (ZIP of all)", page_label="Press kit", page_hint="ZIP of all formats",
))
