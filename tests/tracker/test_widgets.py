"""The widgets the pages share: the drop-down the large pages write themselves reads as Django's own;
a day is typed as the pages show it."""

import datetime
import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, translation

from organizations.models import Organization
from tracker.forms import DAY_FORMAT, DayField, DayWriter, QuickSelect


def normalized(html: str) -> str:
    """The HTML without the line breaks and indentation between tags that Django's templates add."""
    return re.sub(r">\s+<", "><", html.strip())


CHOICES = [
    ("", "All <kinds>"),
    ("Intergovernmental", [("un", "United Nations"), ("au", 'African "Union"')]),
    ("icao", "ICAO & friends"),
]


@pytest.mark.parametrize("value", [None, "au", "icao", "missing"])
def test_it_writes_what_djangos_select_writes(value):
    attrs = {"id": "id_kind", "required": True, "disabled": False, "data-x": "a&b"}
    ours = QuickSelect(attrs=attrs, choices=CHOICES).render("kind", value)
    django = forms.Select(attrs=attrs, choices=CHOICES).render("kind", value)
    assert normalized(ours) == normalized(django)
    assert ours.count(" selected") == (value != "missing")  # no value chooses the empty option


@pytest.mark.django_db
def test_a_model_choice_field_with_it_offers_and_selects_the_same_as_with_djangos():
    field = forms.ModelChoiceField(Organization.objects.order_by("acronym"), to_field_name="acronym")
    Organization.objects.create(acronym="X&Y", name="X and Y", kind="regional")
    chosen = Organization.objects.order_by("acronym")[1].acronym
    field.widget = QuickSelect(choices=field.choices)
    ours = field.widget.render("organization", chosen)
    field.widget = forms.Select(choices=field.choices)
    assert normalized(ours) == normalized(field.widget.render("organization", chosen))
    assert f'value="{chosen}" selected' in ours and "X&amp;Y" in ours


@pytest.mark.parametrize("typed", ["23 Nov 2026", "23 November 2026", "2026-11-23", "3 Nov 2026"])
def test_a_day_is_typed_as_the_pages_show_it_or_as_iso(typed):
    field = DayField()
    assert field.clean(typed) in {datetime.date(2026, 11, 23), datetime.date(2026, 11, 3)}


def test_a_day_is_shown_in_its_box_as_the_pages_show_it():
    html = DayField().widget.render("day", datetime.date(2026, 11, 3))
    assert 'type="text"' in html and 'value="3 Nov 2026"' in html and 'placeholder="e.g. 23 Nov 2026"' in html


def test_a_day_that_cannot_be_read_says_how_to_write_it():
    with pytest.raises(ValidationError, match="Give the day as 23 Nov 2026"):
        DayField().clean("11/23/2026")


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "6 Sep 2007"),
        ("fr", "6 septembre 2007"),  # French's short names would make "Jui" June and "Jul" July
        ("es", "6 de septiembre de 2007"),
        ("ru", "6 сентября 2007 г."),
        ("ar", "6 سبتمبر، 2007"),
        ("zh-hans", "2007年9月6日"),
    ],
)
def test_the_day_writer_writes_each_day_as_the_pages_date_format_does(language, written):
    with translation.override(language):
        write = DayWriter()
        days = [datetime.date(2026, month, day) for month in range(1, 13) for day in (1, 9, 28)]
        assert [write(day) for day in days] == [formats.date_format(day, DAY_FORMAT) for day in days]
        assert write(datetime.date(2007, 9, 6)) == written
        assert write(None) == "—" and write(None, "never") == "never"


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("fr", "23 novembre 2026"),  # as a French page shows it
        ("fr", "23 Nov 2026"),
        ("fr", "23 nov. 2026"),
        ("fr", "23 November 2026"),  # English, on a French page too
        ("es", "23 de noviembre de 2026"),
        ("es", "23 noviembre 2026"),
        ("ru", "23 ноября 2026 г."),
        ("ru", "23 Ноя 2026"),
        ("ar", "23 نوفمبر، 2026"),
        ("ar", "23 نوفمبر 2026"),
        ("zh-hans", "2026年11月23日"),
        ("zh-hans", "23 十一月 2026"),
        ("fr", "2026-11-23"),
    ],
)
def test_a_day_is_typed_as_a_page_in_any_language_shows_it(language, typed):
    with translation.override(language):
        assert DayField().clean(typed) == datetime.date(2026, 11, 23)


@pytest.mark.parametrize("language", ["en", "fr", "es", "ru", "ar", "zh-hans"])
def test_every_day_a_page_shows_is_read_back_the_same(language):
    field = DayField()
    with translation.override(language):
        for month in range(1, 13):
            day = datetime.date(2026, month, 28)
            assert field.clean(field.widget.format_value(day)) == day


def test_in_french_the_box_and_its_message_speak_french():
    with translation.override("fr"):
        html = DayField().widget.render("day", None)
        assert 'placeholder="p. ex. 23 novembre 2026"' in html
        with pytest.raises(ValidationError, match="Indiquez le jour sous la forme 23 novembre 2026"):
            DayField().clean("31 février 2026")
