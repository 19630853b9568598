"""Menu entries of the ops app."""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.menu import MenuEntry, register

from .actions import may_manage_queue

register(MenuEntry("ops.queue", _("Task queue"), "ops:queue", 82, may_manage_queue, group="admin"))
