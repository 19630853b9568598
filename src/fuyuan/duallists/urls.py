"""URLs of the duallists app."""

from django.urls import path

from . import views

app_name = "duallists"
urlpatterns = [
    path("", views.call_list, name="call_list"),
    path("new/", views.call_create, name="call_create"),
    path("<int:pk>/", views.call_detail, name="call_detail"),
    path("<int:pk>/close/", views.call_close, name="call_close"),
    path("<int:pk>/meeting/<str:step>/", views.call_meeting, name="call_meeting"),
    path("<int:pk>/register-matters/", views.call_register, name="call_register"),
    path("<int:pk>/urge/", views.call_urge, name="call_urge"),
    path("<int:pk>/carry-over/", views.call_carry_over, name="call_carry_over"),
    path("<int:pk>/compare/", views.call_compare, name="call_compare"),
    path("<int:pk>/export.<str:fmt>", views.call_export, name="call_export"),
    path("<int:pk>/propose/", views.item_create, name="item_create"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/arbitrate/", views.item_arbitrate, name="item_arbitrate"),
    path("items/<int:pk>/resubmit/", views.item_resubmit, name="item_resubmit"),
    path("items/<int:pk>/revise/", views.item_revise, name="item_revise"),
    path("items/<int:pk>/merge/", views.item_merge, name="item_merge"),
    path("items/<int:pk>/rate/", views.item_rate, name="item_rate"),
    path("items/<int:pk>/do/<str:step>/", views.item_transition, name="item_transition"),
]
