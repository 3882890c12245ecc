"""Translations of the plans' texts and of organizations' names (issue 13).

A plan is adopted in one language (``Plan.language``); its title, its objectives' and its activities'
texts are kept as adopted, in the model's own fields, and never change with the reader's language.
A translation into another of the six languages is content, entered by staff, and unofficial: it is
kept beside the original in the row's ``translations`` (``{"fr": {"text": "…"}}``), shown to a reader
of that language marked "unofficial translation", with the original one click away (``?original=1``).

Why a JSON field and not a library: django-modeltranslation turns every read of ``text`` and every
lookup on it into the active language's column (a reader in French would search the English plans'
French columns, and the API would no longer return the adopted text by default); django-parler moves
the texts into a table of their own, joined on every read of a plan page at twenty years of history;
django-modeltrans keeps them in a JSON field too, but on PostgreSQL only, and the tracker also runs on
SQLite. A JSON field per row costs no join and no query, and adding a language needs no migration.
"""

from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from tracker.languages import LANGUAGE_CODES, active_language, supported


@dataclass(frozen=True)
class Shown:
    """A text as shown to a reader: the words, the language they are in, and whether they are a translation."""

    text: str
    language: str
    translated: bool

    def __str__(self) -> str:
        return self.text


class Translatable(models.Model):
    """A model some of whose texts may carry unofficial translations, one per language."""

    translated_fields: ClassVar[tuple[str, ...]] = ()

    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_('Unofficial translations of the texts, by language: {"fr": {"text": "…"}}.'),
    )

    class Meta:
        abstract = True

    def original_language(self) -> str:
        """The language the texts are written in, as adopted."""
        return settings.LANGUAGE_CODE

    def shown(self, field: str, language: str | None = None, *, original: str | None = None) -> Shown:
        """``field`` for a reader of ``language`` (the active language by default): its translation into
        that language if there is one, else the original. ``original`` saves reading the plan where the
        caller knows its language."""
        original = original or self.original_language()
        wanted = supported(language) or active_language()
        if wanted != original:
            text = (self.translations or {}).get(wanted, {}).get(field)
            if text:
                return Shown(text, wanted, True)
        return Shown(getattr(self, field), original, False)

    def translation_into(self, language: str) -> dict[str, str]:
        """The fields translated into ``language``, none when it is the original's."""
        if language == self.original_language():
            return {}
        kept = (self.translations or {}).get(language, {})
        return {field: kept[field] for field in self.translated_fields if kept.get(field)}

    def clean(self) -> None:
        super().clean()
        self.translations = clean_translations(self.translations, self.translated_fields, self.original_language())


def adopted_in(language: str) -> str:
    """What a translation into the language the texts were adopted in is told."""
    name = get_language_info(language)["name_translated"]
    return _("%(language)s is the language the texts were adopted in: they need no translation into it.") % {
        "language": name
    }


def clean_translations(value: Any, fields: tuple[str, ...], original: str) -> dict[str, dict[str, str]]:
    """``value`` as stored: languages of LANGUAGES, fields of ``fields``, texts stripped, empty ones left out,
    and none into the ``original`` language, which needs none (a plan's language may change under its
    translations). Anything else is a ValidationError naming what is wrong: not tied to the ``translations``
    field, which the admin's inline forms do not show."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError(_("Give the translations as an object keyed by language."))
    errors = []
    kept: dict[str, dict[str, str]] = {}
    for language, texts in value.items():
        if language not in LANGUAGE_CODES:
            errors.append(_("“%(language)s” is not one of the languages of the tracker.") % {"language": language})
            continue
        if not isinstance(texts, dict):
            errors.append(
                _("Give the translations into “%(language)s” as an object keyed by field.") % {"language": language}
            )
            continue
        for field, text in texts.items():
            if field not in fields:
                errors.append(
                    _("“%(field)s” cannot be translated; these can: %(fields)s.")
                    % {"field": field, "fields": ", ".join(fields)}
                )
            elif not isinstance(text, str):
                errors.append(_("The translation of “%(field)s” must be text.") % {"field": field})
            elif text.strip() and language != original:
                kept.setdefault(language, {})[field] = text.strip()
    if errors:
        raise ValidationError(errors)
    return kept
