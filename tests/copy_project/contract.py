"""What a recipe's page promises, checked in a project that copied it (``articles/tests.py``).

``COPY_PROMISES`` (JSON, from the harness) says what the page promises for this recipe:
``contract``, the test case below that states them; ``hit_queries`` per caller kind (or
``queries_saved``: how many queries a hit saves, for a recipe that caches part of a
response); and ``after_write``: ``fresh`` (the recipe invalidates) or ``stale`` (entries are
served until they expire, as the page says).
"""

import io
import itertools
import json
import logging
import os
import uuid
from contextlib import suppress
from functools import partial
from unittest import mock

from django.contrib.auth import get_user_model
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from asgiref.sync import async_to_sync
from django.test import AsyncClient, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.views import APIView

from .models import Article, Tag

PROMISES = json.loads(os.environ["COPY_PROMISES"])
KINDS = ("anonymous", "alice-token", "alice-session", "bob-token")
LIST = "/api/articles/"
#: The articles' foreign keys: parents a serializer may nest (each has a ``name``).
PARENTS = [field for field in Article._meta.get_fields() if field.many_to_one]


def outcome(response) -> str:
    return response["Server-Timing"].split('desc="')[1].split('"')[0]


def rows_in(body) -> list[dict]:
    """Return the rows of a response: a page's results, a plain list, or one object."""
    if isinstance(body, list):
        return body
    return body.get("results", [body])


def redis_down() -> dict:
    """The project's own ``CACHES``, with every address it names pointed at a port where no
    Redis listens (a cluster's other nodes too: it could be found from any of them)."""
    entry = settings.CACHES["default"]
    options = dict(entry.get("OPTIONS", {}))
    if "CLUSTER_NODES" in options:
        options["CLUSTER_NODES"] = []
    return {"default": dict(entry, LOCATION="redis://127.0.0.1:1/0", OPTIONS=options)}


def as_stored(pk):
    """Return ``pk`` as SQLite stores it: UUIDs as hex, integers as they are."""
    return pk.hex if isinstance(pk, uuid.UUID) else pk


def rename(row) -> None:
    row.name = f"{row.name}, renamed"
    row.save()


class HostedAsyncClient(AsyncClient):
    """Django's ``AsyncClient``, where a ``Host`` header replaces ``testserver`` (the
    factory sends its own, and ASGI joins the two)."""

    async def request(self, **request):
        hosts = [header for header in request["headers"] if header[0] == b"host"]
        for default in hosts[:-1]:
            request["headers"].remove(default)
        return await super().request(**request)


class AsgiAPIClient:
    """An ``APIClient``'s caller (its token, or its session cookie) through Django's ASGI
    handler, as uvicorn serves the project: for a recipe whose views are async."""

    def __init__(self, api: APIClient) -> None:
        self.api = api
        self.asgi = HostedAsyncClient()

    @property
    def cookies(self):
        return self.api.cookies

    def logout(self) -> None:
        self.api.logout()

    def headers(self, extra: dict) -> dict:
        headers = {"Accept": "application/json"}
        if token := self.api._credentials.get("HTTP_AUTHORIZATION"):
            headers["Authorization"] = token
        for key, value in extra.items():  # HTTP_HOST="api.localhost", say
            headers[key.removeprefix("HTTP_").replace("_", "-")] = value
        return headers

    def get(self, path: str, data=None, **extra):
        self.asgi.cookies = self.api.cookies
        return async_to_sync(self.asgi.get)(path, data, headers=self.headers(extra))

    def send(self, method: str, path: str, data=None, format=None, **extra):
        self.asgi.cookies = self.api.cookies
        body = "" if data is None else json.dumps(data)
        return async_to_sync(getattr(self.asgi, method))(
            path, body, "application/json", headers=self.headers(extra)
        )

    def patch(self, path: str, data=None, format=None, **extra):
        return self.send("patch", path, data, **extra)

    def post(self, path: str, data=None, format=None, **extra):
        return self.send("post", path, data, **extra)

    def delete(self, path: str, data=None, format=None, **extra):
        return self.send("delete", path, data, **extra)


