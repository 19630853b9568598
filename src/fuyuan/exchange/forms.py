"""Forms of the system-client and access-grant pages, and the pull log's FilterSet (shared
with the API). They collect input; the rules live in client_actions and grant_actions, whose
ValidationError codes the views put back on the fields."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Unit

from .access import dataset_choices
from .client_actions import GRACE_PERIODS, MAX_RATE_PER_MINUTE
from .models import SCOPE_RESOURCES, AccessLog, ApiClient, Channel
from .models import Access as ScopeAccess

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RESOURCE_CHOICES = list(SCOPE_RESOURCES)


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.jurisdiction.name} · {obj.name}"


def _model_choices(form: forms.Form, name: str) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


# --- system clients ---------------------------------------------------------------------------
class ScopeGridMixin(forms.Form):
    """Scopes as a grid: one row per resource, a "read" and a "write" box (write includes
    read). The template draws the grid from `scope_rows()`."""

    read = forms.MultipleChoiceField(
        label=_("Read"),
        choices=RESOURCE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    write = forms.MultipleChoiceField(
        label=_("Write"),
        choices=RESOURCE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def scopes(self) -> dict[str, str]:
        read = set(self.cleaned_data.get("read") or [])
        write = set(self.cleaned_data.get("write") or [])
        return {
            name: ScopeAccess.WRITE if name in write else ScopeAccess.READ
            for name, _label in SCOPE_RESOURCES
            if name in read | write
        }

    def scope_rows(self) -> list[dict[str, Any]]:
        if self.is_bound:
            read = set(self.data.getlist("read")) if hasattr(self.data, "getlist") else set()
            write = set(self.data.getlist("write")) if hasattr(self.data, "getlist") else set()
        else:
            read = set(self.initial.get("read") or [])
            write = set(self.initial.get("write") or [])
        return [
            {
                "name": name,
                "label": label,
                "read": name in read or name in write,
                "write": name in write,
                "read_id": f"scope-read-{i}",
                "write_id": f"scope-write-{i}",
            }
            for i, (name, label) in enumerate(SCOPE_RESOURCES)
        ]

    @staticmethod
    def initial_from(scopes: dict[str, str]) -> dict[str, list[str]]:
        return {
            "read": [name for name, given in scopes.items() if given],
            "write": [name for name, given in scopes.items() if given == ScopeAccess.WRITE],
        }


class ClientForm(ScopeGridMixin):
    name = forms.CharField(
        label=_("Name of the system"),
        max_length=100,
        help_text=_("E.g. “court case management system”."),
    )
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    rate_per_minute = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=MAX_RATE_PER_MINUTE, initial=120
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    field_order = ["name", "unit", "rate_per_minute", "note"]

    def __init__(self, *args: Any, units: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choices(self, "unit").queryset = units if units is not None else Unit.objects.none()


class ClientEditForm(ScopeGridMixin):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name of the system"), max_length=100)
    rate_per_minute = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=MAX_RATE_PER_MINUTE
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    field_order = ["version", "name", "rate_per_minute", "note"]


GRACE_LABELS = {
    "now": _("The old token stops now"),
    "1d": _("The old token works one more day"),
    "7d": _("The old token works seven more days"),
}


class RotateForm(forms.Form):
    grace = forms.ChoiceField(
        label=_("Grace period for the current tokens"),
        choices=[(key, GRACE_LABELS[key]) for key in GRACE_PERIODS],
        initial="1d",
        widget=forms.RadioSelect,
    )


class ClientDecisionForm(forms.Form):
    """The security administrator's confirmation or rejection of a new system client."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- access grants ----------------------------------------------------------------------------
class GrantRequestForm(forms.Form):
    requesting_unit = UnitChoiceField(label=_("Requesting unit"), queryset=Unit.objects.none())
    dataset = forms.ChoiceField(label=_("Dataset"), choices=())
    provider_unit = UnitChoiceField(
        label=_("Provider"),
        queryset=Unit.objects.none(),
        help_text=_("The unit keeping the data (the court for the court's datasets)."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the data is needed for, in the words of the task it serves."),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=200,
        required=False,
        help_text=_("The document or provision that allows the use."),
    )
    valid_from = forms.DateField(label=_("From"), widget=DATE)
    valid_to = forms.DateField(
        label=_("Until (last day)"), widget=DATE, help_text=_("At most one year.")
    )
    personal_requested = forms.BooleanField(
        label=_("Personal fields in clear (identity numbers, names of persons)"),
        required=False,
        help_text=_("Ask only if the purpose needs them; otherwise they stay masked."),
    )

    def __init__(
        self,
        *args: Any,
        requesting: QuerySet[Unit] | None = None,
        providers: QuerySet[Unit] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["dataset"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = dataset_choices()
        _model_choices(self, "requesting_unit").queryset = (
            requesting if requesting is not None else Unit.objects.none()
        )
        _model_choices(self, "provider_unit").queryset = (
            providers if providers is not None else Unit.objects.none()
        )
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("valid_from", today)
            self.initial.setdefault("valid_to", today + datetime.timedelta(days=180))
            if requesting is not None and requesting.count() == 1:
                self.initial.setdefault("requesting_unit", requesting.first())


class GrantDecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    personal_granted = forms.BooleanField(label=_("Grant personal fields in clear"), required=False)
    note = forms.CharField(
        label=_("Note to the requester"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to refuse or to revoke."),
    )


# --- the pull log -----------------------------------------------------------------------------
class AccessLogFilterSet(django_filters.FilterSet):
    """Filters of the pull log (page and API). The rows must come from
    `AccessLog.objects.visible_to(user)`."""

    dataset = django_filters.ChoiceFilter(label=_("Dataset"), choices=dataset_choices())
    client = django_filters.ModelChoiceFilter(
        label=_("System client"), queryset=ApiClient.objects.none()
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label=_("Until"), field_name="at", lookup_expr="date__lte", widget=DATE
    )

    class Meta:
        model = AccessLog
        fields: list[str] = []

    def __init__(
        self, data: Any = None, queryset: Any = None, *, request: Any = None, **kw: Any
    ) -> None:
        super().__init__(data, queryset, request=request, **kw)
        user = getattr(request, "user", None)
        visible = AccessLog.objects.visible_to(user)
        self.filters["client"].queryset = ApiClient.objects.filter(
            pk__in=visible.filter(client__isnull=False).values("client_id")
        ).select_related("unit")
