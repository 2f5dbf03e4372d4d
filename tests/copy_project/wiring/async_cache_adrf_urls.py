"""shop/urls.py, with adrf's router: a GET goes to ``alist`` and ``aretrieve``."""

from adrf.routers import DefaultRouter
from django.urls import include, path

from articles.views import ArticleViewSet

router = DefaultRouter()
router.register("articles", ArticleViewSet, basename="article")
urlpatterns = [path("api/", include(router.urls))]
