"""URLs of the twofactor app (mounted at /accounts/second-factor/)."""

from django.urls import path

from . import views

app_name = "twofactor"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("sms/send/", views.sms_send, name="sms_send"),
    path("enrol/", views.enrol, name="enrol"),
    path("enrol/totp/", views.enrol_totp, name="enrol_totp"),
    path("enrol/sms/", views.enrol_sms, name="enrol_sms"),
    path("devices/", views.devices, name="devices"),
    path("devices/<int:pk>/remove/", views.device_remove, name="device_remove"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("users/", views.user_list, name="user_list"),
    path("users/<int:pk>/reset/", views.reset, name="reset"),
]
