"""URLs of the duallists app."""

app_name = "duallists"
urlpatterns: list = []
