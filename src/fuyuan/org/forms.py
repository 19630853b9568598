"""Forms of the org app. They collect input; the rules live in org.actions, whose
ValidationError codes the views put back on the fields (see `apply_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.models import Post, PostKind, Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.core.masking import mask_phone

from .actions import CREDIT_CODE_WARNING_CODES, SETTINGS_INT_FIELDS
from .models import (
    Jurisdiction,
    MembershipChangeKind,
    Unit,
    UnitKind,
)
from .settings_schema import (
    ADMIN_CASE_OUTCOMES,
    LABELS,
    LOSS_DENOMINATORS,
    OPTIONAL_STEPS,
    SECOND_FACTORS,
)
from .workflow import MEMBERSHIP_CHANGE

SETTINGS_CHOICE_FIELDS = ("enabled_steps", "second_factors", "loss_outcomes", "loss_denominator")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form: forms.Form, exc: ValidationError, prefixes: tuple[str, ...] = ()) -> None:
    """Put an action's ValidationError on the form: on the field it names when the form has
    it (directly or with one of `prefixes`), else as a form-level error. Codes are kept, so
    tests assert them rather than wording."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = None
        for candidate in (name, *(f"{p}{name}" for p in prefixes)):
            if candidate in form.fields:
                target = candidate
                break
        form.add_error(target, errors)


