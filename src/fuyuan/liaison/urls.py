"""URLs of the liaison app (mounted under /liaison/)."""

from django.urls import path

from . import views

app_name = "liaison"
urlpatterns = [
    path("", views.letter_list, name="letter_list"),
    path("new/", views.letter_create, name="letter_create"),
    path("statistics/", views.statistics, name="statistics"),
    path("key-issues/", views.key_issues, name="key_issues"),
    path("<int:pk>/", views.letter_detail, name="letter_detail"),
    path("<int:pk>/reply/", views.letter_reply, name="letter_reply"),
    path("<int:pk>/coordinate/", views.letter_coordinate, name="letter_coordinate"),
    path("<int:pk>/do/<slug:transition>/", views.letter_transition, name="letter_transition"),
    path("<int:pk>/files/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/files/<int:att>/", views.attachment_download, name="attachment_download"),
]
