from django.urls import path

from . import views

app_name = "consents_public"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