class CopiedProject(TestCase):
    """The project's data and callers, shared by every contract."""

    @classmethod
    def setUpTestData(cls):
        users = get_user_model().objects
        cls.alice = users.create_user("alice", password="secret")
        cls.bob = users.create_user("bob", password="secret")
        python = Tag.objects.create(name="python")
        cls.parents = {
            field.name: field.related_model.objects.create(name="First")
            for field in PARENTS
        }
        cls.articles = [
            Article.objects.create(title=f"Article {n}", **cls.parents)
            for n in range(8)
        ]
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
        return AsgiAPIClient(client) if PROMISES.get("server") == "asgi" else client

    def starred(self, response) -> dict[str, bool]:
        return self.starred_in(response.json())

    def starred_in(self, page: dict) -> dict[str, bool]:
        return {str(row["id"]): row["is_starred"] for row in rows_in(page)}

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

    def uncached(self, client: APIClient, path: str) -> dict:
        """Return what ``path`` answers with nothing cached."""
        cache.clear()
        return client.get(path).json()

    def test_with_redis_down_every_request_answers_with_correct_data(self):
        with override_settings(CACHES=redis_down()):
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


class ResponseCacheContract(CopiedProject):
    """Responses (or parts of them) served from the cache: hits, isolation, freshness."""

    def test_a_repeat_get_is_a_hit_with_the_promised_queries(self):
        for kind in KINDS:
            cache.clear()
            client = self.client_for(kind)
            with CaptureQueriesContext(connection) as missed:
                first = client.get(LIST)
            with CaptureQueriesContext(connection) as hit:
                again = client.get(LIST)
            self.assertEqual((outcome(first), outcome(again)), ("miss", "hit"), kind)
            self.assertEqual(again.json(), first.json())
            if "hit_queries" in PROMISES:
                owed = PROMISES["hit_queries"][kind.rpartition("-")[2]]
                self.assertEqual(len(hit), owed, kind)
            else:
                saved = len(missed) - len(hit)
                self.assertEqual(saved, PROMISES["queries_saved"], kind)

    def test_a_hit_read_before_is_answered_where_the_page_promises(self):
        """Before DRF's dispatch, where the page says so (nothing authenticated, nothing
        negotiated); through it elsewhere. Counted where every dispatch checks the
        caller, DRF's and adrf's alike: ``initial``."""
        dispatched = []
        initial = APIView.initial

        def counting(view, *args, **kwargs):
            dispatched.append(view)
            return initial(view, *args, **kwargs)

        for kind in KINDS:
            client = self.client_for(kind)
            for _ in range(2):
                client.get(LIST)
            dispatched.clear()
            with mock.patch.object(APIView, "initial", counting):
                third = client.get(LIST)
            self.assertEqual(outcome(third), "hit", kind)
            owed = 0 if PROMISES.get("answers_early") else 1
            self.assertEqual(len(dispatched), owed, kind)

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
            urls = [row["url"] for row in rows_in(response)]
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
        listing = client.get(LIST).json()
        listed = self.starred_in(listing)
        if PROMISES["after_write"] == "fresh":
            self.assertEqual(detail["title"], "Article 3, renamed")
            self.assertTrue(listed[str(self.articles[2].pk)])
            self.assertEqual(listing, self.uncached(client, LIST))
            self.assertEqual(detail, self.uncached(client, self.detail(article)))
        else:  # the page says: served until the entry expires
            self.assertEqual(detail["title"], "Article 3")
            self.assertFalse(listed[str(self.articles[2].pk)])
            cache.clear()  # the timeout, ended
            self.assertEqual(
                client.get(self.detail(article)).json()["title"], "Article 3, renamed"
            )

    def test_a_write_redis_cannot_take_is_logged_naming_what_it_missed(self):
        """An invalidation lost to an unreachable Redis is a warning that names what it
        could not reach, from the recipe itself, not only from the Redis client."""
        client = self.client_for("alice-token")
        with (
            override_settings(CACHES=redis_down()),
            self.assertLogs(level="WARNING") as logged,
        ):
            self.write(client, "patch", self.detail(self.articles[4]), {"title": "Off"})
            self.write(client, "post", f"{self.detail(self.articles[2])}star/")
            logging.getLogger(__name__).warning(
                "written"
            )  # something, for every recipe
        named = [
            record.getMessage()
            for record in logged.records
            if not record.name.startswith("django_redis")
            and "article" in record.getMessage()
        ]
        if PROMISES["after_write"] == "fresh":
            self.assertTrue(named, logged.output)
        else:  # nothing to invalidate: entries expire
            self.assertEqual(named, [])

    def test_a_write_redis_missed_is_followed_by_what_the_page_promises(self):
        """Redis unreachable during a write, then back with its entries: a recipe with
        an outbox relays the write's marks before serving them; the others serve the
        old entries until they expire, as their pages say."""
        client = self.client_for("alice-token")
        article = self.articles[4]
        before = client.get(self.detail(article)).json()
        with override_settings(CACHES=redis_down()):
            self.write(client, "patch", self.detail(article), {"title": "Away"})
        detail = client.get(self.detail(article)).json()
        if PROMISES["after_outage"] == "fresh":
            self.assertEqual(detail, self.uncached(client, self.detail(article)))
        else:
            self.assertEqual(detail, before)

    def test_writes_outside_the_api_are_followed_by_what_the_page_promises(self):
        """Writes a job, the admin or the shell makes: each is followed by fresh reads,
        or, where the page says the recipe sees only its views' writes, by the old
        response until the entry expires."""
        client = self.client_for("alice-token")
        article, gone = self.articles[3], self.articles[4]
        writes = {
            "update()": lambda: Article.objects.filter(pk=article.pk).update(
                title="Article 3, by a job"
            ),
            "bulk_create()": lambda: Article.objects.bulk_create(
                [Article(title="Article 0, in bulk")]
            ),
            "queryset delete()": lambda: Article.objects.filter(pk=gone.pk).delete(),
            "m2m add()": lambda: article.tags.add(Tag.objects.create(name="new")),
            "m2m add(), reversed": lambda: Tag.objects.get(name="new").article_set.add(
                self.articles[2]
            ),
            "related save()": lambda: Tag.objects.get(name="new").save(),
            "related rename": lambda: Tag.objects.filter(name="python").update(
                name="py"
            ),
            **{
                f"nested {name} renamed, save()": partial(rename, parent)
                for name, parent in self.parents.items()
            },
        }
        paths = (LIST, self.detail(article))
        for name, write in writes.items():
            for path in paths:
                client.get(path)
            with self.captureOnCommitCallbacks(execute=True):  # as a committed job
                write()
            served = [client.get(path).json() for path in paths]
            fresh = [self.uncached(client, path) for path in paths]
            if PROMISES["outside_api"] == "fresh" or name == "related save()":
                self.assertEqual(served, fresh, name)  # a save that changes nothing
            else:  # the page says: only its views' writes are seen
                self.assertNotEqual(served, fresh, name)

    def test_a_raw_sql_write_is_followed_by_what_the_page_promises(self):
        """SQL through Django's connection, which no signal announces."""
        client = self.client_for("alice-token")
        article = self.articles[3]
        paths = (LIST, self.detail(article))
        for path in paths:
            client.get(path)
        with self.captureOnCommitCallbacks(execute=True), connection.cursor() as sql:
            sql.execute(
                "UPDATE articles_article SET title = %s WHERE id = %s",
                ["Article 3, by SQL", as_stored(article.pk)],
            )
        served = [client.get(path).json() for path in paths]
        fresh = [self.uncached(client, path) for path in paths]
        if PROMISES["raw_sql"] == "fresh":
            self.assertEqual(served, fresh)
        else:  # the page says: raw SQL is not seen
            self.assertNotEqual(served, fresh)


