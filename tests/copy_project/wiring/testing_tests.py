"""articles/test_cache.py: a project's own tests of its cached API, with the fixtures."""

# --8<-- [start:tests]
import pytest
from django.contrib.auth import get_user_model

from .cache_testing import CommittingAPIClient, assert_cached, assert_fresh_after
from .models import Article

ARTICLES = "/api/articles/"


@pytest.fixture
def client(db) -> CommittingAPIClient:
    for number in range(3):
        Article.objects.create(title=f"Article {number}")
    client = CommittingAPIClient()
    client.force_authenticate(get_user_model().objects.create_user("alice"))
    return client


def test_a_hit_runs_no_query(client):
    assert_cached(client, ARTICLES, miss_queries=6, hit_queries=0)


def test_a_rename_is_never_followed_by_a_stale_list(client):
    article = Article.objects.first()

    def rename():
        client.patch(f"{ARTICLES}{article.pk}/", {"title": "Renamed"})

    assert_fresh_after(client, ARTICLES, rename)


def test_the_list_is_kept_for_five_minutes(client, cache_clock):
    assert_cached(client, ARTICLES, miss_queries=6)
    cache_clock(301)
    assert_cached(client, ARTICLES, miss_queries=6)  # expired: a miss again


# --8<-- [end:tests]
