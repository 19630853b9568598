"""Authorization matrix rows of the sso app. The matrix runs without an identity provider
(no FUYUAN_OIDC_ISSUER), so the sign-in routes answer 404 to everyone, signed in or not:
they are reached without a sign-in (never 302 to the login page). With a provider configured
they are covered by src/fuyuan/sso/tests against one running on 127.0.0.1."""

from __future__ import annotations

from typing import Any

from .authz_matrix import Case, expect, only


def sso_link(w: Any) -> dict[str, Any]:
    """A link of the city office's account (made once per matrix world)."""
    from django.utils import timezone

    from fuyuan.sso.models import SsoIdentity

    link, _ = SsoIdentity.objects.get_or_create(
        issuer="https://idp.example.gov.cn",
        subject="matrix-subject",
        defaults={
            "user": w.users["city_office"],
            "username_at_link": "city_office",
            "linked_at": timezone.now(),
        },
    )
    return {"pk": link.pk}


SSO_CASES: list[Case] = [
    Case("sso:login", expect(404, anonymous=404)),
    Case("sso:callback", expect(404, anonymous=404), query=lambda w: "code=x&state=y"),
    Case("sso:logout", expect(405, anonymous=405)),
    Case("sso:logout", expect(302, anonymous=302), variant="sign out", method="post"),
    Case("sso:links", only(["security_admin"])),
    Case("sso:link_remove", only(["security_admin"], ok=302), method="post", kwargs=sso_link),
]