class AuthCacheContract(ResponseCacheContract):
    """Callers authenticated from the cache, and refused as soon as their credentials end."""

    def end(self, change) -> None:
        with self.captureOnCommitCallbacks(execute=True):  # as a committed change
            change()

    def test_a_deleted_token_is_refused_at_once(self):
        client = self.client_for("alice-token")
        client.get(LIST)
        self.end(lambda: Token.objects.filter(user=self.alice).delete())
        self.assertEqual(client.get(LIST).status_code, 401)

    def test_a_deactivated_user_is_refused_at_once(self):
        token, session = (
            self.client_for("alice-token"),
            self.client_for("alice-session"),
        )
        for client in (token, session):
            client.get(LIST)
        self.alice.is_active = False
        self.end(self.alice.save)
        self.assertEqual(token.get(LIST).status_code, 401)
        shown = self.starred(session.get(LIST))
        self.assertEqual(shown, self.owed("anonymous", shown))

    def test_a_logout_ends_the_session_at_once(self):
        client = self.client_for("alice-session")
        client.get(LIST)
        cookie = client.cookies["sessionid"].value
        self.end(client.logout)
        client.cookies["sessionid"] = cookie  # a copy of the cookie, kept elsewhere
        shown = self.starred(client.get(LIST))
        self.assertEqual(shown, self.owed("anonymous", shown))


