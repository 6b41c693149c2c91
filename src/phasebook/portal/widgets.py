"""Form widgets that let a person edit the catalogue's JSON fields as rows.

They only turn rows into the stored JSON shape and back; validation stays where it is
(the model fields' validators call the scheduling core's parsers), so a bad row gets the
same German message as bad JSON through the API would.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from string import ascii_uppercase
from typing import Any

from django import forms
from django.db.models import Model
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from phasebook.scheduling.calendar import WEEKDAYS

SPARE_ROWS = 2  # empty rows to add segments without JavaScript
SPANS_PER_DAY = 2  # e.g. 09:00–13:00 and 14:00–18:00


def _loaded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


class SegmentRowsWidget(forms.Widget):
    """A service's segments as table rows: position, name, minutes, stylist needed.

    Keys of existing segments are kept (Cal.com event types are mapped by them); a new row
    gets the next free letter, or GAP_<previous key> when it is processing time.
    """

    template_name = "portal/widgets/segments.html"

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        segments = _loaded(value)
        rows = [dict(segment) for segment in segments] if isinstance(segments, list) else []
        rows += [{} for _ in range(SPARE_ROWS)]
        context["widget"]["rows"] = [
            {"index": index, "position": index + 1, **row} for index, row in enumerate(rows)
        ]
        return context

    def value_from_datadict(
        self, data: Mapping[str, Any] | MultiValueDict[str, Any], files: Any, name: str
    ) -> str:
        rows = []
        for index in range(int(data.get(f"{name}-rows") or 0)):
            field = f"{name}-{index}"
            label = str(data.get(f"{field}-name", "")).strip()
            minutes = str(data.get(f"{field}-minutes", "")).strip()
            if not label and not minutes:
                continue  # an unused spare row
            rows.append(
                (
                    _number(data.get(f"{field}-position"), index + 1),
                    index,
                    {
                        "key": str(data.get(f"{field}-key", "")).strip(),
                        "name": label,
                        "duration_minutes": _number(minutes, minutes),
                        "staff_required": bool(data.get(f"{field}-staff")),
                    },
                )
            )
        segments = [segment for _, _, segment in sorted(rows, key=lambda row: row[:2])]
        return json.dumps(_with_keys(segments))  # JSON text, as forms.JSONField reads it

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}-rows" not in data


def _number(raw: Any, fallback: Any) -> Any:
    try:
        return int(str(raw).strip())
    except ValueError:
        return fallback  # the validator names the bad value


def _with_keys(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    taken = {segment["key"] for segment in segments if segment["key"]}
    letters = (letter for letter in ascii_uppercase if letter not in taken)
    previous = ""
    for segment in segments:
        if not segment["key"]:
            key = f"GAP_{previous}" if not segment["staff_required"] and previous else ""
            segment["key"] = key if key and key not in taken else next(letters, "")
            taken.add(segment["key"])
        previous = segment["key"] if segment["staff_required"] else previous
    return segments


class WeeklyHoursWidget(forms.Widget):
    """Hours per weekday: up to two spans from–to; an empty day is closed."""

    template_name = "portal/widgets/weekly_hours.html"
    DAY_NAMES = (
        _("Montag"),
        _("Dienstag"),
        _("Mittwoch"),
        _("Donnerstag"),
        _("Freitag"),
        _("Samstag"),
        _("Sonntag"),
    )

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        hours = _loaded(value)
        hours = hours if isinstance(hours, dict) else {}
        context["widget"]["days"] = [
            {
                "code": code,
                "name": day_name,
                "spans": [_span(hours.get(code), position) for position in range(SPANS_PER_DAY)],
            }
            for code, day_name in zip(WEEKDAYS, self.DAY_NAMES, strict=True)
        ]
        return context

    def value_from_datadict(
        self, data: Mapping[str, Any] | MultiValueDict[str, Any], files: Any, name: str
    ) -> str:
        hours = {}
        for code in WEEKDAYS:
            spans = []
            for position in range(SPANS_PER_DAY):
                field = f"{name}-{code}-{position}"
                opening = str(data.get(f"{field}-from", "")).strip()
                closing = str(data.get(f"{field}-to", "")).strip()
                if opening or closing:
                    spans.append([opening, closing])
            if spans:
                hours[code] = spans
        return json.dumps(hours)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}-mon-0-from" not in data


def _span(spans: Any, position: int) -> dict[str, Any]:
    if isinstance(spans, list) and position < len(spans) and len(spans[position]) == 2:
        opening, closing = spans[position]
        return {"position": position, "from": opening, "to": closing}
    return {"position": position, "from": "", "to": ""}


WIDGET_FOR = {
    "segments": SegmentRowsWidget,
    "opening_hours": WeeklyHoursWidget,
    "working_hours": WeeklyHoursWidget,
}


def catalogue_form(model: type[Model], *json_fields: str) -> type[forms.ModelForm[Any]]:
    """An admin form for `model` whose JSON fields are edited as rows."""
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": "__all__",
            "widgets": {field: WIDGET_FOR[field]() for field in json_fields},
        },
    )
    return type(f"{model.__name__}Form", (forms.ModelForm,), {"Meta": meta})
