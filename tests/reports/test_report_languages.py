"""A stocktaking report in an explicit language (issue 13): its headings, labels, dates and page footers in
French; an Arabic one right to left, its plan's Arabic text drawn in DejaVu Sans; the CSV in English
whatever the language; a language that is not one of the six refused with a 400."""

import datetime
import io
import re
import subprocess

import pytest
from django.utils import translation
from pypdf import PdfReader

from actions.models import Plan
from reports import exports
from reports.models import ReportExport
from reports.services import cycle_close, cycle_report_store
from tests.conftest import token_client
from tests.helpers import NAIROBI, body
from tests.reports.scenario import (
    accept,
    api_report_url,
    fetch,
    log,
    new_cycle,
    pdf_pages,
    pdf_text,
    populate,
    read_csv,
    read_xlsx,
    report_url,
    signed_in,
)
from tests.tracker.test_french_pages import english_left, in_french

pytestmark = pytest.mark.django_db

# The closed cycle's deadline, as the French report writes it.
DEADLINE = datetime.date(2026, 12, 7)
ARABIC_TITLE = "خطة عمل نيروبي لمنع تنقل الإرهابيين"
ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


@pytest.fixture
def closed(staff, focal_point, other_focal_point, secretariat):
    """A closed cycle after an earlier one: the report has every part (the chart over cycles, what changed, who did
    not report, the matrix, a filing in confidence)."""
    earlier = new_cycle(
        secretariat,
        title="2024",
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
        deadline=datetime.date(2025, 1, 15),
    )
    accept(log(focal_point, "3.2", "ICAO", "ongoing", "Under way.", reported_on=datetime.date(2024, 5, 1)), staff)
    cycle_close(cycle=earlier, actor=secretariat, confirm=True)
    cycle = new_cycle(secretariat, deadline=DEADLINE)
    populate(staff, focal_point, other_focal_point)
    cycle_close(cycle=cycle, actor=secretariat, confirm=True)
    return cycle


def report_words(html: str) -> str:
    """The report without the cells of its matrix of organizations by objective: those are drawn by the charts'
    tags (reports/templatetags/stocktaking.py), which the plan's progress page shares and is tested with."""
    return re.sub(r'<span class="matrix-cell".*?</span></span>', "", html)


def with_query(url: str, **query: str) -> str:
    return url + ("&" if "?" in url else "?") + "&".join(f"{key}={value}" for key, value in query.items())


@pytest.mark.parametrize("role", ["staff", "secretariat", "focal_point", "other_focal_point", "viewer"])
def test_the_html_report_in_the_reader_s_french_has_no_english_left(request, closed, role):
    response = in_french(request.getfixturevalue(role)).get(report_url(closed, "html"))
    assert response.status_code == 200
    html = response.content.decode()
    assert english_left(report_words(html)) == []
    assert '<html lang="fr" dir="ltr">' in html and response["Content-Language"] == "fr"
    assert '<p class="kicker">Rapport de bilan</p>' in html and "<h2>Résumé</h2>" in html
    assert "<h3>Organisations par objectif</h3>" in html and "Changements depuis le cycle 2024" in html
    assert "Du 1 janvier 2025 au 30 juin 2025" in html and "<dd>7 décembre 2026</dd>" in html
    # The plan's texts are marked as written in the plan's language, not passed off as French.
    assert '<h1 lang="en" dir="ltr">Plan of Action' in html and '<p class="activity-text" lang="en" dir="ltr">' in html
    # The toolbar's formats ask for the same language.
    assert f'href="{report_url(closed, "pdf", "participants")}&amp;lang=fr"' in html


def test_the_internal_edition_in_french_has_no_english_left(closed, staff):
    html = fetch(in_french(staff), report_url(closed, "html", "internal")).decode()
    assert english_left(report_words(html)) == []
    assert "Édition interne (personnel de la DECT)" in html and "ne pas diffuser au-delà de la DECT" in html


def test_the_language_asked_for_wins_over_the_reader_s(closed, staff):
    french = fetch(signed_in(staff), with_query(report_url(closed, "html"), lang="fr")).decode()
    assert '<html lang="fr" dir="ltr">' in french and "Rapport de bilan" in french
    english = fetch(in_french(staff), with_query(report_url(closed, "html"), lang="en")).decode()
    assert '<html lang="en" dir="ltr">' in english and '<p class="kicker">Stocktaking report</p>' in english
    assert "Rapport de bilan" not in english