class ConditionalContract(CopiedProject):
    """ETags that answer 304 only for the same representation, and 412 for lost updates."""

    def revalidate(self, client: APIClient, path: str, etag: str, **headers):
        return client.get(path, HTTP_IF_NONE_MATCH=etag, **headers)

    def test_a_revalidation_is_a_304_with_the_promised_queries(self):
        for kind in KINDS:
            client = self.client_for(kind)
            etag = client.get(LIST)["ETag"]
            owed = PROMISES["hit_queries"][kind.rpartition("-")[2]]
            with self.assertNumQueries(owed):
                response = self.revalidate(client, LIST, etag)
            self.assertEqual(response.status_code, 304, kind)

    def test_no_caller_is_told_another_callers_copy_is_current(self):
        etags = {kind: self.client_for(kind).get(LIST)["ETag"] for kind in KINDS}
        for first, second in itertools.permutations(KINDS, 2):
            response = self.revalidate(self.client_for(second), LIST, etags[first])
            self.assertEqual(response.status_code, 200, (first, second))
            shown = self.starred(response)
            self.assertEqual(shown, self.owed(second, shown), (first, second))

    def test_a_copy_from_another_host_is_not_current(self):
        client = self.client_for("bob-token")
        etag = client.get(LIST, HTTP_HOST="api.localhost")["ETag"]
        response = self.revalidate(client, LIST, etag, HTTP_HOST="mirror.localhost")
        self.assertEqual(response.status_code, 200)

    def test_a_write_makes_the_old_copies_stale_and_refuses_lost_updates(self):
        client = self.client_for("alice-token")
        path = self.detail(self.articles[3])
        listed, detailed = client.get(LIST)["ETag"], client.get(path)["ETag"]

        self.write(client, "patch", path, {"title": "Article 3, renamed"})
        self.write(client, "post", f"{self.detail(self.articles[2])}star/")

        self.assertEqual(self.revalidate(client, path, detailed).status_code, 200)
        fresh = self.revalidate(client, LIST, listed)
        self.assertEqual(fresh.status_code, 200)
        self.assertTrue(self.starred(fresh)[str(self.articles[2].pk)])
        lost = client.patch(
            path, {"title": "Lost"}, format="json", HTTP_IF_MATCH=detailed
        )
        self.assertEqual(lost.status_code, 412)
        self.assertIn("changed", lost.json()["detail"])


class HeadersContract(CopiedProject):
    """Browsers and CDNs told what they may keep: never a user's response as public."""

    def test_anonymous_reads_are_public_for_as_long_as_the_policy_says(self):
        response = self.client_for("anonymous").get(LIST)
        directives = set(response["Cache-Control"].split(", "))
        self.assertEqual(directives, set(PROMISES["anonymous_list"]))
        for header in ("Accept", "Authorization", "Cookie"):
            self.assertIn(header, response["Vary"])

    def test_a_callers_reads_are_private(self):
        for kind in KINDS[1:]:
            response = self.client_for(kind).get(LIST)
            directives = response["Cache-Control"].split(", ")
            self.assertIn("private", directives, kind)
            self.assertFalse(
                {"public"} & set(directives) or "s-maxage" in response["Cache-Control"]
            )

    def test_writes_and_errors_are_never_kept(self):
        client = self.client_for("alice-token")
        written = self.write(client, "patch", self.detail(self.articles[0]), {"x": 1})
        nobody = uuid.UUID(int=0) if isinstance(self.articles[0].pk, uuid.UUID) else 0
        missing = client.get(f"{LIST}{nobody}/")
        for response in (written, missing):
            self.assertEqual(response["Cache-Control"], "no-store")


