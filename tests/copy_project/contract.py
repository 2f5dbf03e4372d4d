"""What a recipe's page promises, checked in a project that copied it (``articles/tests.py``).

``COPY_PROMISES`` (JSON, from the harness) says what the page promises for this recipe:
``hit_queries`` per caller kind, and ``after_write``: ``fresh`` (the recipe invalidates) or
``stale`` (entries are served until they expire, as the page says).
"""

import itertools
import json
import os

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import TestCase, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .models import Article, Tag

PROMISES = json.loads(os.environ["COPY_PROMISES"])
KINDS = ("anonymous", "alice-token", "alice-session", "bob-token")
LIST = "/api/articles/"


def outcome(response) -> str:
    return response["Server-Timing"].split('desc="')[1].split('"')[0]


class CopiedRecipeContract(TestCase):
    @classmethod
    def setUpTestData(cls):
        users = get_user_model().objects
        cls.alice = users.create_user("alice", password="secret")
        cls.bob = users.create_user("bob", password="secret")
        python = Tag.objects.create(name="python")
        cls.articles = [Article.objects.create(title=f"Article {n}") for n in range(8)]
        for article in cls.articles:
            article.tags.add(python)
        cls.articles[0].starred_by.add(cls.alice)
        cls.articles[1].starred_by.add(cls.bob)

    def setUp(self):
        cache.clear()

    def client_for(self, kind: str) -> APIClient:
        client = APIClient()
        if kind != "anonymous":
            username, _, method = kind.partition("-")
            user = get_user_model().objects.get(username=username)
            if method == "token":
                token, _ = Token.objects.get_or_create(user=user)
                client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            else:
                client.force_login(user)
        return client

    def starred(self, response) -> dict[str, bool]:
        return {row["id"]: row["is_starred"] for row in response.json()["results"]}

    def owed(self, kind: str, ids) -> dict[str, bool]:
        if kind == "anonymous":
            return dict.fromkeys(ids, False)
        stars = Article.objects.filter(starred_by__username=kind.partition("-")[0])
        mine = {str(pk) for pk in stars.values_list("pk", flat=True)}
        return {pk: pk in mine for pk in ids}

    def detail(self, article: Article) -> str:
        return f"{LIST}{article.pk}/"

    def write(self, client: APIClient, method: str, path: str, data=None):
        with self.captureOnCommitCallbacks(execute=True):  # as a committed request
            return getattr(client, method)(path, data, format="json")

    def test_a_repeat_get_is_a_hit_with_the_promised_queries(self):
        for kind in KINDS:
            cache.clear()
            client = self.client_for(kind)
            first = client.get(LIST)
            with self.assertNumQueries(
                PROMISES["hit_queries"][kind.rpartition("-")[2]]
            ):
                again = client.get(LIST)
            self.assertEqual((outcome(first), outcome(again)), ("miss", "hit"), kind)
            self.assertEqual(again.json(), first.json())

    def test_no_caller_sees_another_callers_starred_field(self):
        for first, second in itertools.permutations(KINDS, 2):
            cache.clear()
            self.client_for(first).get(LIST)
            response = self.client_for(second).get(LIST)
            shown = self.starred(response)
            self.assertEqual(shown, self.owed(second, shown), (first, second))

    def test_links_name_the_host_of_each_request(self):
        client = self.client_for("bob-token")
        for path in (LIST, self.detail(self.articles[2])):
            client.get(path, HTTP_HOST="api.localhost")
            response = client.get(path, HTTP_HOST="mirror.localhost").json()
            urls = [row["url"] for row in response.get("results", [response])]
            self.assertTrue(
                all(url.startswith("http://mirror.localhost/") for url in urls), urls
            )

    def test_a_write_is_followed_by_what_the_page_promises(self):
        client = self.client_for("alice-token")
        article = self.articles[3]
        for path in (LIST, self.detail(article)):
            client.get(path)

        self.write(
            client, "patch", self.detail(article), {"title": "Article 3, renamed"}
        )
        self.write(client, "post", f"{self.detail(self.articles[2])}star/")

        detail = client.get(self.detail(article)).json()
        listed = self.starred(client.get(LIST))
        if PROMISES["after_write"] == "fresh":
            self.assertEqual(detail["title"], "Article 3, renamed")
            self.assertTrue(listed[str(self.articles[2].pk)])
        else:  # the page says: served until the entry expires
            self.assertEqual(detail["title"], "Article 3")
            self.assertFalse(listed[str(self.articles[2].pk)])
            cache.clear()  # the timeout, ended
            self.assertEqual(
                client.get(self.detail(article)).json()["title"], "Article 3, renamed"
            )

    def test_with_redis_down_every_request_answers_with_correct_data(self):
        down = {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": PROMISES.get("cache_options", {}),
        }
        with override_settings(CACHES={"default": down}):
            for kind in KINDS:
                response = self.client_for(kind).get(LIST)
                self.assertEqual(response.status_code, 200, kind)
                shown = self.starred(response)
                self.assertEqual(shown, self.owed(kind, shown), kind)
            client = self.client_for("alice-token")
            written = self.write(
                client, "patch", self.detail(self.articles[4]), {"title": "Offline"}
            )
            self.assertEqual(written.status_code, 200)
            self.assertEqual(
                client.get(self.detail(self.articles[4])).json()["title"], "Offline"
            )
