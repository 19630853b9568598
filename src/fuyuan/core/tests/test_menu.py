"""The menu groups entries into drop-downs and shows a group only when one of its entries
is visible to the user."""

import pytest

from fuyuan.core.menu import entries_for


@pytest.mark.django_db
def test_office_menu_is_grouped_and_admins_see_only_administration(world):
    office = entries_for(world.users["city_office"], "/matters/")
    groups = {e["key"]: e for e in office if "children" in e}
    assert {"supervision", "methods", "organisation"} <= set(groups)
    ledger = next(c for c in groups["supervision"]["children"] if c["key"] == "matters.ledger")
    assert ledger["active"] and groups["supervision"]["active"]
    auditor = entries_for(world.users["audit_admin"])
    assert [e["key"] for e in auditor] == ["admin"]
    assert [c["key"] for c in auditor[0]["children"]] == ["audit.entries"]
