from django.urls import path

from . import views

app_name = "requests_dsar_public"

urlpatterns = [
    path("request/", views.request_form, name="request"),
    path("request/confirm/<str:token>/", views.confirm, name="confirm"),
    path("identity/<int:check_id>/<str:token>/", views.identity_confirm, name="identity_confirm"),
    path("export/<str:token>/", views.export_download, name="export_download"),
    path("transmission/<str:token>/", views.transmission, name="transmission"),
]