class MonitoringContract(CopiedProject):
    """Responses counted by outcome, commands by key group, errors; staff-only endpoints."""

    def setUp(self):
        super().setUp()
        from .cache_metrics import reset_counters

        reset_counters()

    def responses(self, route: str, outcome: str) -> float:
        from .cache_metrics import REGISTRY

        labels = {"namespace": "", "route": route, "outcome": outcome}
        return REGISTRY.get_sample_value("drf_cache_responses_total", labels) or 0

    def test_each_response_is_counted_by_the_outcome_it_announces(self):
        client = self.client_for("alice-token")
        for path in (LIST, LIST, LIST, self.detail(self.articles[0])):
            client.get(path)
        counted = {
            (route, outcome): self.responses(route, outcome)
            for route in ("article-list", "article-detail")
            for outcome in ("miss", "hit")
        }
        self.assertEqual(
            counted,
            {
                ("article-list", "miss"): 1,
                ("article-list", "hit"): 2,
                ("article-detail", "miss"): 1,
                ("article-detail", "hit"): 0,
            },
        )

    def test_commands_are_counted_by_key_group(self):
        from .cache_metrics import summary

        self.client_for("anonymous").get(LIST)
        self.assertGreater(sum(summary()["commands"]["ns"].values()), 0)

    def test_errors_are_counted_while_redis_is_down_and_the_api_answers(self):
        from .cache_metrics import summary

        with override_settings(CACHES=redis_down()):
            response = self.client_for("anonymous").get(LIST)
        self.assertEqual(response.status_code, 200)
        self.assertGreater(summary()["errors"].get("ConnectionError", 0), 0)

    def test_a_write_redis_cannot_take_is_counted_as_an_error(self):
        from .cache_metrics import summary

        client = self.client_for("alice-token")
        with override_settings(CACHES=redis_down()):
            self.write(client, "patch", self.detail(self.articles[4]), {"title": "Off"})
        self.assertGreater(summary()["errors"].get("ConnectionError", 0), 0)

    def test_the_metrics_are_prometheus_text_for_staff_only(self):
        from prometheus_client.parser import text_string_to_metric_families

        self.assertIn(
            self.client_for("anonymous").get("/api/cache-metrics/").status_code,
            (401, 403),
        )
        staff = get_user_model().objects.create_user("ops", is_staff=True)
        client = APIClient()
        client.force_login(staff)
        response = client.get("/api/cache-metrics/")
        self.assertEqual(response.status_code, 200)
        names = {
            f.name for f in text_string_to_metric_families(response.content.decode())
        }
        self.assertLessEqual({"drf_cache_responses", "drf_cache_commands"}, names)


class WarmingContract(CopiedProject):
    """``manage.py warm_cache``: hits afterwards, nothing new the second time, and a
    clear failure when the cache cannot keep entries."""

    def warm(self) -> str:
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("warm_cache", "--concurrency", "1", stdout=out)
        return out.getvalue()

    def test_warmed_pages_are_hits_with_the_promised_queries(self):
        self.warm()
        for path in settings.CACHE_WARMING["PATHS"]:
            with CaptureQueriesContext(connection) as ran:
                response = self.client_for("anonymous").get(path)
            self.assertEqual((outcome(response), len(ran)), ("hit", 0), path)

    def test_warming_twice_writes_nothing_new(self):
        self.warm()
        self.assertIn("skipped │ 2", self.warm())

    def test_warming_a_cache_that_is_down_fails_with_the_reason(self):
        from django.core.management import CommandError

        with (
            override_settings(CACHES=redis_down()),
            self.assertRaisesMessage(CommandError, "cannot keep entries"),
        ):
            self.warm()


