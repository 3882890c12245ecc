"""Unofficial translations of the plans' texts and of organizations' names (issue 13): kept beside the
adopted text, shown to a reader of their language marked as unofficial with the original a click away,
entered in the admin, given by the API on request."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from actions.models import Activity, Objective, Plan
from organizations.models import Organization
from tests.tracker.test_french_pages import english_left, in_french

pytestmark = pytest.mark.django_db

FRENCH_TEXT = "Examiner les instruments juridiques et en rendre compte."


@pytest.fixture
def translated():
    """Activity 1.1 of the Nairobi plan and its objective with a French translation; ICAO's French name."""
    activity = Activity.objects.select_related("plan", "objective").get(plan__code="nairobi-2007", number="1.1")
    activity.translations = {"fr": {"text": FRENCH_TEXT}}
    activity.save()
    objective = activity.objective
    objective.translations = {"fr": {"text": "Objectif traduit"}}
    objective.save()
    Organization.objects.filter(acronym="ICAO").update(
        translations={"fr": {"name": "Organisation de l’aviation civile internationale"}}
    )
    return activity


def test_a_text_is_shown_in_its_translation_to_its_readers_and_as_adopted_to_the_others(translated):
    shown = translated.shown("text", "fr")
    assert (shown.text, shown.language, shown.translated) == (FRENCH_TEXT, "fr", True)
    for language in ("en", "es", "ar"):  # English is the original; nothing in Spanish or Arabic
        shown = translated.shown("text", language)
        assert (shown.text, shown.language, shown.translated) == (translated.text, "en", False)
    assert translated.shown("responsible_text", "fr").translated is False  # not translated: as adopted
    assert translated.translation_into("fr") == {"text": FRENCH_TEXT}
    assert translated.translation_into("en") == {}


@pytest.mark.parametrize(
    ("translations", "says"),
    [
        ({"xx": {"text": "?"}}, "“xx” is not one of the languages of the tracker."),
        ({"fr": {"number": "1.2"}}, "“number” cannot be translated; these can: text, responsible_text."),
        ({"fr": {"text": 12}}, "The translation of “text” must be text."),
        ({"fr": "Examiner"}, "Give the translations into “fr” as an object keyed by field."),
        (["fr"], "Give the translations as an object keyed by language."),
    ],
)
def test_a_translation_the_tracker_cannot_keep_is_refused_with_what_is_wrong(translations, says):
    activity = Activity.objects.get(plan__code="nairobi-2007", number="1.1")
    activity.translations = translations
    with pytest.raises(ValidationError) as refused:
        activity.full_clean()
    assert refused.value.messages == [says]


def test_blank_translations_are_left_out_and_texts_trimmed():
    activity = Activity.objects.get(plan__code="nairobi-2007", number="1.1")
    activity.translations = {"fr": {"text": "  Examiner  ", "responsible_text": "  "}, "es": {"text": ""}}
    activity.full_clean()
    assert activity.translations == {"fr": {"text": "Examiner"}}


def test_a_plan_s_language_changed_under_its_translations_leaves_those_into_it_out(admin_client):
    """Its objectives' French translations need none once the plan is French: the admin saves the plan and
    its objectives (their inline forms have no translations to show an error on)."""
    plan = Plan.objects.get(code="nairobi-2007")
    objective = plan.objectives.get(number=1)
    objective.translations = {"fr": {"text": "Objectif traduit"}, "es": {"text": "Objetivo"}}
    objective.save()
    plan.language = "fr"
    plan.save()
    objective.refresh_from_db()
    objective.full_clean()
    assert objective.translations == {"es": {"text": "Objetivo"}}
    url = f"/admin/actions/plan/{plan.pk}/change/"
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({f"{management.prefix}-{key}": value for key, value in management.initial.items()})
        for inline in formset.formset.forms:
            data.update({inline.add_prefix(name): inline.initial.get(name) or "" for name in inline.fields})
            data[inline.add_prefix("id")] = inline.instance.pk
            data[inline.add_prefix("plan")] = plan.pk
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]


def test_the_plan_page_in_french_shows_the_translation_marked_unofficial_and_leads_to_the_original(translated, viewer):
    client = in_french(viewer)
    html = client.get("/plans/nairobi-2007/").content.decode()
    assert f'<a class="plain" href="/activities/{translated.pk}/" lang="fr">{FRENCH_TEXT}</a>' in html
    assert '<span lang="fr">Objectif traduit</span> <a class="unofficial" href="?original=1"' in html
    assert ">traduction non officielle</a>" in html
    assert english_left(html) == []
    # Activities without a translation stay as adopted, in English, said so.
    other = Activity.objects.get(plan__code="nairobi-2007", number="1.2")
    assert f'<a class="plain" href="/activities/{other.pk}/" lang="en">' in html

    original = client.get("/plans/nairobi-2007/", {"original": "1"}).content.decode()
    assert FRENCH_TEXT not in original and "Objectif traduit" not in original
    assert f'<a class="plain" href="/activities/{translated.pk}/" lang="en">{translated.text}</a>' in original
    assert "traduction non officielle" not in original
    assert '<a href="/plans/nairobi-2007/">Afficher les traductions</a>' in original
    assert english_left(original) == []


def test_a_reader_in_english_sees_the_plan_as_adopted(translated, viewer):
    client = Client()
    client.force_login(viewer)
    html = client.get("/plans/nairobi-2007/").content.decode()
    assert FRENCH_TEXT not in html and "unofficial translation" not in html


def test_the_activity_page_in_french_shows_the_translation_marked_unofficial(translated, viewer):
    html = in_french(viewer).get(f"/activities/{translated.pk}/").content.decode()
    assert f'<blockquote class="verbatim"><span lang="fr">{FRENCH_TEXT}</span> <a class="unofficial"' in html
    assert english_left(html) == []
    original = in_french(viewer).get(f"/activities/{translated.pk}/?original=1").content.decode()
    assert f'<blockquote class="verbatim"><span lang="en">{translated.text}</span></blockquote>' in original


