"""Views of the accounts app: sign-in, password, session status, own roles and delegation,
user management (system administrator) and role assignment (security administrator)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions
from .forms import DelegationForm, GrantRoleForm, LoginForm, PasswordChangeForm, UserCreateForm
from .models import ADMIN_ROLES, Role, RoleAssignment, User


def _form_error(form: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        """After the password: the second factor (verification or enrolment), if needed."""
        from fuyuan.twofactor.flow import after_password

        response = super().form_valid(form)
        return after_password(self.request, response, self.get_success_url())


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(
                user, form.cleaned_data["old_password"], form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def session_status(request: HttpRequest) -> HttpResponse:
    """Polled by the page header; does not extend the session (IdleTimeoutMiddleware)."""
    remaining = getattr(request, "session_remaining", 0)
    return render(request, "accounts/_session_status.html", {"minutes": max(0, remaining // 60)})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    form = DelegationForm(request.POST or None, actor=user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.delegate(
                user,
                assignment=form.cleaned_data["assignment"],
                to_user=form.cleaned_data["to_user"],
                valid_from=form.cleaned_data["valid_from"],
                valid_to=form.cleaned_data["valid_to"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The delegation was recorded."))
            return redirect("accounts:profile")
    assignments = (
        RoleAssignment.objects.filter(user=user)
        .select_related("jurisdiction", "unit", "delegated_by")
        .order_by("-valid_from")
    )
    given = (
        RoleAssignment.objects.filter(delegated_by=user)
        .select_related("user", "jurisdiction", "unit")
        .order_by("-valid_from")
    )
    return render(
        request,
        "accounts/profile.html",
        {"assignments": assignments, "given": given, "form": form, "today": today},
    )


@login_required
@require_POST
def delegation_end(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    delegation = get_object_or_404(RoleAssignment, pk=pk, delegated_by=user)
    actions.end_role(user, delegation)
    messages.success(request, _("The delegation was ended."))
    return redirect("accounts:profile")


def _require(request: HttpRequest, role: str) -> Any:
    user: Any = request.user
    if not user.has_role(role):
        raise PermissionDenied(role)
    return user


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Role.SYSTEM_ADMIN)
    q = request.GET.get("q", "").strip()
    users = User.objects.order_by("username")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_user(actor, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("The account was created. Roles come from the security administrator.")
            )
            return redirect("accounts:user_list")
    # Administrators are switched off only after the security administrator ends their role
    # (actions.set_user_active): no button for them here.
    day = timezone.localdate()
    admins = set(
        RoleAssignment.objects.filter(
            user__in=[u.pk for u in page], role__in=ADMIN_ROLES, valid_from__lte=day
        )
        .exclude(valid_to__lt=day)
        .values_list("user_id", flat=True)
    )
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "form": form, "q": q, "admins": admins},
    )


@login_required
@require_POST
def user_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _require(request, Role.SYSTEM_ADMIN)
    target = get_object_or_404(User, pk=pk)
    actions.set_user_active(actor, target, not target.is_active)
    return redirect("accounts:user_list")


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    actor = _require(request, Role.SECURITY_ADMIN)
    q = request.GET.get("q", "").strip()
    rows = RoleAssignment.objects.select_related(
        "user", "jurisdiction", "unit", "delegated_by", "granted_by"
    ).order_by("user__username", "role", "-valid_from")
    if q:
        rows = rows.filter(Q(user__username__icontains=q) | Q(user__display_name__icontains=q))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    form = GrantRoleForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            actions.grant_role(actor, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The role was granted."))
            return redirect("accounts:assignment_list")
    return render(
        request,
        "accounts/assignment_list.html",
        {
            "page": page,
            "form": form,
            "q": q,
            "today": timezone.localdate(),
            "pending_liaisons": _pending_liaisons(actor),
            "pending_clients": _pending_clients(),
        },
    )


def _pending_clients() -> list[Any]:
    """System clients the system administrator created, waiting for their service user's
    role (exchange's confirmation; imported here, not at load time)."""
    from fuyuan.exchange.client_actions import pending_clients

    return list(pending_clients())


def _pending_liaisons(actor: Any) -> list[Any]:
    """Liaison accounts the office provisioned, waiting for the security administrator
    (org's membership flow; imported here, not at load time: accounts and org are peers)."""
    from fuyuan.org.models import MembershipChange, MembershipChangeKind

    return list(
        MembershipChange.objects.visible_to(actor)
        .filter(kind=MembershipChangeKind.LIAISON, state="proposed")
        .exclude(account=actor)
        .select_related("unit", "account", "proposed_by")
        .order_by("created_at", "pk")
    )


@login_required
@require_POST
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _require(request, Role.SECURITY_ADMIN)
    assignment = get_object_or_404(RoleAssignment, pk=pk)
    try:
        actions.end_role(actor, assignment)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The role was ended."))
    return redirect("accounts:assignment_list")
