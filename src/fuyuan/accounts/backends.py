"""Authentication backend: username and password; permissions come from role assignments
(User.has_perm), never from Django's permission tables."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class RoleAwareBackend(ModelBackend):
    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return bool(user_obj.has_perm(perm, obj))
