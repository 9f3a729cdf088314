"""A service that is down: the contract's 503 `unavailable`, nothing half-written.

Only the cluster runs its services as processes that can go down one at a
time, so these tests run with HYPHA_CLUSTER=1 and skip otherwise. Each test
takes a private cluster (server_factory), stops every instance of one service
(SIGTERM), checks what the API answers meanwhile, and starts it again: the
requests that needed it answered 503 and changed nothing, the rest of the API
went on, and events published meanwhile reach the service once it is back.

A request sent just after the service stopped waits in its queue until the
gateway gives up on it; the service that starts again must not run it then
(the client was told 503): the follow and the write below check that.
"""

import pytest

from cluster import started_broker
from conftest import CLUSTER, new_cluster
from microblog_api import (
    Api, all_items, assert_error, check_user, create_user, get_token, ids, json_body, login, unique_word,
    wait_until, with_query,
)

pytestmark = pytest.mark.skipif(not CLUSTER, reason="needs the cluster (HYPHA_CLUSTER=1): one process per service")

# The services reconnect with a backoff of up to 5 s after the broker is back.
RECONNECT_TIMEOUT = 30.0
# A service that stopped is found out at once (no consumer on its queue), but
# a polled read may take a moment to see it back: generous, as it is an upper
# bound only.
RECOVERY_TIMEOUT = 10.0


def listed_ids(resp):
    """The ids of a page answered 200, else None (the service is not back yet)."""
    return ids(json_body(resp, 200)["result"]) if resp.status_code == 200 else None


def assert_unavailable(resp):
    assert_error(resp, 503)  # code "unavailable"


def every_endpoint(alice, bob, post):
    """(method, path, body, token) for every endpoint of the contract, as alice and bob."""
    return [
        ("GET", "/health", None, None),
        ("POST", "/api/users", {"username": unique_word("newbie"), "password": "a long enough password"}, None),
        ("POST", "/api/token", {"username": alice.username, "password": alice.password}, None),
        ("GET", alice.href, None, None),
        ("GET", bob.collection, None, None),
        ("POST", alice.collection, {"text": "while a part was down"}, alice.token),
        ("GET", post["href"], None, None),
        ("PATCH", post["href"], {"text": "edited by a stranger"}, alice.token),
        ("DELETE", post["href"], None, alice.token),
        ("GET", alice.timeline, None, alice.token),
        ("GET", alice.href + "/following", None, None),
        ("GET", bob.href + "/followers", None, None),
        ("POST", bob.href + "/following", {"username": alice.username}, bob.token),
        ("DELETE", alice.href + "/following/" + bob.username, None, alice.token),
        ("GET", with_query("/api/search", text="post"), None, None),
        ("DELETE", "/api/token", None, bob.token),
    ]


def assert_no_500(api, endpoints, when):
    """Each request gets an answer of the contract: never a 500 (nor a hang: the client's timeout)."""
    for method, path, body, token in endpoints:
        resp = api.request(method, path, token=token, **({} if body is None else {"json": body}))
        assert resp.status_code != 500, f"{method} {path} {when}: {resp.status_code} {resp.text}"
        if resp.status_code >= 400:
            assert_error(resp, resp.status_code)


def test_search_down_fails_searches_and_catches_up_when_back(server_factory):
    srv = server_factory()
    api = Api(srv.url)
    alice = create_user(api, "Seeker")
    word = unique_word()
    before = alice.post(f"{word} written before the search service stopped")
    search = with_query("/api/search", text=word)
    wait_until(lambda: listed_ids(api.get(search)) == [before["id"]])

    srv.stop_service("search")
    assert_unavailable(api.get(search))
    assert_unavailable(api.get("/health"))
    # What does not need the search service goes on.
    during = alice.post(f"{word} written while the search service was down")
    assert json_body(api.get(during["href"]), 200) == during
    check_user(json_body(api.get(alice.href), 200), alice.username)

    srv.start_service("search")
    # The event of the post written meanwhile waited in the search service's queue.
    wait_until(lambda: listed_ids(api.get(search)) == [during["id"], before["id"]], timeout=RECOVERY_TIMEOUT)
    assert json_body(api.get("/health"), 200) == {"status": "ok"}


