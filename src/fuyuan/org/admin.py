"""Django admin for the system administrator's reference data. Every save goes through
org.actions (same rules, same audit trail as the pages); nothing is deleted here — units end
with a date and a successor instead."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from . import actions
from .models import Jurisdiction, ListKind, Mechanism, TaskArea, Unit


class ReferenceAdmin(admin.ModelAdmin):
    """No deletion: reference data is ended or switched off, never removed."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _adopt(obj: Any, saved: Any) -> None:
    """Let the admin continue (messages, redirect, change log) with the saved row."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False


@admin.register(Jurisdiction)
class JurisdictionAdmin(ReferenceAdmin):
    list_display = ("name", "code", "level", "parent", "runs_own_mechanism", "path")
    list_filter = ("level", "runs_own_mechanism")
    search_fields = ("name", "code")
    ordering = ("path",)
    fields = (
        "name",
        "short_name",
        "code",
        "stat_code",
        "level",
        "parent",
        "order",
        "runs_own_mechanism",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The place in the tree is fixed once created: the path of a whole subtree hangs on it.
        return ("parent",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {
            f: form.cleaned_data[f] for f in actions.JURISDICTION_FIELDS if f in form.cleaned_data
        }
        if change:
            original = Jurisdiction.objects.get(pk=obj.pk)
            saved = actions.update_jurisdiction(request.user, original, data)
        else:
            saved = actions.create_jurisdiction(
                request.user, parent=form.cleaned_data.get("parent"), **data
            )
        _adopt(obj, saved)


class UnitAdminForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = (*actions.UNIT_FIELDS, "credit_code_override")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {f: data.get(f) for f in actions.UNIT_FIELDS if f in data}
        try:
            clean = actions.check_unit_data(
                self.instance, values, data.get("credit_code_override") or ""
            )
        except ValidationError as exc:
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            data.update(clean)
        return data


@admin.register(Unit)
class UnitAdmin(ReferenceAdmin):
    form = UnitAdminForm
    list_display = ("name", "jurisdiction", "kind", "order_no", "credit_code", "valid_to")
    list_filter = ("kind", "jurisdiction")
    search_fields = ("name", "short_name", "credit_code")
    ordering = ("jurisdiction__path", "order_no", "pk")
    list_select_related = ("jurisdiction",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data.get(f) for f in actions.UNIT_FIELDS}
        reason = form.cleaned_data.get("credit_code_override") or ""
        target = Unit.objects.get(pk=obj.pk) if change else Unit()
        saved = actions.save_unit(request.user, target, data, override_reason=reason)
        _adopt(obj, saved)


class MechanismItemAdmin(ReferenceAdmin):
    list_display = ("name", "code", "mechanism", "order", "active")
    list_filter = ("mechanism", "active")
    ordering = ("mechanism", "order", "pk")
    item_fields: tuple[str, ...] = ("mechanism", "code", "name", "order", "active")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.item_fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in self.item_fields if f in form.cleaned_data}
        target = type(obj).objects.get(pk=obj.pk) if change else type(obj)()
        saved = actions.save_mechanism_item(request.user, target, data)
        _adopt(obj, saved)


@admin.register(TaskArea)
class TaskAreaAdmin(MechanismItemAdmin):
    pass


@admin.register(ListKind)
class ListKindAdmin(MechanismItemAdmin):
    item_fields = (
        "mechanism",
        "code",
        "name",
        "requester_side",
        "provider_side",
        "order",
        "active",
    )


@admin.register(Mechanism)
class MechanismAdmin(ReferenceAdmin):
    """Read only here: the office keeps its settings on the mechanism's settings page."""

    list_display = ("name", "jurisdiction", "office_unit", "founding_document_no")
    ordering = ("jurisdiction__path",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