def test_a_language_that_is_not_one_of_the_six_is_refused(closed, staff):
    client = signed_in(staff)
    for language in ("de", "FR", "fr-ca"):
        response = client.get(with_query(report_url(closed, "html"), lang=language))
        assert response.status_code == 400, language
        assert (
            f"“{language}” is not a language of the tracker: use one of ar, zh-hans, en, fr, ru, es "
            "(without it, your own)." in response.content.decode()
        )
    assert ReportExport.objects.count() == 0 and client.get(report_url(closed, "pdf") + "?lang=xx").status_code == 400
    french = in_french(staff).get(with_query(report_url(closed, "html"), lang="de"))
    assert french.status_code == 400 and "n’est pas une langue de l’outil de suivi" in french.content.decode()

    api = token_client(staff).get(with_query(api_report_url(closed, "html"), lang="de"))
    assert api.status_code == 400 and "lang" in api.json()


def test_the_api_report_takes_the_language(closed, staff):
    html = fetch(token_client(staff), with_query(api_report_url(closed, "html"), lang="fr")).decode()
    assert '<html lang="fr" dir="ltr">' in html and "Rapport de bilan" in html
    # Without it, the requester's language.
    response = token_client(staff).get(api_report_url(closed, "html"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200 and '<html lang="fr"' in body(response).decode()


def test_the_xlsx_in_french_has_french_sheets_headings_labels_and_dates(closed, staff):
    content = fetch(signed_in(staff), with_query(report_url(closed, "xlsx"), lang="fr"))
    workbook = read_xlsx(content)
    assert workbook.sheetnames == ["Synthèse", "Activités", "Rapports manquants"]
    assert workbook.properties.language == "fr"
    assert workbook.properties.title.startswith("Rapport de bilan\xa0: Plan of Action")
    summary = workbook["Synthèse"]
    facts = {row[0]: row[1] for row in summary.iter_rows(min_row=3, max_row=13, max_col=2, values_only=True)}
    assert facts["Édition"] == "Édition destinée aux participants" and facts["État"] == "Clos"
    assert facts["Date limite"] == datetime.datetime(2026, 12, 7)
    assert facts["Cycle précédent"] == "2024" and facts["Exhaustivité"].startswith("Rapports reçus pour ")
    # Its dates in French months, whatever the language of the program that opens it.
    assert summary["B7"].number_format == "[$-40C]d mmm yyyy"
    sheet = workbook["Activités"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:8] == [
        "Édition",
        "Plan",
        "Cycle",
        "Objectif",
        "Activité",
        "Texte de l’activité",
        "Organisation ou organe",
        "État d’ensemble",
    ]
    assert "État communiqué par l’organisation" in headers and "Date de référence" in headers
    values = {str(cell.value) for row in sheet.iter_rows(min_row=2) for cell in row}
    assert {"Oui", "Non", "N’a pas rendu compte", "Chef de file", "En cours"} <= values
    assert sheet.oddHeader.center.text.startswith("Édition destinée aux participants\xa0: nairobi-2007")
    assert not sheet.sheet_view.rightToLeft
    assert [cell.value for cell in workbook["Rapports manquants"][1]] == [
        "Organisation",
        "Nom",
        "Activités sans rapport au cours du cycle",
    ]
    export = ReportExport.objects.get()
    assert export.language == "fr"


def test_the_csv_stays_in_english_whatever_the_language(closed, staff):
    header, rows = read_csv(fetch(in_french(staff), with_query(report_url(closed, "csv"), lang="fr")))
    assert header == exports.ROW_HEADERS
    assert {"Did not report", "In progress"} <= {value for row in rows for value in row.values()}
    assert {row["Role"] for row in rows} >= {"lead", "open to its kind"}


def test_the_pdf_in_french_has_french_headings_dates_and_page_footers(closed, staff):
    content = fetch(in_french(staff), report_url(closed, "pdf"))
    pages = pdf_pages(content)
    cover = " ".join(pages[0].split())
    assert "RAPPORT DE BILAN" in cover and "Publié le" in cover and "Édition destinée aux participants" in cover
    assert "7 décembre 2026" in cover and "Du 1 janvier 2025 au 30 juin 2025" in cover and "En bref" in cover
    text = pdf_text(content)
    assert "Résumé" in text and "Organisations par objectif" in text and "Stocktaking report" not in text
    assert f"Page 2 sur {len(pages)}" in pages[1] and f"Page {len(pages)} sur {len(pages)}" in pages[-1]
    pdf = PdfReader(io.BytesIO(content))
    assert pdf.trailer["/Root"]["/Lang"] == "fr" and pdf.metadata.title.startswith("Rapport de bilan")
    assert ReportExport.objects.get().language == "fr"


def test_an_arabic_pdf_runs_right_to_left_in_a_font_with_arabic_letters(closed, staff, tmp_path):
    # An English plan's texts run left to right in an Arabic report.
    html = fetch(signed_in(staff), with_query(report_url(closed, "html"), lang="ar")).decode()
    assert '<html lang="ar" dir="rtl">' in html and '<p class="activity-text" lang="en" dir="ltr">' in html
    # A plan adopted in Arabic: its title is drawn in Arabic letters; the interface, not translated, is English.
    Plan.objects.filter(code=NAIROBI).update(title=ARABIC_TITLE, language="ar")
    closed.frozen_reports = {}
    closed.save(update_fields=["frozen_reports"])  # frozen again, with the Arabic title
    html = fetch(signed_in(staff), with_query(report_url(closed, "html"), lang="ar")).decode()
    assert f'<h1 lang="ar" dir="rtl">{ARABIC_TITLE}</h1>' in html

    content = fetch(signed_in(staff), with_query(report_url(closed, "pdf"), lang="ar"))
    pages = pdf_pages(content, layout=False)
    assert ARABIC_LETTERS.search(pages[0]), pages[0][:500]
    assert "Stocktaking report" in pages[0] or "STOCKTAKING REPORT" in pages[0]
    assert PdfReader(io.BytesIO(content)).trailer["/Root"]["/Lang"] == "ar"
    # Every glyph, the Arabic ones too, from DejaVu Sans (fonts-dejavu-core).
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = {line.split()[0].split("+")[-1] for line in listed.splitlines()[2:] if line.strip()}
    assert fonts and all(font.startswith("DejaVu-Sans") for font in fonts), listed
    # Mirrored: the page number at the end of the line, which is the left.
    footer = pdf_pages(content)[1].rstrip().splitlines()[-1]
    assert footer.lstrip().startswith("Page 2 of"), footer
    # The chart over the cycles names their months by number: no Arabic word drawn inside the SVG, whose
    # right-to-left text WeasyPrint does not lay out.
    assert ">12/2024</text>" in html and ">06/2025</text>" in html


def test_the_arabic_xlsx_runs_right_to_left(closed, staff):
    workbook = read_xlsx(fetch(signed_in(staff), with_query(report_url(closed, "xlsx"), lang="ar")))
    assert workbook.properties.language == "ar"
    assert all(sheet.sheet_view.rightToLeft for sheet in workbook.worksheets)


def test_each_language_is_its_own_export(closed, staff):
    client = signed_in(staff)
    french = fetch(client, with_query(report_url(closed, "xlsx"), lang="fr"))
    english = fetch(client, report_url(closed, "xlsx"))
    assert read_xlsx(french).sheetnames[0] == "Synthèse" and read_xlsx(english).sheetnames[0] == "Summary"
    assert sorted(ReportExport.objects.values_list("language", flat=True)) == ["en", "fr"]


def test_the_report_stored_at_closing_is_in_the_language_given(closed, secretariat):
    with translation.override("fr"):  # the site's language by default, whatever language is active
        stored = cycle_report_store(cycle=closed, actor=secretariat)
    with stored["xlsx"].file.open("rb") as file:
        assert read_xlsx(file.read()).properties.language == "en"
    closed.report_files.all().delete()
    stored = cycle_report_store(cycle=closed, actor=secretariat, language="fr")
    with stored["xlsx"].file.open("rb") as file:
        workbook = read_xlsx(file.read())
    assert workbook.properties.language == "fr" and workbook.sheetnames[0] == "Synthèse"
    with stored["pdf"].file.open("rb") as file:
        assert PdfReader(io.BytesIO(file.read())).trailer["/Root"]["/Lang"] == "fr"
