"""The drop-down the large pages write themselves reads as Django's own."""

import re

import pytest
from django import forms

from organizations.models import Organization
from tracker.forms import QuickSelect


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