def test_social_down_refuses_a_follow_and_writes_nothing(server_factory):
    srv = server_factory()
    api = Api(srv.url)
    alice = create_user(api, "Follower")
    bob = create_user(api, "Followed")
    bob.post("bob's first")
    # Social has just answered the gateway, which remembers that for a moment:
    # the follow below is then sent to social's queue rather than refused before.
    assert api.get(alice.href + "/following").status_code == 200
    srv.stop_service("social")
    assert_unavailable(alice.follow(bob.username))
    assert_unavailable(api.get(alice.href + "/following"))

    srv.start_service("social")
    wait_until(lambda: api.get(alice.href + "/following").status_code == 200, timeout=RECOVERY_TIMEOUT)
    assert all_items(api, alice.href + "/following") == []
    assert all_items(api, bob.href + "/followers") == []
    assert json_body(api.get(bob.href), 200)["followers_count"] == 0
    # The refused follow left nothing behind: following now is a first follow.
    assert alice.follow(bob.username).status_code == 201


def test_timeline_down_fails_timeline_reads_and_fans_out_when_back(server_factory):
    srv = server_factory()
    api = Api(srv.url)
    alice = create_user(api, "Reader")
    bob = create_user(api, "Writer")
    assert alice.follow(bob.username).status_code == 201

    srv.stop_service("timeline")
    assert_unavailable(alice.api.get(alice.timeline))
    during = bob.post("written while the timeline service was down")

    srv.start_service("timeline")
    wait_until(lambda: listed_ids(alice.api.get(alice.timeline)) == [during["id"]], timeout=RECOVERY_TIMEOUT)


def test_identity_down_refuses_logins_and_writes_then_tokens_still_work(server_factory):
    srv = server_factory()
    api = Api(srv.url)
    alice = create_user(api, "Holder")
    posted = alice.post("before identity stopped")  # identity checked the token just now

    srv.stop_service("identity")
    assert_unavailable(login(api, alice.username, alice.password))
    # A write needs its token checked by the identity service.
    assert_unavailable(alice.api.post(alice.collection, json={"text": "while identity was down"}))
    # Public reads of other services go on.
    assert json_body(api.get(posted["href"]), 200) == posted

    srv.start_service("identity")
    wait_until(lambda: login(api, alice.username, alice.password).status_code == 200, timeout=RECOVERY_TIMEOUT)
    assert get_token(api, alice.username, alice.password)
    # The token issued before the stop still works, and the refused write is not there.
    assert alice.api.post(alice.collection, json={"text": "after identity came back"}).status_code == 201
    texts = [p["text"] for p in all_items(api, alice.collection)]
    assert texts == ["after identity came back", "before identity stopped"]


@pytest.fixture
def own_broker():
    """A RabbitMQ of this test's own, to stop and start."""
    with started_broker() as brk:
        yield brk


def test_broker_down_gives_503_and_the_cluster_comes_back_by_itself(request, own_broker, tmp_path):
    srv = new_cluster(own_broker, tmp_path / "cluster")
    request.node.hypha_servers = [srv]
    srv.start()
    try:
        api = Api(srv.url)
        alice = create_user(api, "Patient")
        bob = create_user(api, "Waiting")
        first = alice.post("before the broker stopped")
        bobs = bob.post("bob's, before the broker stopped")

        own_broker.stop()
        # Every request that needs a service answers 503: none hangs, none is a 500.
        assert_unavailable(api.get(alice.href))
        assert_unavailable(alice.api.post(alice.collection, json={"text": "while the broker was down"}))
        assert_unavailable(api.get("/health"))
        assert_no_500(api, every_endpoint(alice, bob, bobs), "with the broker down")
        assert srv.is_running(), srv.dead()

        own_broker.start()  # same ports, same data: the services reconnect, nobody restarts them
        wait_until(lambda: api.get("/health").status_code == 200, timeout=RECONNECT_TIMEOUT)
        assert [p["id"] for p in all_items(api, alice.collection)] == [first["id"]]
        assert alice.api.post(alice.collection, json={"text": "after the broker came back"}).status_code == 201
        assert srv.is_running(), srv.dead()
    finally:
        srv.stop()


@pytest.mark.parametrize("service", ["identity", "posts", "social", "timeline", "search"])
def test_no_request_is_a_500_while_a_service_is_down(server_factory, service):
    """Every endpoint, with one service down: an answer of the contract (503
    where the service is needed), never a 500, never a hang."""
    srv = server_factory()
    api = Api(srv.url)
    alice = create_user(api, "Sweeper")
    bob = create_user(api, "Swept")
    assert alice.follow(bob.username).status_code == 201
    post = bob.post("a post to read @" + alice.username)
    token = alice.token

    srv.stop_service(service)
    assert_no_500(api, every_endpoint(alice, bob, post), f"with {service} down")
    srv.start_service(service)
    wait_until(lambda: api.get("/health").status_code == 200, timeout=RECOVERY_TIMEOUT)