def _optional_choice(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class ScopedForm(forms.Form):
    def _choices_from(self, name: str, queryset: Any) -> None:
        """Choices of a model field limited to what the user may see."""
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset


class VersionedForm(ScopedForm):
    """Carries the version of the record it edits (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- units ------------------------------------------------------------------------------------
class UnitForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=Jurisdiction.objects.none()
    )
    order_no = forms.IntegerField(
        label=_("Official order number"),
        min_value=0,
        initial=999,
        help_text=_("Every list of units follows this order."),
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=30, required=False
    )
    credit_code_confirm = forms.BooleanField(
        label=_("I confirm this code although its check fails"), required=False
    )
    credit_code_override = forms.CharField(
        label=_("Reason for accepting the code"),
        max_length=200,
        required=False,
        help_text=_("For example: the code is printed so on the unit's certificate."),
    )
    court_code = forms.CharField(
        label=_("Court code"),
        max_length=10,
        required=False,
        help_text=_("Courts only, as in case numbers: 豫17, 豫1702."),
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    valid_to = forms.DateField(label=_("Valid to (last day)"), required=False, widget=DATE)
    successor = forms.ModelChoiceField(
        label=_("Successor"), queryset=Unit.objects.none(), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=120, required=False)
    phone = forms.CharField(label=_("Switchboard phone"), max_length=30, required=False)

    OVERRIDE_FIELDS = ("credit_code_confirm", "credit_code_override")

    def __init__(self, *args: Any, actor: Any, unit: Unit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        scope = scope_for(actor)
        jurisdictions = Jurisdiction.objects.visible_to(actor)
        if Role.SYSTEM_ADMIN not in scope.roles:
            office = Q(pk__in=[])
            for path in scope.oversight.get(Role.OFFICE, ()):
                office |= Q(path__startswith=path)
            jurisdictions = jurisdictions.filter(office)
        self._choices_from("jurisdiction", jurisdictions.order_by("path"))
        successors = Unit.objects.visible_to(actor).select_related("jurisdiction")
        if unit is not None and unit.pk:
            successors = successors.exclude(pk=unit.pk)
        self._choices_from("successor", successors.order_by("jurisdiction__path", "order_no"))
        # The override fields show only when the code fails its check (or was accepted so).
        self.show_override = bool(unit is not None and unit.credit_code_override) or bool(
            self.data.get(self.add_prefix("credit_code_confirm"))
        )

    @classmethod
    def initial_for(cls, unit: Unit) -> dict[str, Any]:
        return {
            "name": unit.name,
            "short_name": unit.short_name,
            "kind": unit.kind,
            "jurisdiction": unit.jurisdiction_id,
            "order_no": unit.order_no,
            "credit_code": unit.credit_code,
            "credit_code_confirm": bool(unit.credit_code_override),
            "credit_code_override": unit.credit_code_override,
            "court_code": unit.court_code,
            "valid_from": unit.valid_from,
            "valid_to": unit.valid_to,
            "successor": unit.successor_id,
            "address": unit.address,
            "phone": unit.phone,
            "version": unit.version,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("credit_code_confirm") and not (data.get("credit_code_override") or "").strip():
            self.add_error(
                "credit_code_override",
                ValidationError(
                    _("Give the reason for accepting a code whose check fails."),
                    code="uscc.override_reason_required",
                ),
            )
        return data

    @property
    def unit_data(self) -> dict[str, Any]:
        from .actions import UNIT_FIELDS

        return {name: self.cleaned_data.get(name) for name in UNIT_FIELDS}

    @property
    def override_reason(self) -> str:
        """The reason counts only together with the confirmation box."""
        if not self.cleaned_data.get("credit_code_confirm"):
            return ""
        return (self.cleaned_data.get("credit_code_override") or "").strip()

    def apply_action_errors(self, exc: ValidationError) -> None:
        apply_errors(self, exc)
        codes = {e.code for e in getattr(exc, "error_dict", {}).get("credit_code", []) if e.code}
        if codes & CREDIT_CODE_WARNING_CODES:
            self.show_override = True


class UnitFilterForm(ScopedForm):
    q = forms.CharField(label=_("Name contains"), required=False)
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"),
        queryset=Jurisdiction.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=_optional_choice(UnitKind.choices), required=False
    )
    former = forms.BooleanField(label=_("Include former units"), required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices_from("jurisdiction", Jurisdiction.objects.visible_to(actor).order_by("path"))


class ContactsForm(VersionedForm):
    """The liaison officer's details and the names of the unit's post holders."""

    liaison_name = forms.CharField(
        label=_("Liaison officer"),
        max_length=50,
        required=False,
        help_text=_("Another name means another person now holds the post."),
    )
    liaison_phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=30,
        required=False,
        help_text=_("Shown masked: leave it as it is to keep the number, or type a new one."),
    )
    liaison_office_phone = forms.CharField(label=_("Office phone"), max_length=30, required=False)
    liaison_email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args: Any, unit: Unit, liaison_post: Post | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        person = liaison_post.holder if liaison_post is not None else None
        # The form never shows the mobile number in clear (personal data, org.reveal): the
        # masked form comes back unchanged when the number is kept.
        self._current_phone = person.phone if person is not None else ""
        if person is not None:
            self.initial.update(
                {
                    "liaison_name": person.name,
                    "liaison_phone": mask_phone(person.phone),
                    "liaison_office_phone": person.office_phone,
                    "liaison_email": person.email,
                    "version": person.version,
                }
            )
        self.holder_posts = list(
            Post.objects.filter(unit=unit)
            .exclude(kind=PostKind.LIAISON)
            .select_related("holder")
            .order_by("order", "pk")
        )
        for post in self.holder_posts:
            name = f"holder_{post.pk}"
            self.fields[name] = forms.CharField(
                label=_("Holder of the post “%(title)s”") % {"title": post.title},
                max_length=50,
                required=False,
            )
            self.initial[name] = post.holder.name if post.holder else ""

    @property
    def liaison(self) -> dict[str, str]:
        return {
            "name": self.cleaned_data.get("liaison_name", ""),
            "phone": self._kept_phone(self.cleaned_data.get("liaison_phone", "")),
            "office_phone": self.cleaned_data.get("liaison_office_phone", ""),
            "email": self.cleaned_data.get("liaison_email", ""),
        }

    def _kept_phone(self, typed: str) -> str:
        if self._current_phone and typed.strip() == mask_phone(self._current_phone):
            return self._current_phone
        return typed

    @property
    def holders(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data.get(f"holder_{p.pk}", "") for p in self.holder_posts}

    def holder_fields(self) -> list[Any]:
        return [self[f"holder_{p.pk}"] for p in self.holder_posts]


class ReorganiseForm(VersionedForm):
    last_day = forms.DateField(label=_("Last day of this unit"), widget=DATE)
    successor = forms.ModelChoiceField(
        label=_("Successor (an existing unit)"), queryset=Unit.objects.none(), required=False
    )
    new_name = forms.CharField(
        label=_("… or the name of a new successor unit"), max_length=80, required=False
    )
    new_short_name = forms.CharField(
        label=_("Short name of the new unit"), max_length=40, required=False
    )
    new_credit_code = forms.CharField(
        label=_("Credit code of the new unit"), max_length=30, required=False
    )

    def __init__(self, *args: Any, actor: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices_from(
            "successor",
            (
                Unit.objects.visible_to(actor)
                .current()
                .exclude(pk=unit.pk)
                .select_related("jurisdiction")
                .order_by("jurisdiction__path", "order_no")
            ),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_existing = data.get("successor") is not None
        has_new = bool((data.get("new_name") or "").strip())
        if has_existing == has_new:
            raise ValidationError(
                _("Choose an existing successor or name a new one (not both)."),
                code="unit.successor_choice",
            )
        return data

    @property
    def new_unit(self) -> dict[str, Any] | None:
        name = (self.cleaned_data.get("new_name") or "").strip()
        if not name:
            return None
        return {
            "name": name,
            "short_name": self.cleaned_data.get("new_short_name", ""),
            "credit_code": self.cleaned_data.get("new_credit_code", ""),
        }


# --- mechanism settings -----------------------------------------------------------------------
class MechanismSettingsForm(VersionedForm):
    enabled_steps = forms.MultipleChoiceField(
        label=LABELS["enabled_steps"],
        choices=list(OPTIONAL_STEPS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    second_factors = forms.MultipleChoiceField(
        label=LABELS["second_factors"],
        choices=list(SECOND_FACTORS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    loss_outcomes = forms.MultipleChoiceField(
        label=LABELS["loss_outcomes"],
        choices=list(ADMIN_CASE_OUTCOMES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    loss_denominator = forms.ChoiceField(
        label=LABELS["loss_denominator"], choices=list(LOSS_DENOMINATORS.items())
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SETTINGS_INT_FIELDS:
            self.fields[name] = forms.IntegerField(label=LABELS[name], min_value=0)
        self.order_fields([*SETTINGS_INT_FIELDS, *SETTINGS_CHOICE_FIELDS, "version"])

    @property
    def settings_values(self) -> dict[str, Any]:
        keys = (*SETTINGS_INT_FIELDS, *SETTINGS_CHOICE_FIELDS)
        return {k: self.cleaned_data[k] for k in keys if k in self.cleaned_data}


class ItemForm(forms.Form):
    """One task area or list kind: its name and whether it is in use."""

    id = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=60)
    active = forms.BooleanField(label=_("In use"), required=False)


ItemFormSet = forms.formset_factory(ItemForm, extra=0)


# --- membership changes -----------------------------------------------------------------------
class MembershipChangeForm(ScopedForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(
        label=_("Change"),
        choices=[
            (value, label)
            for value, label in MembershipChangeKind.choices
            if value != MembershipChangeKind.LIAISON
        ],
    )
    representative_title = forms.CharField(
        label=_("Representative post"),
        max_length=60,
        required=False,
        help_text=_("For a unit joining: the post that holds the seat, e.g. 局长."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices_from("unit", units)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("kind") == MembershipChangeKind.JOIN
            and not (data.get("representative_title") or "").strip()
        ):
            self.add_error(
                "representative_title",
                ValidationError(_("Name the post that will represent the unit."), code="required"),
            )
        return data


class LiaisonAccountForm(ScopedForm):
    """The office provisions a member unit's liaison account; the security administrator
    confirms the role."""

    unit = forms.ModelChoiceField(label=_("Member unit"), queryset=Unit.objects.none())
    display_name = forms.CharField(label=_("Liaison officer's name"), max_length=60)
    username = forms.CharField(label=_("Username"), max_length=60)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        help_text=_("The liaison officer replaces it at the first sign-in."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the unit's letter naming its liaison officer."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices_from("unit", units)


class ChangeFilterForm(forms.Form):
    q = forms.CharField(label=_("Unit name contains"), required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=_optional_choice(MEMBERSHIP_CHANGE.choices()), required=False
    )
    kind = forms.ChoiceField(
        label=_("Change"), choices=_optional_choice(MembershipChangeKind.choices), required=False
    )


class TransitionForm(VersionedForm):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Unit name contains"), required=False)
