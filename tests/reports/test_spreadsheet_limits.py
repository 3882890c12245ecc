"""Uploads that would exhaust memory or crash the reader: each refused with a 400 and a clear
message before or while openpyxl reads it, nothing logged, nothing kept in the session."""

import io
import logging
import tracemalloc
import zipfile

import openpyxl
import pytest

from actions.models import StatusEntry
from reports import spreadsheet
from tests.reports.scenario import signed_in
from tests.reports.test_spreadsheet import GOOD_33, download, file_errors, fill, saved, upload, waiting

pytestmark = pytest.mark.django_db

SHEET_XML = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NOT_XLSX = "This is not an XLSX file"
DAMAGED = "The file is damaged and cannot be read as a spreadsheet"
ENCRYPTED = "The file is password-protected"


def rebuilt(content: bytes, replace: dict[str, bytes | None], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The workbook ``content`` with parts replaced (None: removed) or added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w", compression) as target:
        for name in source.namelist():
            if name not in replace:
                target.writestr(name, source.read(name))
        for name, data in replace.items():
            if data is not None:
                target.writestr(name, data)
    return buffer.getvalue()


def sheet_of(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(SHEET_XML)


def _truncated(content):
    return content[: len(content) // 2]


def _no_workbook_xml(content):
    return rebuilt(content, {"xl/workbook.xml": None})


def _workbook_xml_not_xml(content):
    return rebuilt(content, {"xl/workbook.xml": b"<workbook><sheets><sheet name='Activities'</workbook"})


def _bad_cell_reference(content):
    return rebuilt(content, {SHEET_XML: sheet_of(content).replace(b'r="A2"', b'r="!!"', 1)})


def _styles_garbage(content):
    return rebuilt(content, {"xl/styles.xml": b"this is no stylesheet \x00\xff\xfe"})


def _styles_of_the_wrong_shape(content):
    return rebuilt(
        content,
        {
            "xl/styles.xml": f'<styleSheet xmlns="{MAIN_NS}"><fonts><font><sz val="big"/></font></fonts>'.encode()
            + b"</styleSheet>"
        },
    )


def _shared_string_out_of_range(content):
    sheet = sheet_of(content)
    start = sheet.index(b'<c r="A2"')
    end = sheet.index(b"</c>", start) + len(b"</c>")
    return rebuilt(content, {SHEET_XML: sheet[:start] + b'<c r="A2" t="s"><v>99999</v></c>' + sheet[end:]})


def _entity_bomb(content):
    return rebuilt(content, {SHEET_XML: BILLION_LAUGHS})


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode() for i in range(1, 10)
    )
    + f']>\n<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>'
    "</row></sheetData></worksheet>".encode()
)


def _csv_renamed(content):
    return b"Plan,Activity,Status,Observations\nnairobi-2007,3.3,Completed,Done\n"


def _ole_encrypted(content):
    # An encrypted XLSX is an OLE compound file holding the encrypted package, not a zip.
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"EncryptedPackage" + b"\0" * 1000


def _zip_member_encrypted(content):
    data = bytearray(content)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at != -1:
            data[at + flags_at] |= 0x1
            at = data.find(signature, at + 4)
    return bytes(data)


def _too_many_parts(content):
    return rebuilt(content, {f"xl/media/image{i}.png": b"\x89PNG" for i in range(spreadsheet.MAX_PARTS)})


def _part_outside_the_archive(content):
    return rebuilt(content, {"../../etc/cron.d/evil": b"* * * * * root true"})


def _absolute_part(content):
    return rebuilt(content, {"/tmp/evil.xml": b"<a/>"})


def _compressed_beyond_reason(content):
    return rebuilt(content, {"xl/media/blank.png": b"\0" * (2 * 1024 * 1024)})


def _millions_of_elements(content):
    junk = b"<a/>" * (spreadsheet.MAX_XML_ELEMENTS + 1)
    return rebuilt(content, {"docProps/custom.xml": b"<x>" + junk + b"</x>"}, compression=zipfile.ZIP_STORED)


def _a_row_of_too_many_cells(content):
    cells = b"".join(b'<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(spreadsheet.MAX_COLUMNS + 1))
    sheet = sheet_of(content).replace(b"</sheetData>", b'<row r="999">' + cells + b"</row></sheetData>")
    return rebuilt(content, {SHEET_XML: sheet})


def _a_cell_too_long(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    fill(workbook, {"3.2": {"Status": "Planned", "Observations": "x" * (spreadsheet.MAX_CELL_CHARS + 1)}})
    return saved(workbook)


MALFORMED = [
    (_truncated, NOT_XLSX),
    (_no_workbook_xml, NOT_XLSX),
    (_workbook_xml_not_xml, f"{DAMAGED}: open it in your spreadsheet program, save it as .xlsx"),
    (_bad_cell_reference, DAMAGED),
    (_styles_garbage, DAMAGED),
    (_styles_of_the_wrong_shape, DAMAGED),
    (_shared_string_out_of_range, DAMAGED),
    (_entity_bomb, "It declares XML entities, which no spreadsheet does."),
    (_csv_renamed, NOT_XLSX),
    (_ole_encrypted, f"{ENCRYPTED} (or an old .xls file): save it as .xlsx without a password"),
    (_zip_member_encrypted, ENCRYPTED),
    (_too_many_parts, f"parts; a spreadsheet has far fewer (the limit is {spreadsheet.MAX_PARTS})."),
    (_part_outside_the_archive, "upload it. (It has a part named “../../etc/cron.d/evil”.)"),
    (_absolute_part, "It has a part named “/tmp/evil.xml”"),
    (_compressed_beyond_reason, "The file's part xl/media/blank.png unpacks to more than 100 times its size"),
    (_millions_of_elements, "The file has more than 500,000 XML elements"),
    (_a_row_of_too_many_cells, "Row 999 has more than 30 columns."),
    (_a_cell_too_long, "has more than 10,000 characters."),
]


def assert_nothing_logged(caplog) -> None:
    """Django notes every 4xx response ("Bad Request: ..."); nothing else, and no traceback."""
    others = [r for r in caplog.records if not (r.name == "django.request" and r.levelno == logging.WARNING)]
    assert others == [], [r.getMessage() for r in others]
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize(
    ("spoil", "message"), MALFORMED, ids=lambda value: value.__name__.strip("_") if callable(value) else ""
)
def test_a_malformed_workbook_is_a_400_with_a_clear_message(focal_point, caplog, spoil, message):
    client = signed_in(focal_point)
    workbook = download(client)
    fill(workbook, {"3.3": GOOD_33})
    good = saved(workbook)
    assert upload(client, good).status_code == 200
    assert waiting(client), "a checked upload waits to be confirmed"

    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        response = upload(client, spoil(good))
    assert response.status_code == 400
    [error] = file_errors(response)
    assert message in error
    assert_nothing_logged(caplog)
    assert not waiting(client), "the refused upload replaced the one waiting, and nothing of it is kept"
    assert not StatusEntry.objects.exists()


def test_an_empty_file_is_a_400(focal_point, caplog):
    client = signed_in(focal_point)
    with caplog.at_level(logging.DEBUG):
        response = upload(client, b"")
    assert response.status_code == 400
    assert file_errors(response) == ["The submitted file is empty."]
    assert_nothing_logged(caplog)
    assert not waiting(client)


def test_openpyxl_parses_with_defusedxml_which_refuses_an_entity_bomb_the_check_let_through(focal_point, monkeypatch):
    """Defence in depth: were the archive check to miss a DTD, openpyxl's parser refuses it."""
    assert openpyxl.DEFUSEDXML, "defusedxml is installed and openpyxl uses it"
    client = signed_in(focal_point)
    monkeypatch.setattr(spreadsheet, "check_archive", lambda upload: None)
    response = upload(client, _entity_bomb(saved(download(client))))
    assert response.status_code == 400
    assert file_errors(response) == [spreadsheet.DAMAGED]


def one_gigabyte_workbook(template: bytes) -> bytes:
    """The template with a sheet that unpacks to 1 GB, written in 1 MB chunks: about 1 MB packed."""
    chunk_size = 1024 * 1024
    row = b'<row r="2"><c r="F2" t="inlineStr"><is><t>'
    end = b"</t></is></c></row>"
    chunk = row + b"x" * (chunk_size - len(row) - len(end)) + end
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name != SHEET_XML:
                target.writestr(name, source.read(name))
        with target.open(SHEET_XML, "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
            for _ in range(1024):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def test_a_workbook_unpacking_to_a_gigabyte_is_refused_without_the_memory_for_it(request, focal_point, caplog):
    client = signed_in(focal_point)
    content = one_gigabyte_workbook(saved(download(client)))
    assert len(content) < spreadsheet.MAX_UPLOAD_BYTES
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.getinfo(SHEET_XML).file_size > 1024**3

    tracemalloc.start()
    try:
        with caplog.at_level(logging.DEBUG):
            response = upload(client, content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 400
    assert file_errors(response) == ["The file unpacks to 1,024 MB; the limit is 20 MB."]
    assert_nothing_logged(caplog)
    assert not waiting(client)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:  # shown past pytest's capture, in every run
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n1 GB workbook: peak traced memory during the upload {peak / 1024 / 1024:.1f} MB")
    assert peak < 100 * 1024 * 1024, f"peak traced memory {peak / 1024 / 1024:.1f} MB"
