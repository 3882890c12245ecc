"""The stocktaking cycle pages in French (issue 13): no interface English left, for each role that sees them.

The cycle list, an open and a closed cycle's page, the closing confirmation (and its refusal), the new-cycle
form with its errors, the spreadsheet upload (its form, a preview with row errors, a file refused, a preview to
confirm), a plan's progress page, a report's export progress, and what the services and the reminder button say.
"""

import datetime
import io
import re

import pytest
from celery import current_app
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from reports import exports
from reports.models import ReportExport, ReportFile
from reports.services import cycle_close
from reports.tasks import build_report_export
from tests.reports.scenario import accept, log, new_cycle, populate
from tests.reports.test_spreadsheet import GOOD_33, add_row, download, fill, row_errors, row_of, saved, upload
from tests.tracker.test_french_pages import english_left, in_french

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
EVERY_ROLE = ["staff", "secretariat", "focal_point", "viewer"]
RUNNERS = ["staff", "secretariat"]  # who creates, opens and closes cycles


@pytest.fixture
def cycles(staff, focal_point, other_focal_point, secretariat, settings, tmp_path):
    """A closed cycle of the Nairobi plan (the second half of 2024, its report sent) and the open one of the
    first half of 2025 with the scenario's entries."""
    settings.MEDIA_ROOT = tmp_path / "media"
    closed = new_cycle(
        secretariat,
        title="Second half 2024",
        start=datetime.date(2024, 7, 1),
        end=datetime.date(2024, 12, 31),
        deadline=datetime.date(2025, 1, 15),
    )
    planned = log(focal_point, "3.3", "ICAO", "planned", "Workshop planned.", reported_on=datetime.date(2024, 9, 1))
    accept(planned, staff)
    cycle_close(cycle=closed, actor=secretariat, confirm=True)
    for format_ in ("pdf", "xlsx"):
        ReportFile.objects.create(cycle=closed, format=format_, file=ContentFile(b"report", name=f"r.{format_}"))
    closed.report_sent_at = timezone.make_aware(datetime.datetime(2025, 1, 20, 9, 30))
    closed.save(update_fields=["report_sent_at"])
    opened = new_cycle(secretariat)
    populate(staff, focal_point, other_focal_point)
    return closed, opened


