"""URLs of the enforcement app (mounted under /enforcement/), one module per area: the
debtor list and its imports (debtor_urls), checks and feedback (check_urls),
government-debtor and livelihood cases (case_urls), point-to-point inquiries (inquiry_urls)."""

from . import case_urls, check_urls, debtor_urls, inquiry_urls

app_name = "enforcement"
urlpatterns = [
    *debtor_urls.urlpatterns,
    *check_urls.urlpatterns,
    *case_urls.urlpatterns,
    *inquiry_urls.urlpatterns,
]