def test_an_organization_s_name_in_its_readers_language_is_its_own_not_a_translation(translated, viewer):
    html = in_french(viewer).get("/organizations/ICAO/").content.decode()
    assert '<h1><span lang="fr">Organisation de l’aviation civile internationale</span>' in html
    listed = in_french(viewer).get("/organizations/").content.decode()
    assert '<span lang="fr">Organisation de l’aviation civile internationale</span>' in listed
    assert 'class="unofficial"' not in listed


# --- The API: the text as adopted, and on request its translation with its language ---


def test_the_api_gives_the_adopted_text_and_on_request_its_translation(api, translated):
    url = f"/api/v1/activities/{translated.pk}/"
    plain = api.get(url).json()
    assert plain["text"] == translated.text and plain["language"] == "en" and plain["translation"] is None
    for asked in ({"lang": "fr"}, {}):
        headers = {} if asked else {"HTTP_ACCEPT_LANGUAGE": "fr"}
        answer = api.get(url, asked, **headers).json()
        assert answer["text"] == translated.text  # the adopted text, whatever the language asked
        assert answer["translation"] == {"language": "fr", "text": FRENCH_TEXT}
    assert api.get(url, {"lang": "es"}).json()["translation"] is None
    listed = api.get("/api/v1/activities/", {"plan": "nairobi-2007", "lang": "fr"}).json()["results"]
    assert [a["translation"] for a in listed if a["id"] == translated.pk] == [{"language": "fr", "text": FRENCH_TEXT}]


def test_the_api_keeps_an_answer_per_language(api, translated, settings):
    settings.API_ANSWERS_KEPT = True
    url = f"/api/v1/activities/{translated.pk}/"
    assert api.get(url).json()["translation"] is None
    assert api.get(url, {"lang": "fr"}).json()["translation"] == {"language": "fr", "text": FRENCH_TEXT}
    assert api.get(url).json()["translation"] is None


def test_the_api_gives_the_translations_of_a_plan_its_objectives_and_an_organization(api, translated):
    plan = api.get("/api/v1/plans/nairobi-2007/", {"lang": "fr"}).json()
    assert plan["translation"] is None  # its title has none
    [objective] = [o for o in plan["objectives"] if o["number"] == translated.objective.number]
    assert objective["translation"] == {"language": "fr", "text": "Objectif traduit"}
    icao = api.get("/api/v1/organizations/ICAO/", {"lang": "fr"}).json()
    assert icao["name"] == "International Civil Aviation Organization"
    assert icao["translation"] == {"language": "fr", "name": "Organisation de l’aviation civile internationale"}


def test_a_language_the_tracker_does_not_have_is_a_400_naming_those_it_has(api):
    for url in ("/api/v1/activities/", "/api/v1/plans/nairobi-2007/", "/api/v1/organizations/"):
        response = api.get(url, {"lang": "de"})
        assert response.status_code == 400
        assert response.json() == {
            "lang": [
                "“de” is not a language of the tracker: use one of ar, zh-hans, en, fr, ru, es (without it, your own)."
            ]
        }


def test_the_api_writes_its_errors_in_the_language_asked(api):
    response = api.get("/api/v1/activities/", {"lang": "fr", "status": "nowhere"})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.json()["status"][0]


# --- The admin: a field per language and text, in a collapsed fieldset ---


def test_staff_enter_a_translation_in_the_admin(admin_client, translated):
    url = f"/admin/actions/activity/{translated.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    assert "translation_fr_text" in form.fields and "translation_zh_hans_responsible_text" in form.fields
    assert "translations" not in form.fields
    assert form.initial["translation_fr_text"] == FRENCH_TEXT
    data = {
        name: form.initial.get(name, field.initial) or ""
        for name, field in form.fields.items()
        if name not in {"themes"}
    }
    data.update(
        plan=translated.plan_id,
        objective=translated.objective_id,
        translation_es_text="Examinar los instrumentos jurídicos.",
        translation_fr_text="",
        **{f"{prefix}-TOTAL_FORMS": "0" for prefix in ("responsibilities", "open_kinds")},
        **{f"{prefix}-INITIAL_FORMS": "0" for prefix in ("responsibilities", "open_kinds")},
    )
    data = {key: value for key, value in data.items() if value is not None}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    translated.refresh_from_db()
    assert translated.translations == {"es": {"text": "Examinar los instrumentos jurídicos."}}


def test_a_translation_into_the_plan_s_own_language_is_a_form_error_and_nothing_is_saved(admin_client):
    plan = Plan.objects.get(code="nairobi-2007")
    url = f"/admin/actions/objective/{Objective.objects.get(plan=plan, number=1).pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        plan=plan.pk,
        translation_en_text="Again in English",
        translation_fr_text="En français",
        **{"activities-TOTAL_FORMS": "0", "activities-INITIAL_FORMS": "0"},
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "translation_en_text": ["English is the language the texts were adopted in: they need no translation into it."]
    }
    assert Objective.objects.get(plan=plan, number=1).translations == {}


def test_a_translated_title_that_is_a_link_keeps_its_mark_outside_the_link(viewer):
    Plan.objects.filter(code="nairobi-2007").update(translations={"fr": {"title": "Plan d’action traduit"}})
    html = in_french(viewer).get("/").content.decode()
    assert (
        '<h3><a href="/plans/nairobi-2007/"><span lang="fr">Plan d’action traduit</span></a> '
        '<a class="unofficial" href="?original=1"'
    ) in html
    assert english_left(html) == []
