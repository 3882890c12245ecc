"""The admin's fields for the unofficial translations of plans' texts and organizations' names: one per
language and text, in a collapsed fieldset at the end of the change form (see tracker.translations)."""

import functools
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from tracker.languages import LANGUAGE_CODES
from tracker.translations import Translatable, adopted_in, clean_translations


def translation_field(language: str, field: str) -> str:
    """The name of the form field holding ``field``'s translation into ``language``."""
    return f"translation_{language.replace('-', '_')}_{field}"


class TranslationsFormMixin(forms.ModelForm):
    """Reads and writes a row's ``translations`` as one form field per language and translated text."""

    translated_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for language, texts in (self.instance.translations or {}).items():
            for field, text in texts.items():
                name = translation_field(language, field)
                if name in self.fields:
                    self.initial.setdefault(name, text)

    def original_language(self) -> str:
        """The language of the texts as adopted, as the form now has it (a plan's language may be changing)."""
        data = self.cleaned_data
        if data.get("language"):
            return str(data["language"])
        if data.get("plan"):
            return str(data["plan"].language)
        if data.get("objective"):
            return str(data["objective"].plan.language)
        return self.instance.original_language() if isinstance(self.instance, Translatable) else settings.LANGUAGE_CODE

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        original = self.original_language()
        typed = {
            language: {field: cleaned.get(translation_field(language, field)) or "" for field in self.translated_fields}
            for language in LANGUAGE_CODES
        }
        for field, text in typed[original].items():
            if text.strip():  # typed here, it is told; kept in a row, it is left out (clean_translations)
                self.add_error(translation_field(original, field), adopted_in(original))
        self.instance.translations = clean_translations(typed, self.translated_fields, original)
        return cleaned


@functools.cache  # one class per model and base form: the admin asks for it several times a page
def translations_form(model: type[Translatable], base: type[forms.ModelForm] = forms.ModelForm) -> type:
    """A model form for ``model`` (from ``base``) with a field for each translated text in each language."""
    declared: dict[str, Any] = {"translated_fields": model.translated_fields}
    for language, name in settings.LANGUAGES:
        for field in model.translated_fields:
            model_field = model._meta.get_field(field)
            assert isinstance(model_field, models.Field)
            long = isinstance(model_field, models.TextField)
            declared[translation_field(language, field)] = forms.CharField(
                label=format_lazy("{} ({})", capfirst(model_field.verbose_name), name),
                required=False,
                max_length=model_field.max_length,
                widget=forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput(attrs={"size": 80}),
            )
    return type(f"{model.__name__}TranslationsForm", (TranslationsFormMixin, base), declared)


class TranslationsAdmin(admin.ModelAdmin):
    """An admin whose change form ends with the texts' unofficial translations, one fieldset, collapsed."""

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = translations_form(self.model, self.form)  # type: ignore[arg-type]  # a class is hashable
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        translated = [
            translation_field(language, field) for language in LANGUAGE_CODES for field in self.model.translated_fields
        ]
        fieldsets = [
            (
                title,
                {**options, "fields": [f for f in options["fields"] if f not in translated and f != "translations"]},
            )
            for title, options in super().get_fieldsets(request, obj)
        ]
        return [*fieldsets, (_("Unofficial translations"), {"classes": ["collapse"], "fields": translated})]


def in_plan_language(text: str, plan: Any) -> str:
    """A plan's text in an admin list, marked as written in the plan's language, whatever the admin's."""
    return format_html('<span lang="{}">{}</span>', plan.language, text)
