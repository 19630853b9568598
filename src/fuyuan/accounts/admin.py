"""Django admin is for reference data only (org app, system administrator). Models that other
packages register are removed: groups and Django permissions are not used (roles come from
RoleAssignment), lockouts and tasks are seen through the platform's own pages and commands."""

import contextlib

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered

for label, model in (
    ("auth", "Group"),
    ("axes", "AccessAttempt"),
    ("axes", "AccessLog"),
    ("axes", "AccessFailureLog"),
    ("django_tasks_database", "DBTaskResult"),
):
    with contextlib.suppress(LookupError, NotRegistered):
        admin.site.unregister(apps.get_model(label, model))
