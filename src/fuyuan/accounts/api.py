"""Permission classes of the REST API that rest on the permission layer (accounts.permissions)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request


class MembersOnly(permissions.BasePermission):
    """As on the pages: the mechanism's records are for members of a joint meeting (the three
    administrators get 403, `api.forbidden`). A viewset may name what is
    refused in `members_only_message`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        from .permissions import scope_for

        if scope_for(request.user).is_member:
            return True
        message = getattr(view, "members_only_message", None)
        raise exceptions.PermissionDenied(
            str(message or _("This is for members of a joint meeting.")),
            code="api.forbidden",
        )