class MemoryContract(CopiedProject):
    """``check --deploy`` warns of the test Redis's settings; sizes add up by key group."""

    def test_the_deploy_check_warns_of_no_limit_and_noeviction(self):
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("check", "--deploy", stdout=out, stderr=out)
        self.assertIn("memory.W001", out.getvalue())  # redis-server's default: no limit
        self.assertIn("memory.W002", out.getvalue())  # ... and noeviction

    def test_sizes_count_the_keys_a_read_stored(self):
        from .redis_memory import sizes_by_group

        self.client_for("alice-token").get(LIST)
        groups = {size.group: size for size in sizes_by_group()}
        self.assertEqual(groups["ns"].keys, 2)  # articles, and alice's stars
        self.assertGreater(groups["articles.list"].bytes, 0)


class SharedCacheContract(CopiedProject):
    """Anonymous reads tagged for a shared cache, callers' reads private, and every
    committed write, through the API or not, purging a key of each page it changed."""

    def setUp(self):
        super().setUp()
        from django.apps import apps

        purger = apps.get_app_config("articles").purger
        self.purged: list[str] = []
        self.addCleanup(setattr, purger, "send", purger.send)
        self.addCleanup(setattr, purger, "delay", purger.delay)
        purger.send, purger.delay = self.purged.extend, 0

    def keys(self, path: str) -> set[str]:
        return set(self.client_for("anonymous").get(path)["xkey"].split())

    def test_anonymous_reads_are_public_and_carry_their_keys(self):
        for path in (LIST, self.detail(self.articles[0])):
            response = self.client_for("anonymous").get(path)
            self.assertIn("public", response["Cache-Control"])
            self.assertIn("s-maxage=300", response["Cache-Control"])
            self.assertTrue(response["xkey"].split(), path)

    def test_a_callers_reads_are_private_and_carry_no_keys(self):
        for kind in KINDS[1:]:
            response = self.client_for(kind).get(LIST)
            self.assertIn("private", response["Cache-Control"], kind)
            self.assertNotIn("xkey", response, kind)

    def test_a_committed_write_purges_a_key_of_every_page_it_changed(self):
        detail = self.detail(self.articles[2])
        pages = {path: self.keys(path) for path in (LIST, detail)}
        client = self.client_for("alice-token")
        self.write(client, "patch", detail, {"title": "Purged"})
        for path, keys in pages.items():
            self.assertTrue(keys & set(self.purged), path)

    def test_a_write_outside_the_api_purges_too(self):
        article = self.articles[3]
        keys = self.keys(self.detail(article))
        with self.captureOnCommitCallbacks(execute=True):
            Article.objects.filter(pk=article.pk).update(title="Bulk")
        self.assertTrue(keys & set(self.purged))

    def test_a_purge_the_cache_refused_is_relayed_from_the_outbox(self):
        from django.apps import apps

        from .outbox import PendingInvalidation

        purger = apps.get_app_config("articles").purger
        keys = self.keys(self.detail(self.articles[3]))

        def refused(chunk):
            raise ConnectionRefusedError("the shared cache is down")

        purger.send = refused
        waiting = PendingInvalidation.objects.count()  # the set-up's, never committed
        with self.captureOnCommitCallbacks(execute=True):
            Article.objects.filter(pk=self.articles[3].pk).update(title="Later")
        self.assertEqual(PendingInvalidation.objects.count(), waiting + 1)

        purger.send, purger.failed = self.purged.extend, []  # back
        call_command("relay_invalidations", stdout=io.StringIO())
        self.assertTrue(keys & set(self.purged))
        self.assertFalse(PendingInvalidation.objects.exists())

    def test_a_rolled_back_write_purges_nothing(self):
        with (
            self.captureOnCommitCallbacks(execute=True),
            suppress(RuntimeError),
            transaction.atomic(),
        ):
            Article.objects.filter(pk=self.articles[3].pk).update(title="Undone")
            raise RuntimeError
        self.assertEqual(self.purged, [])
