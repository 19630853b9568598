"""Forms of the accounts app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Jurisdiction, Unit

from .models import Role, RoleAssignment, User


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong username or password. After 5 failures the account is locked for 30 minutes."
        ),
        "inactive": _("This account is disabled."),
        "service_user": _("This account belongs to a system client and signs in with its token."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        """A system client's service user (exchange, reverse relation "api_client") never signs
        in on the page, even if someone gave it a password."""
        super().confirm_login_allowed(user)
        if getattr(user, "api_client", None) is not None:
            raise forms.ValidationError(self.error_messages["service_user"], code="service_user")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password1 = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") != data.get("new_password2"):
            raise forms.ValidationError(_("The two new passwords differ."), code="mismatch")
        return data


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=60)
    display_name = forms.CharField(label=_("Display name"), max_length=60)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)


class GrantRoleForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.filter(is_active=True))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=Jurisdiction.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    valid_from = forms.DateField(
        label=_("Valid from"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    valid_to = forms.DateField(
        label=_("Valid to (last day)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "jurisdiction").queryset = Jurisdiction.objects.visible_to(actor)
        _choices(self, "unit").queryset = (
            Unit.objects.visible_to(actor).current().select_related("jurisdiction")
        )
        if actor is not None:
            _choices(self, "user").queryset = User.objects.filter(is_active=True).exclude(
                pk=actor.pk
            )


class DelegationForm(forms.Form):
    assignment = forms.ModelChoiceField(
        label=_("Role to hand over"), queryset=RoleAssignment.objects.none()
    )
    to_user = forms.ModelChoiceField(label=_("Colleague covering"), queryset=User.objects.none())
    valid_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(
        label=_("Until (last day)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        own = (
            RoleAssignment.objects.active_on(today)
            .filter(user=actor, delegated_by__isnull=True)
            .exclude(role__in=[Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
        )
        _choices(self, "assignment").queryset = own.select_related("unit", "jurisdiction")
        colleagues = User.objects.filter(is_active=True).exclude(pk=actor.pk)
        units = [a.unit_id for a in own if a.unit_id]
        jurisdictions = [a.jurisdiction_id for a in own if a.jurisdiction_id]
        # Colleagues of the same unit or jurisdiction, not administrators.
        colleagues = colleagues.filter(assignments__unit_id__in=units) | colleagues.filter(
            assignments__jurisdiction_id__in=jurisdictions
        )
        _choices(self, "to_user").queryset = colleagues.exclude(
            assignments__role__in=[Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN]
        ).distinct()
