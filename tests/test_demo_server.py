"""The demo API's contract, checked over real HTTP against ``python -m recipes runserver``."""

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from harness.testing import free_port

SERVER_TIMING = re.compile(
    r'^cache;desc="(?P<cache>hit|miss|bypass)", db;dur=\d+\.\d;desc="(?P<queries>\d+) quer(y|ies)"$'
)
BOOKS = "/api/cache-page/books/"
# One worker runs this module: the demo server is started once, for all of its tests.
pytestmark = pytest.mark.xdist_group("demo-server")


class Demo:
    """A running demo server and helpers to call it."""

    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.base + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return requests.post(self.base + path, timeout=30, **kwargs)

    def token(self, username: str) -> dict[str, str]:
        response = self.post(
            "/api/token/", json={"username": username, "password": "cookbook"}
        )
        return {"Authorization": f"Token {response.json()['token']}"}


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "recipes", *args], env=env, check=True, timeout=300
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """Migrate and seed a fresh SQLite file, then serve it with ``runserver``."""
    database = Path(tmp_path_factory.mktemp("demo")) / "demo.sqlite3"
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env |= {"DATABASE_URL": f"sqlite:///{database}", "PYTHONUNBUFFERED": "1"}
    manage("migrate", "--verbosity", "0", env=env)
    manage("seed", env=env)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "recipes",
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    demo = Demo(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while True:
        try:
            demo.get("/api/recipes/")
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the demo server did not start")
            time.sleep(0.2)
    yield demo
    server.terminate()
    server.wait(timeout=10)


def outcome(response: requests.Response) -> str:
    match = SERVER_TIMING.match(response.headers["Server-Timing"])
    assert match, response.headers["Server-Timing"]
    return match["cache"]


def test_recipe_index_lists_cache_page_with_its_endpoints(demo):
    recipes = demo.get("/api/recipes/").json()

    assert {
        "slug": "cache-page",
        "title": "cache_page on ViewSets",
        "endpoints": {"books": BOOKS, "authors": "/api/cache-page/authors/"},
    } in recipes


def test_token_endpoint_returns_a_token_and_rejects_a_wrong_password(demo):
    assert demo.token("alice")["Authorization"].startswith("Token ")
    wrong = demo.post("/api/token/", json={"username": "alice", "password": "nope"})
    assert wrong.status_code == 400
    assert "Unable to log in" in str(wrong.json())


def test_a_repeated_list_request_is_a_hit_with_no_queries(demo):
    headers = demo.token("alice") | {"Accept": "application/json"}
    first = demo.get(BOOKS, params={"page": 2}, headers=headers)
    second = demo.get(BOOKS, params={"page": 2}, headers=headers)

    assert (outcome(first), outcome(second)) == ("miss", "hit")
    assert SERVER_TIMING.match(second.headers["Server-Timing"])["queries"] == "0"
    assert second.json() == first.json()


def test_token_users_never_see_each_others_favorites(demo):
    alice = demo.get(BOOKS, params={"page": 1}, headers=demo.token("alice")).json()
    bob_first = demo.get(BOOKS, params={"page": 1}, headers=demo.token("bob"))
    bob_again = demo.get(BOOKS, params={"page": 1}, headers=demo.token("bob"))

    assert outcome(bob_first) == "miss"
    assert (outcome(bob_again), bob_again.json()) == ("hit", bob_first.json())
    assert bob_first.json()["results"] != alice["results"]


def test_session_user_and_anonymous_visitor_get_their_own_pages(demo):
    browser = requests.Session()
    login = browser.get(demo.base + "/api-auth/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)[1]
    browser.post(
        demo.base + "/api-auth/login/",
        data={"username": "alice", "password": "cookbook", "csrfmiddlewaretoken": csrf},
        headers={"Referer": demo.base + "/api-auth/login/"},
        timeout=30,
    )
    path = "/api/cache-page/books/?page=1&probe=session"
    alice = browser.get(
        demo.base + path, headers={"Accept": "application/json"}, timeout=30
    )
    visitor = demo.get(path, headers={"Accept": "application/json"})

    assert any(book["is_favorite"] for book in alice.json()["results"])
    assert not any(book["is_favorite"] for book in visitor.json()["results"])


def test_browsable_api_and_json_are_cached_apart(demo):
    html = demo.get(BOOKS, params={"page": 1, "f": 1}, headers={"Accept": "text/html"})
    json = demo.get(
        BOOKS, params={"page": 1, "f": 1}, headers={"Accept": "application/json"}
    )

    assert html.headers["Content-Type"].startswith("text/html")
    assert json.headers["Content-Type"] == "application/json"


def test_pagination_links_name_the_host_each_request_used(demo):
    port = demo.base.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        page = demo.get(
            BOOKS, headers={"Host": host, "Accept": "application/json"}
        ).json()
        assert page["next"] == f"http://{host}{BOOKS}?page=2"


def test_favorite_toggle_needs_authentication_and_flips_the_flag(demo):
    assert demo.post(f"{BOOKS}5/favorite/").status_code in (401, 403)

    headers = demo.token("bob")
    first = demo.post(f"{BOOKS}5/favorite/", headers=headers)
    second = demo.post(f"{BOOKS}5/favorite/", headers=headers)

    assert first.status_code == second.status_code == 200
    assert first.json()["is_favorite"] != second.json()["is_favorite"]
    assert outcome(first) == "bypass"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {
                "title": "x",
                "author_id": 999_999,
                "published": "2020-01-01",
                "price": "1",
            },
            "author_id",
        ),
        (
            {"title": "x", "author_id": 1, "published": "not a date", "price": "1"},
            "published",
        ),
        (
            {"title": "", "author_id": 1, "published": "2020-01-01", "price": "1"},
            "title",
        ),
    ],
)
def test_bad_input_gets_a_400_naming_the_field(demo, payload, field):
    response = demo.post(BOOKS, json=payload, headers=demo.token("alice"))

    assert response.status_code == 400
    assert field in response.json()


def test_a_page_that_does_not_exist_is_a_404_with_a_message(demo):
    response = demo.get(
        BOOKS, params={"page": "abc"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_openapi_schema_describes_the_recipe_endpoints(demo):
    schema = demo.get("/api/schema/", params={"format": "json"}).json()

    assert schema["openapi"].startswith("3.")
    assert {BOOKS, f"{BOOKS}{{id}}/", f"{BOOKS}{{id}}/favorite/"} <= set(
        schema["paths"]
    )


def test_seed_on_a_database_without_tables_says_to_migrate_first(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"

    result = subprocess.run(
        [sys.executable, "-m", "recipes", "seed"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert "run `python -m recipes migrate` first" in result.stderr
    assert "Traceback" not in result.stderr
