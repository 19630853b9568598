"""Pages of the second factor: verification at sign-in, enrolment (authenticator app, SMS),
my devices and recovery codes, and the security administrator's list with the reset."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.models import Role, User

from . import actions, policy
from .forms import CodeForm, RecoveryForm, ResetForm
from .models import Device, DeviceKind, RecoveryCode, SmsPurpose
from .providers import (
    demo_sms,
    masked_phone,
    offered_for_enrolment,
    offered_for_verification,
    person_phone,
    primary_devices,
    totp_key_b32,
    totp_qr_svg,
)

DEMO_CODE = "fuyuan_twofactor_demo_code"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(route: str, request: HttpRequest, **extra: str) -> str:
    params = {"next": _next(request), **extra}
    return f"{reverse(route)}?{urlencode(params)}"


def _shell(request: HttpRequest) -> str:
    """Half-signed-in pages show no menu: nothing behind it is reachable yet."""
    return "base.html" if policy.status(request) == policy.OK else "twofactor/bare.html"


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _locked_out(request: HttpRequest, until: Any) -> HttpResponse:
    logout(request)
    messages.error(
        request,
        _("Too many wrong second-factor codes. Signing in is locked until %(t)s.")
        % {"t": formats.time_format(timezone.localtime(until), "H:i")},
    )
    return redirect("accounts:login")


def _demo_code(request: HttpRequest) -> str:
    return str(request.session.get(DEMO_CODE, "")) if demo_sms() else ""


# --- verification -----------------------------------------------------------------------------
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    state = policy.status(request)
    if state == policy.OK:
        return redirect(_next(request))
    if state == policy.ENROL:
        return redirect(_with_next("twofactor:enrol", request))
    user: Any = request.user
    until = actions.locked_until(user)
    if until is not None:
        return _locked_out(request, until)
    offered = offered_for_verification(user)
    names = [p.name for p in offered]
    name = request.POST.get("provider") or request.GET.get("provider") or ""
    if request.method != "POST" and name not in names:
        name = names[0]
    form_class = RecoveryForm if name == "recovery" else CodeForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = actions.verify(user, name, form.cleaned_data["code"])
        if result.ok:
            policy.mark_verified(request, name)
            request.session.pop(DEMO_CODE, None)
            if result.recovery_left is not None:
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; it cannot be used again. "
                        "%(n)s codes are left. Generate a new set if you are running out."
                    )
                    % {"n": result.recovery_left},
                )
            return redirect(_next(request))
        if result.locked_until is not None:
            return _locked_out(request, result.locked_until)
        form.add_error(None, result.message)
    return render(
        request,
        "twofactor/verify.html",
        {
            "shell": "twofactor/bare.html",
            "form": form,
            "provider": name,
            "offered": [p for p in offered if p.name != "recovery"],
            "recovery_offered": "recovery" in names,
            "masked_phone": masked_phone(user),
            "demo_code": _demo_code(request) if name == "sms" else "",
            "next": _next(request),
        },
    )


@login_required
@require_POST
def sms_send(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    purpose = request.POST.get("purpose")
    if purpose == SmsPurpose.ENROL:
        back = _with_next("twofactor:enrol_sms", request)
        if policy.status(request) == policy.VERIFY:
            return redirect(_with_next("twofactor:verify", request))
    else:
        purpose = SmsPurpose.SIGN_IN
        back = _with_next("twofactor:verify", request, provider="sms")
        if policy.status(request) != policy.VERIFY:
            return redirect(_next(request))
        until = actions.locked_until(user)
        if until is not None:
            return _locked_out(request, until)
    try:
        sent = actions.send_sms_code(user, purpose)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("A code was sent to %(phone)s. It is valid for %(m)s minutes.")
            % {"phone": masked_phone(user), "m": settings.FUYUAN_SMS_CODE_TTL_SECONDS // 60},
        )
        if sent.demo_code:
            request.session[DEMO_CODE] = sent.demo_code
    return redirect(back)


# --- enrolment --------------------------------------------------------------------------------
def _enrol_gate(request: HttpRequest) -> HttpResponse | None:
    """Enrolment and device pages need a verified session, except for a first enrolment (a
    user with no device yet): someone holding only the password cannot add a device."""
    if policy.status(request) == policy.VERIFY:
        return redirect(_with_next("twofactor:verify", request))
    return None


def _enrolled(request: HttpRequest, enrolment: actions.Enrolment, provider: str) -> HttpResponse:
    policy.mark_verified(request, provider)
    request.session.pop(DEMO_CODE, None)
    messages.success(request, _("The second factor was enrolled."))
    response = render(
        request,
        "twofactor/recovery_codes_shown.html",
        {"shell": "base.html", "codes": enrolment.recovery_codes, "next": _next(request)},
    )
    return _no_store(response)


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    if (gate := _enrol_gate(request)) is not None:
        return gate
    user: Any = request.user
    enrolled = {d.kind for d in primary_devices(user)}
    options = [
        {"provider": p, "enrolled": p.name in enrolled, "available": p.available(user)}
        for p in offered_for_enrolment(user)
    ]
    from .policy import allowed_mechanisms

    allowed = allowed_mechanisms(user)
    return render(
        request,
        "twofactor/enrol.html",
        {
            "shell": _shell(request),
            "forced": policy.status(request) == policy.ENROL,
            "options": options,
            "sso_allowed": "sso" in allowed,
            "has_phone": bool(person_phone(user)),
            "next": _next(request),
        },
    )


@login_required
def enrol_totp(request: HttpRequest) -> HttpResponse:
    if (gate := _enrol_gate(request)) is not None:
        return gate
    user: Any = request.user
    if "totp" not in {p.name for p in offered_for_enrolment(user)}:
        raise PermissionDenied(_("Your mechanism does not allow this second factor."))
    pending = (
        Device.objects.filter(user=user, kind=DeviceKind.TOTP, confirmed_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    form = CodeForm(request.POST if request.method == "POST" and "code" in request.POST else None)
    if request.method == "POST":
        if "start" in request.POST or pending is None:
            actions.begin_totp(user)
            return redirect(_with_next("twofactor:enrol_totp", request))
        if form.is_valid():
            try:
                enrolment = actions.confirm_totp(user, pending, form.cleaned_data["code"])
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            else:
                return _enrolled(request, enrolment, "totp")
    context: dict[str, Any] = {
        "shell": _shell(request),
        "pending": pending,
        "form": form,
        "next": _next(request),
    }
    if pending is not None:
        context["qr_svg"] = totp_qr_svg(pending)
        key = totp_key_b32(pending)
        context["secret_groups"] = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    return _no_store(render(request, "twofactor/enrol_totp.html", context))


@login_required
def enrol_sms(request: HttpRequest) -> HttpResponse:
    if (gate := _enrol_gate(request)) is not None:
        return gate
    user: Any = request.user
    if "sms" not in {p.name for p in offered_for_enrolment(user)}:
        raise PermissionDenied(_("Your mechanism does not allow this second factor."))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = actions.confirm_sms(user, form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            return _enrolled(request, enrolment, "sms")
    return render(
        request,
        "twofactor/enrol_sms.html",
        {
            "shell": _shell(request),
            "form": form,
            "masked_phone": masked_phone(user),
            "has_phone": bool(person_phone(user)),
            "demo_code": _demo_code(request),
            "next": _next(request),
        },
    )


def _provider_label(name: str) -> str:
    from fuyuan.org.settings_schema import SECOND_FACTORS

    from .providers import registered

    labels = {**SECOND_FACTORS, **{p.name: p.label for p in registered()}}
    return str(labels.get(name, name)) if name else ""


# --- my devices and recovery codes --------------------------------------------------------------
@login_required
def devices(request: HttpRequest) -> HttpResponse:
    if (gate := _enrol_gate(request)) is not None:
        return gate
    user: Any = request.user
    codes = RecoveryCode.objects.filter(user=user)
    return render(
        request,
        "twofactor/devices.html",
        {
            "devices": Device.objects.filter(user=user, confirmed_at__isnull=False),
            "allowed": {d.pk for d in primary_devices(user)},
            "required": policy.is_required(user),
            "verified_by": _provider_label(policy.verified_by(request)),
            "recovery_left": codes.filter(used_at__isnull=True).count(),
            "recovery_total": codes.count(),
            "recovery_used": codes.filter(used_at__isnull=False).order_by("-used_at"),
            "can_enrol": bool(offered_for_enrolment(user)),
            "masked_phone": masked_phone(user),
        },
    )


@login_required
@require_POST
def device_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if (gate := _enrol_gate(request)) is not None:
        return gate
    user: Any = request.user
    device = get_object_or_404(Device, pk=pk, user=user)
    try:
        actions.remove_device(user, device)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The second factor was removed."))
    return redirect("twofactor:devices")


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if (gate := _enrol_gate(request)) is not None:
        return gate
    user: Any = request.user
    if request.method == "POST":
        try:
            codes = actions.generate_recovery_codes(user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("twofactor:devices")
        messages.success(
            request, _("New recovery codes were generated; the old ones no longer work.")
        )
        return _no_store(
            render(
                request,
                "twofactor/recovery_codes_shown.html",
                {"shell": "base.html", "codes": codes, "next": reverse("twofactor:devices")},
            )
        )
    codes_qs = RecoveryCode.objects.filter(user=user)
    return render(
        request,
        "twofactor/recovery_codes.html",
        {
            "has_device": bool(primary_devices(user)),
            "left": codes_qs.filter(used_at__isnull=True).count(),
            "total": codes_qs.count(),
            "generated_at": codes_qs.aggregate(at=Max("created_at"))["at"],
        },
    )


# --- the security administrator -----------------------------------------------------------------
def _security_admin(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.has_role(Role.SECURITY_ADMIN):
        raise PermissionDenied(Role.SECURITY_ADMIN)
    return user


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _security_admin(request)
    q = request.GET.get("q", "").strip()
    users = User.objects.filter(is_active=True).order_by("username")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    users = users.annotate(
        totp=Count(
            "second_factor_devices",
            filter=Q(
                second_factor_devices__kind=DeviceKind.TOTP,
                second_factor_devices__confirmed_at__isnull=False,
            ),
            distinct=True,
        ),
        sms=Count(
            "second_factor_devices",
            filter=Q(
                second_factor_devices__kind=DeviceKind.SMS,
                second_factor_devices__confirmed_at__isnull=False,
            ),
            distinct=True,
        ),
        recovery_left=Count(
            "second_factor_recovery_codes",
            filter=Q(second_factor_recovery_codes__used_at__isnull=True),
            distinct=True,
        ),
        locked=Max("second_factor_lock__locked_until"),
    )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "twofactor/user_list.html",
        {"page": page, "q": q, "actor": actor, "now": timezone.now(), "form": ResetForm()},
    )


@login_required
@require_POST
def reset(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = _security_admin(request)
    target = get_object_or_404(User, pk=pk)
    form = ResetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the reset."))
        return redirect("twofactor:user_list")
    actions.reset(actor, target, form.cleaned_data["reason"])
    messages.success(
        request,
        _("The second factor of %(u)s was reset; they enrol again at their next sign-in.")
        % {"u": target},
    )
    return redirect("twofactor:user_list")