def french_page(client, path: str, status: int = 200, **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == status, (path, response.status_code)
    html = response.content.decode()
    assert english_left(html) == [], path
    return html


def text(html: str) -> str:
    """The page's text, tags left out and white space made one space (a no-break space stays one)."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- The cycle list and a cycle's page ---


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_the_cycle_list_in_french_has_no_english_left(request, cycles, role):
    html = french_page(in_french(request.getfixturevalue(role)), "/cycles/")
    assert "<h1>Cycles de bilan par plan</h1>" in html
    assert '<th scope="col">Période</th>' in html and ">Clos</td>" in html and ">Ouvert</td>" in html
    assert "1 janvier 2025 – 30 juin 2025" in html and "15 juillet 2025" in html
    assert ("Créer un cycle" in html) == (role in RUNNERS)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_an_open_cycle_s_page_in_french_has_no_english_left(request, cycles, role):
    _, opened = cycles
    html = french_page(in_french(request.getfixturevalue(role)), f"/cycles/{opened.pk}/")
    words = text(html)
    assert f"Période du 1 janvier 2025 au 30 juin 2025 · date limite{NBSP}: 15 juillet 2025" in words
    assert "en retard de" in words  # the countdown: the deadline has passed
    assert f"Exhaustivité{NBSP}: " in words and "couples activité-organisation attendus" in words
    assert "Qui n’a pas rendu compte" in words
    assert ("Édition interne" in words) == (role == "staff")
    assert ("Clôturer le cycle…" in words) == (role in RUNNERS)
    assert ("Cote du document" in words) == (role in RUNNERS)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_a_closed_cycle_s_page_in_french_has_no_english_left(request, cycles, role):
    closed, _ = cycles
    html = french_page(in_french(request.getfixturevalue(role)), f"/cycles/{closed.pk}/")
    words = text(html)
    day = timezone.localtime(closed.closed_at)
    assert f"clos le {day.day} " in words and f"{day.year} à {day:%H:%M}" in words
    sent = f'<p class="sent-files">Tel qu’envoyé aux participants le 20 janvier 2025{NBSP}: <a [^>]+>PDF</a>'
    assert re.search(sent, html)
    assert "Le rapport présente le plan tel qu’il était à la clôture du cycle" in words
    assert "Clôturer le cycle" not in words


def test_a_cycle_s_symbol_and_state_messages_in_french(cycles, secretariat):
    closed, _ = cycles
    client = in_french(secretariat)
    saved_symbol = client.post(f"/cycles/{closed.pk}/symbol/", {"document_symbol": "S/AC.40/2025/1"}, follow=True)
    assert "La cote du document est enregistrée" in saved_symbol.content.decode()
    assert english_left(saved_symbol.content.decode()) == []
    refused = client.get(f"/cycles/{closed.pk}/close/", follow=True)
    assert "Seul un cycle ouvert peut être clôturé." in refused.content.decode()
    assert english_left(refused.content.decode()) == []


# --- Closing ---


@pytest.mark.parametrize("role", RUNNERS)
def test_the_close_confirmation_in_french_has_no_english_left(request, cycles, role):
    _, opened = cycles
    client = in_french(request.getfixturevalue(role))
    html = french_page(client, f"/cycles/{opened.pk}/close/")
    words = text(html)
    assert f"<h1>Clôturer First half 2025{NBSP}?</h1>" in html
    assert "Ce qu’entraînera la clôture" in words and "La clôture est irréversible." in words
    assert re.search(r"\d+ organisations recevront le rapport", words)
    assert "Annuler" + NBSP + ": le laisser ouvert" in words

    # Sent without the confirmation: refused with the service's words, in French.
    refused = client.post(f"/cycles/{opened.pk}/close/")
    assert refused.status_code == 400
    assert english_left(refused.content.decode()) == []
    refusal = text(refused.content.decode())
    assert f"Rien n’a été clôturé{NBSP}: La clôture de «{NBSP}First half 2025{NBSP}» est irréversible" in refusal
    assert re.search(r"envoyé par courriel à \d+ points? focaux? de \d+ organisations?", refusal)
    assert "Confirmez pour le clôturer." in refusal

    done = client.post(f"/cycles/{opened.pk}/close/", {"confirm": "1"}, follow=True)
    assert english_left(done.content.decode()) == []
    assert f"Le cycle «{NBSP}First half 2025{NBSP}» est clos." in done.content.decode()


# --- A new cycle ---


def cycle_form(**changes) -> dict:
    body = {
        "plan": "nairobi-2007",
        "title": "Second half 2025",
        "period_start": "1 juillet 2025",
        "period_end": "31 décembre 2025",
        "deadline": "15 juillet 2025",
        "past_deadline": "on",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize("role", RUNNERS)
def test_the_new_cycle_form_and_its_errors_in_french(request, cycles, role):
    client = in_french(request.getfixturevalue(role))
    html = french_page(client, "/cycles/new/")
    assert "<h1>Nouveau cycle de bilan</h1>" in html
    for label in ("Intitulé", "Début de la période", "Fin de la période", "Date limite", "Cote du document"):
        assert f">{label}</label>" in html, label
    assert "Choisir un plan" in html and "L’ouvrir maintenant" in html
    assert "La date à laquelle les organisations doivent avoir soumis leurs entrées." in html

    # A deadline passed and not confirmed, a day that cannot be read, no title.
    response = client.post("/cycles/new/", cycle_form(title="", period_end="bientôt", past_deadline=None))
    assert response.status_code == 400
    html = response.content.decode()
    assert english_left(html) == []
    assert f"Cette date limite, le 15 juillet 2025, est passée{NBSP}:" in html
    assert f"La date limite est passée{NBSP}: créer le cycle malgré tout" in html
    assert "Indiquez le jour sous la forme 23 novembre 2026 (ou 2026-11-23)." in html

    # The service's refusal: an open cycle already.
    second_open = client.post("/cycles/new/", cycle_form(open_now="on"))
    assert english_left(second_open.content.decode()) == []
    assert f"a déjà un cycle ouvert{NBSP}: clôturez-le avant d’en ouvrir un autre." in second_open.content.decode()

    created = client.post("/cycles/new/", cycle_form(), follow=True)
    html = created.content.decode()
    assert english_left(html) == []
    assert f"Le cycle «{NBSP}Second half 2025{NBSP}» a été créé." in html
    assert ">Prévu</span>" in html and "Ouvrir le cycle" in html


# --- The spreadsheet upload ---

UPLOADERS = ["focal_point", "staff"]  # a focal point for its own organization, CTED staff for any


@pytest.mark.parametrize("role", UPLOADERS)
def test_the_upload_page_in_french_has_no_english_left(request, cycles, role):
    html = french_page(in_french(request.getfixturevalue(role)), "/organizations/ICAO/upload/")
    assert "<h1>Téléverser l’avancement de ICAO</h1>" in html
    assert ">Classeur rempli</label>" in html and "Vérifier le fichier" in html


@pytest.mark.parametrize("role", UPLOADERS)
def test_a_preview_with_row_errors_in_french(request, cycles, role):
    client = in_french(request.getfixturevalue(role))
    workbook = download(client)
    fill(
        workbook,
        {
            "3.3": GOOD_33,
            "3.2": {"Status": "Presque fini", "Observations": "Circulated."},
            "3.4": {"Status": "Planned", "Observations": "x", "Reports on": "31/12/2024"},
            "5.2": {"Status": "Planned", "Observations": "", "Confidentiality": "secret"},
            "1.2": {**GOOD_33, "Not applicable: why": "Does not apply."},
        },
    )
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    row_33 = row_of(workbook, "3.3")
    unknown = add_row(workbook, "nairobi-2007", "3.99", {"Status": "Planned", "Observations": "x"})
    not_ours = add_row(workbook, "nairobi-2007", "3.6", {"Status": "Planned", "Observations": "x"})
    again = add_row(workbook, "nairobi-2007", "3.3", {"Status": "Planned", "Observations": "x", "Reports on": future})
    response = upload(client, saved(workbook))
    assert response.status_code == 400
    html = response.content.decode()
    assert english_left(html) == []
    assert re.search(rf"<h2>\d+ erreurs{NBSP}: rien ne sera saisi</h2>", html)
    errors: dict[int, str] = {}
    for row, message in row_errors(response):
        message = re.sub(r"<[^>]+>", "", message)  # the columns it names, marked as English
        errors[row] = f"{errors[row]} {message}" if row in errors else message
    assert errors[row_of(workbook, "3.2")].startswith(f"«{NBSP}Presque fini{NBSP}» n’est pas un état{NBSP}; ")
    assert "Non commencée, Prévue, En cours" in errors[row_of(workbook, "3.2")]
    assert errors[row_of(workbook, "3.4")] == (
        f"«{NBSP}31/12/2024{NBSP}» n’est pas une date{NBSP}: écrivez-la au format AAAA-MM-JJ."
    )
    assert f"Les observations sont vides{NBSP}: indiquez ce qui a été fait." in errors[row_of(workbook, "5.2")]
    assert f"«{NBSP}secret{NBSP}» n’est pas un niveau de confidentialité" in errors[row_of(workbook, "5.2")]
    assert errors[row_of(workbook, "1.2")].startswith("Rendez compte de l’activité ou indiquez pourquoi")
    assert errors[unknown] == "Le plan nairobi-2007 n’a pas d’activité 3.99."
    if role == "focal_point":
        assert errors[not_ours] == "L’activité 3.6 n’incombe pas à ICAO."
    assert f"L’activité 3.3 du plan nairobi-2007 figure déjà à la ligne {row_33}." in errors[again]
    assert f"La date de la colonne «{NBSP}Reports on{NBSP}» est postérieure à aujourd’hui." in errors[again]
    assert f'«{NBSP}<span lang="en">Reports on</span>{NBSP}»' in html


@pytest.mark.parametrize("role", UPLOADERS)
def test_a_file_refused_as_a_whole_in_french(request, cycles, role):
    client = in_french(request.getfixturevalue(role))
    response = upload(client, b"Plan,Activity\nnairobi-2007,3.2\n", name="progress.csv")
    assert response.status_code == 400
    html = response.content.decode()
    assert english_left(html) == []
    assert f"Ce fichier n’est pas au format XLSX{NBSP}: téléchargez le classeur" in html


def test_a_preview_to_confirm_and_its_message_in_french(cycles, focal_point):
    client = in_french(focal_point)
    workbook = download(client)
    fill(
        workbook,
        {
            "3.3": {"Status": "Achevée", "Observations": "Guidance published in French too."},
            "3.4": {"Status": "En cours", "Observations": "Pilot extended.", "Confidentiality": "restricted"},
            # The scenario's latest entry on 3.2, said again: left out.
            "3.2": {"Status": "In progress", "Observations": "Model legislation on travel document security "
                    "circulated to member states."},
            "1.2": {"Not applicable: why": "ICAO keeps no watch lists."},
        },
    )  # fmt: skip
    preview = upload(client, saved(workbook))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert english_left(html) == []
    words = text(html)
    assert "À saisir 2" in words and "Réservée à la DECT et à l’organisation qui rend compte" in words
    assert f"Déjà saisie, écartée{NBSP}: ligne {row_of(workbook, '3.2')}." in words
    assert "À déclarer sans objet 1" in words
    assert "Saisir 2 entrées et 1 déclaration" in words
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    done = client.post("/organizations/ICAO/upload/", {"confirm": "1", "token": token}, follow=True)
    assert (
        f"2 entrées saisies{NBSP}; 1 activité déclarée sans objet{NBSP}; 1 ligne était déjà saisie."
        in done.content.decode()
    )
    stale = client.post("/organizations/ICAO/upload/", {"confirm": "1", "token": token}, follow=True)
    assert f"Ce fichier n’attend plus de confirmation{NBSP}: téléversez-le de nouveau." in stale.content.decode()
    assert english_left(stale.content.decode()) == []


def test_the_downloaded_spreadsheet_explains_itself_in_french(cycles, focal_point):
    response = in_french(focal_point).get("/organizations/ICAO/spreadsheet.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Activities", "Comment le remplir"]  # the sheet the upload reads keeps its name
    assert [cell.value for cell in workbook["Activities"][1]][:2] == ["Plan", "Activity"]  # and its columns
    help_text = "\n".join(str(row[0].value) for row in workbook["Comment le remplir"].iter_rows() if row[0].value)
    assert help_text.startswith("Avancement de ICAO (")
    assert f"Remplissez les colonnes Status et Observations des lignes dont vous rendez compte{NBSP};" in help_text


# --- A plan's progress over its cycles ---


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_the_plan_progress_page_in_french_has_no_english_left(request, cycles, role):
    html = french_page(in_french(request.getfixturevalue(role)), "/plans/nairobi-2007/progress/")
    words = text(html)
    assert "<h1>Avancement d’un cycle de bilan à l’autre</h1>" in html
    assert re.search(rf'aria-label="Exhaustivité par cycle{NBSP}: Second half 2024{NBSP}: \d+{NBSP}%"', html)
    assert re.search(rf"Le cycle ouvert, First half 2025, en est pour l’instant à \d+{NBSP}% · \d+ sur \d+", words)
    assert "Organisations par objectif" in words and re.search(r"\d+ sur \d+", words)
    assert ">déc. 2024</text>" in html  # the chart's month, in French (not "Déc", nor "Jui" for June)


def test_a_plan_without_closed_cycles_says_so_in_french(viewer):
    html = french_page(in_french(viewer), "/plans/nairobi-2007/progress/")
    assert "Aucun cycle n’est encore clos." in html and "Aucun cycle de ce plan n’est encore clos." in html


# --- A report's export, built off the request ---


@pytest.fixture
def worker(monkeypatch):
    """A worker that has not run yet: queued exports wait in the list returned."""
    queue: list[int] = []
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(build_report_export, "apply_async", lambda kwargs, **options: queue.append(kwargs["export_id"]))
    monkeypatch.setattr(transaction, "on_commit", lambda callback, using=None, robust=False: callback())
    return queue


@pytest.mark.parametrize(("role", "edition"), [("staff", "internal"), ("viewer", "participants")])
def test_the_export_progress_page_in_french_has_no_english_left(request, cycles, worker, role, edition):
    _, opened = cycles
    client = in_french(request.getfixturevalue(role))
    response = client.get(f"/cycles/{opened.pk}/report.pdf?edition={edition}")
    assert response.status_code == 302
    html = french_page(client, response["Location"])
    words = text(html)
    assert "<h1>PDF de First half 2025</h1>" in html
    assert "En attente d’un processus de traitement" in words and f"0{NBSP}% effectués." in words
    assert ("Édition interne" if edition == "internal" else "Édition destinée aux participants") in words
    status = french_page(client, response["Location"], headers={"HX-Request": "true"})
    assert "En attente d’un processus de traitement" in status


def test_a_failed_export_says_so_in_french(cycles, staff, monkeypatch):
    _, opened = cycles

    def broken(report, progress=exports._silent):
        raise OSError("No space left on device")

    monkeypatch.setattr(exports, "to_pdf", broken)
    client = in_french(staff)
    response = client.get(f"/cycles/{opened.pk}/report.pdf")
    html = french_page(client, response["Location"])
    assert f"Le fichier PDF n’a pas pu être produit. Rien n’est perdu{NBSP}:" in html


def test_an_export_says_its_stages_in_its_readers_language(cycles, staff, monkeypatch):
    _, opened = cycles
    stages = []
    real_render = exports.render

    def render(report, format_, progress=exports._silent, **options):
        stages.append(ReportExport.objects.get().stage)  # what a reader polling now reads
        return real_render(report, format_, progress, **options)

    monkeypatch.setattr(exports, "render", render)
    in_french(staff).get(f"/cycles/{opened.pk}/report.xlsx")
    assert stages == ["Lecture de l’historique du plan"]
    assert ReportExport.objects.get().language == "fr"


def test_the_report_s_errors_in_french(cycles, staff):
    _, opened = cycles
    client = in_french(staff)
    wrong = client.get(f"/cycles/{opened.pk}/report.pdf?edition=everyone")
    assert wrong.status_code == 400
    edition_choice = f"Choisissez l’édition{NBSP}: participants (par défaut) ou internal (personnel de la DECT)."
    assert wrong.content.decode() == edition_choice
    api = client.get(f"/api/v1/cycles/{opened.pk}/report/?format=doc&edition=everyone")
    assert api.status_code == 400
    assert api.json() == {
        "format": [f"Choisissez l’un des formats suivants{NBSP}: html, csv, xlsx, pdf, json."],
        "edition": [edition_choice],
    }
    closing = client.post(f"/api/v1/cycles/{opened.pk}/close/", {}, content_type="application/json")
    assert closing.status_code == 400 and "est irréversible" in closing.json()["confirm"][0]
    body = {
        "plan": "nairobi-2007",
        "title": "FIRST HALF 2025",
        "period_start": "2025-01-01",
        "period_end": "2025-06-30",
        "deadline": "2025-07-15",
    }
    taken = client.post("/api/v1/cycles/", body, content_type="application/json")
    assert taken.status_code == 400
    assert taken.json() == {"title": [f"Le plan nairobi-2007 a déjà un cycle intitulé «{NBSP}FIRST HALF 2025{NBSP}»."]}
    opening = client.post(f"/api/v1/cycles/{opened.pk}/open/", content_type="application/json")
    assert opening.json() == {"state": [f"Seul un cycle prévu peut être ouvert{NBSP}; celui-ci est déjà ouvert."]}


# --- Sending a cycle's reminders now ---


def test_the_reminder_button_s_messages_in_french(cycles, secretariat, staff):
    _, opened = cycles
    sent = in_french(secretariat).post(f"/cycles/{opened.pk}/remind/", follow=True)
    html = sent.content.decode()
    assert english_left(html) == []
    assert re.search(rf"\d+ rappels? envoyés? pour «{NBSP}First half 2025{NBSP}»\.", html)
    again = in_french(staff).post(f"/cycles/{opened.pk}/remind/", follow=True)
    assert english_left(again.content.decode()) == []
    assert "Les rappels de ce cycle ont déjà été envoyés aujourd’hui à" in again.content.decode()
