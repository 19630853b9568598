"""URLs of the liaison app."""

app_name = "liaison"
urlpatterns: list = []
