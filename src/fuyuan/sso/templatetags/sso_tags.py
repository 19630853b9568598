"""Template tags of the sso app: whether single sign-on is configured, for the login page."""

from __future__ import annotations

from typing import Any

from django import template

from fuyuan.sso import oidc

register = template.Library()


@register.simple_tag
def sso_button() -> dict[str, Any]:
    """{"enabled", "name"}: read from the settings, no request to the provider."""
    cfg = oidc.config()
    return {"enabled": cfg.enabled, "name": cfg.name}
