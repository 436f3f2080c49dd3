"""The benchmark server's URLs: the project's, plus the stock admin (``bench.stock_admin``) at ``/stock/``."""

from django.urls import path

from bench.stock_admin import site as stock_site
from ijinus_privacy.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("stock/", stock_site.urls), *project_urlpatterns]
