"""Django admin is for reference data only (org app, system administrator). Every model that
another app or package registers is removed: groups and Django permissions are not used
(roles come from RoleAssignment, granted by the security administrator), users and the audit
trail have their own pages, lockouts and tasks are seen through the platform's own pages and
commands (三权分立: no admin screen may edit roles, account flags or audit entries)."""

from django.contrib import admin
from django.utils.module_loading import autodiscover_modules

from .models import REFERENCE_DATA_APPS

# Import every app's admin module first, so the clean-up below sees all registrations
# whatever the order of INSTALLED_APPS (fuyuan.accounts comes before django.contrib.auth so
# that its createsuperuser and changepassword replace Django's). A module already being
# imported, this one included, is taken from sys.modules.
autodiscover_modules("admin")

for model in list(admin.site._registry):
    if model._meta.app_label not in REFERENCE_DATA_APPS:
        admin.site.unregister(model)
