"""Write a long document to PDF in parts, laid out side by side, then joined and numbered.

WeasyPrint keeps every laid-out page of a document in memory until it writes the file, and
lays it out on one core: a stocktaking report of 400 activities (about 170 pages) took 15 s
and some 200 MB as one document. Cut into parts, each part is laid out and written on its
own, so memory follows the largest part rather than the whole, and up to
``settings.REPORT_PDF_PROCESSES`` processes lay parts out at once. pypdf joins the parts.

A part cannot know the page it starts on until the parts before it are laid out, so the parts
carry no page numbers: once the pages are counted, documents of blank pages holding only the
running footers ("Page 3 of 176"), a run of pages each, laid out by the same workers, are drawn
over the pages of the joined file.

The worker processes come from billiard, Celery's own multiprocessing: the standard library's
refuses to start processes from inside a Celery worker's (daemonic) pool process, and the
report is built there. They are forked, so they share what the parent has loaded; they read
and write nothing but the HTML they are sent and the PDF they send back.
"""

import contextlib
import io
import itertools
from collections.abc import Callable, Iterator, Sequence

from django.conf import settings
from django.utils.translation import gettext, ngettext

from tracker.languages import written_number

# How long one part may take before the export gives up (a worker killed by the system, say).
PART_TIMEOUT = 600

# Told how far the writing has gone: percent done and what it is doing.
Progress = Callable[[int, str], None]


def write_part(html: str) -> bytes:
    """One part's PDF; run in a worker process, so nothing but WeasyPrint is used here."""
    from weasyprint import HTML  # imported here: it loads Pango, which only PDF export needs

    return HTML(string=html).write_pdf()


def write(parts: Sequence[str], footers: Callable[[int, int, int], str], progress: Progress) -> bytes:
    """The PDF of ``parts`` (HTML documents, in order), each starting on a new page, numbered after its first page.

    ``footers(first, last, pages)`` is the HTML of a document of the pages ``first`` to
    ``last`` of ``pages`` that carries only their running footers; each of its pages is drawn
    over the page of the joined parts with the same number. The first page, the title page,
    has none.
    """
    import weasyprint  # noqa: F401  loaded once, before the workers are forked, rather than by each of them
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    with _writer(len(parts)) as write_all:
        written = []
        for done, pdf in enumerate(write_all(parts), start=1):
            written.append(pdf)
            progress(
                10 + 75 * done // len(parts),
                gettext("Laid out part %(done)s of %(parts)s") % {"done": done, "parts": len(parts)},
            )
        joined = PdfWriter()
        for pdf in written:
            joined.append(PdfReader(io.BytesIO(pdf)))
        pages = len(joined.pages)
        progress(
            88,
            ngettext("Numbering %(pages)s page", "Numbering %(pages)s pages", pages) % {"pages": written_number(pages)},
        )
        ranges = _ranges(2, pages, settings.REPORT_PDF_PROCESSES)
        numbered = [PdfReader(io.BytesIO(pdf)).pages for pdf in write_all([footers(*r, pages) for r in ranges])]
    footer_pages = [page for pdf_pages in numbered for page in pdf_pages]
    if len(footer_pages) != pages - 1:
        raise RuntimeError(f"the footers run to {len(footer_pages)} pages for a document of {pages}")
    for page, footer in zip(joined.pages[1:], footer_pages, strict=True):
        page.merge_page(footer)
        page.compress_content_streams()
    first = PdfReader(io.BytesIO(written[0]))
    if first.metadata:
        joined.add_metadata(first.metadata)
    # The language the document is written in (its <html lang>), which a screen reader reads it in.
    language = first.root_object.get("/Lang")
    if language:
        joined.root_object[NameObject("/Lang")] = TextStringObject(str(language.get_object()))
    joined.compress_identical_objects()
    output = io.BytesIO()
    joined.write(output)
    return output.getvalue()


def _ranges(first: int, last: int, count: int) -> list[tuple[int, int]]:
    """``first`` to ``last`` in at most ``count`` runs of about the same length."""
    total = last - first + 1
    count = max(1, min(count, total))
    bounds = [first + total * k // count for k in range(count + 1)]
    return [(start, end - 1) for start, end in itertools.pairwise(bounds) if end > start]


@contextlib.contextmanager
def _writer(parts: int) -> Iterator[Callable[[Sequence[str]], Iterator[bytes]]]:
    """A function writing HTML documents to PDF, yielding each in order as it is ready.

    In worker processes when there are several parts and processes, else here, one after the other.
    """
    processes = min(settings.REPORT_PDF_PROCESSES, parts)
    if processes <= 1:
        yield lambda documents: map(write_part, documents)
        return
    import billiard

    with billiard.get_context("fork").Pool(processes) as pool:

        def write_all(documents: Sequence[str]) -> Iterator[bytes]:
            written = pool.imap(write_part, documents)
            return (written.next(timeout=PART_TIMEOUT) for _ in documents)

        yield write_all
