import pytest


@pytest.fixture
def enforced(settings):  # type: ignore[no-untyped-def]
    """The second factor enforced, as in a deployment (the suite runs with it off)."""
    settings.FUYUAN_SECOND_FACTOR_ENFORCED = True
    settings.DEBUG = False
    settings.FUYUAN_SMS_GATEWAY_URL = ""
    return settings
