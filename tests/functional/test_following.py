"""Following: POST/GET /api/users/<u>/following, DELETE .../following/<u2>, followers."""

import pytest

from microblog_api import (
    Api, allow_set, assert_bearer_challenge, assert_error, check_page, check_short_user, create_user, json_body,
    unique_username, wait_until, walk,
)

pytestmark = pytest.mark.part2


def usernames(items):
    return [u["username"] for u in items]


def following_of(api, user):
    return usernames(item for page in walk(api, user.href + "/following?size=100") for item in page["result"])


def followers_of(api, user):
    return usernames(item for page in walk(api, user.href + "/followers?size=100") for item in page["result"])


def test_follow_is_201_short_user_then_200(api, new_user):
    alice, bob = new_user("fa"), new_user("fb", with_token=False)
    first = alice.follow(bob.username)
    short = check_short_user(json_body(first, 201), bob.username)
    assert short["href"] == bob.representation["href"]
    again = alice.follow(bob.username)
    assert check_short_user(json_body(again, 200), bob.username) == short


def test_follow_in_another_case_names_the_stored_user(new_user):
    alice, bob = new_user("fc"), new_user("MixedCase", with_token=False)
    check_short_user(json_body(alice.follow(bob.username.upper()), 201), bob.username)
    check_short_user(json_body(alice.follow(bob.username.lower()), 200), bob.username)


def test_following_and_followers_lists(api, new_user):
    alice, bob = new_user("la"), new_user("lb", with_token=False)
    alice.follow(bob.username)
    page = check_page(api.get(alice.href + "/following"))
    assert len(page["result"]) == 1
    check_short_user(page["result"][0], bob.username)
    assert page["result"][0]["href"] == bob.representation["href"]
    assert following_of(api, alice) == [bob.username]  # read-your-writes
    wait_until(lambda: followers_of(api, bob) == [alice.username], message="bob's followers list alice")
    assert following_of(api, bob) == [] and followers_of(api, alice) == []


def test_lists_are_newest_relation_first(api, new_user):
    alice = new_user("ord")
    others = [new_user(f"o{i}") for i in range(3)]
    for other in others:
        alice.follow(other.username)
        other.follow(alice.username)
    assert following_of(api, alice) == [o.username for o in reversed(others)]
    wait_until(lambda: followers_of(api, alice) == [o.username for o in reversed(others)],
               message="followers newest first")


def test_refollow_moves_to_the_front(api, new_user):
    alice = new_user("ref")
    b, c = new_user("rb", with_token=False), new_user("rc", with_token=False)
    alice.follow(b.username)
    alice.follow(c.username)
    assert alice.unfollow(b.username).status_code == 204
    assert alice.follow(b.username).status_code == 201
    assert following_of(api, alice) == [b.username, c.username]


def test_unfollow_is_204_then_404(api, new_user):
    alice, bob = new_user("ua"), new_user("ub", with_token=False)
    alice.follow(bob.username)
    resp = alice.unfollow(bob.username)
    assert resp.status_code == 204, resp.text
    assert resp.content == b""
    assert following_of(api, alice) == []
    wait_until(lambda: followers_of(api, bob) == [], message="bob's followers empty after unfollow")
    assert_error(alice.unfollow(bob.username), 404)


def test_unfollow_in_another_case(api, new_user):
    alice, bob = new_user("uc"), new_user("CaseTarget", with_token=False)
    alice.follow(bob.username)
    assert alice.unfollow(bob.username.upper()).status_code == 204
    assert following_of(api, alice) == []


def test_unfollow_someone_not_followed_is_404(new_user):
    alice, bob = new_user("nf"), new_user("nfb", with_token=False)
    assert_error(alice.unfollow(bob.username), 404)
    assert_error(alice.unfollow(unique_username("ghost")), 404)


def test_following_oneself_is_400(api, new_user):
    alice = new_user("self")
    for name in (alice.username, alice.username.upper()):
        assert_error(alice.follow(name), 400, field="username")
    assert following_of(api, alice) == [] and followers_of(api, alice) == []


def test_following_an_unknown_user_is_404(api, new_user):
    alice = new_user("unk")
    assert_error(alice.follow(unique_username("ghost")), 404)
    assert following_of(api, alice) == []


def test_follow_without_token_is_401(api, new_user):
    alice, bob = new_user("nt", with_token=False), new_user("ntb", with_token=False)
    assert_bearer_challenge(api.post(alice.href + "/following", json={"username": bob.username}))
    assert_bearer_challenge(api.delete(f"{alice.href}/following/{bob.username}"))
    assert following_of(api, alice) == []


def test_following_on_behalf_of_another_user_is_403(api, new_user):
    alice, mallory = new_user("vf"), new_user("mf")
    bob = new_user("bf", with_token=False)
    assert_error(mallory.api.post(alice.href + "/following", json={"username": bob.username}), 403)
    assert following_of(api, alice) == []
    alice.follow(bob.username)
    assert_error(mallory.api.delete(f"{alice.href}/following/{bob.username}"), 403)
    assert following_of(api, alice) == [bob.username]


@pytest.fixture(scope="module")
def pair(server):
    """A follower that never manages to follow anyone, and a target."""
    client = Api(server.url)
    return create_user(client, "fbe"), create_user(client, "fbt", with_token=False)


@pytest.mark.parametrize("body,field", [
    ({}, "username"),
    ({"username": None}, "username"),
    ({"username": 7}, "username"),
    ({"username": ["x"]}, "username"),
    ({"username": "USER", "notify": True}, "notify"),
    ({"user": "USER"}, "user"),
    ({"username": ""}, "username"),
    ({"username": "no spaces allowed"}, "username"),
    ({"username": "x" * 31}, "username"),
], ids=["missing", "null", "number", "list", "unknown-field", "misspelt", "empty", "impossible", "too-long"])
def test_follow_body_errors_are_400(api, pair, body, field):
    alice, bob = pair
    body = {k: (bob.username if v == "USER" else v) for k, v in body.items()}
    assert_error(alice.api.post(alice.href + "/following", json=body), 400, field=field)
    assert following_of(api, alice) == []


def test_follow_with_a_non_json_body_is_415(api, pair):
    alice, bob = pair
    resp = alice.api.post(alice.href + "/following", data=bob.username.encode(), headers={"Content-Type": "text/plain"})
    assert_error(resp, 415)
    assert following_of(api, alice) == []


def test_follow_with_malformed_json_is_400(api, pair):
    alice, _ = pair
    resp = alice.api.post(alice.href + "/following", data=b'{"username": ', headers={"Content-Type": "application/json"})
    assert_error(resp, 400)
    assert following_of(api, alice) == []


def test_lists_of_an_unknown_user_are_404(api):
    ghost = unique_username("ghost")
    assert_error(api.get(f"/api/users/{ghost}/following"), 404)
    assert_error(api.get(f"/api/users/{ghost}/followers"), 404)


def test_following_links_of_a_user_resolve(api, new_user):
    alice = new_user("lnk", with_token=False)
    for link in ("following", "followers"):
        page = check_page(api.get(alice.representation[link]))
        assert page["result"] == [], link


def test_following_lists_are_public(api, new_user):
    alice, bob = new_user("pub"), new_user("pubb", with_token=False)
    alice.follow(bob.username)
    assert usernames(check_page(api.get(alice.href + "/following"))["result"]) == [bob.username]


def test_following_lists_paginate(api, server):
    client = Api(server.url)
    hub = create_user(client, "hub")
    fans = [create_user(client, f"fan{i}") for i in range(5)]
    for fan in fans:
        hub.follow(fan.username)
        fan.follow(hub.username)
    expected = [f.username for f in reversed(fans)]
    for path in (hub.href + "/following?size=2", hub.href + "/followers?size=2"):
        def complete():
            pages = walk(api, path)
            return pages if usernames(u for p in pages for u in p["result"]) == expected else None

        pages = wait_until(complete, message=f"{path} lists the five, newest first")
        assert [len(p["result"]) for p in pages] == [2, 2, 1]
        assert pages[0]["previous"] is None and all(p["previous"] for p in pages[1:])
        back = walk(api, pages[-1]["previous"], link="previous")
        assert [usernames(p["result"]) for p in back] == [usernames(p["result"]) for p in reversed(pages[:-1])]
        numbered = check_page(api.get(path + "&page=2"))
        assert usernames(numbered["result"]) == expected[2:4]


@pytest.mark.parametrize("value", ["0", "101", "x"])
def test_following_list_rejects_bad_size(api, pair, value):
    alice, _ = pair
    assert_error(api.get(f"{alice.href}/following?size={value}"), 400, field="size")
    assert_error(api.get(f"{alice.href}/followers?size={value}"), 400, field="size")


def test_following_counts(api, new_user):
    alice, bob, carol = new_user("ca"), new_user("cb"), new_user("cc", with_token=False)
    alice.follow(bob.username)
    alice.follow(carol.username)
    bob.follow(carol.username)

    def counts(user):
        rep = json_body(api.get(user.href), 200)
        return rep["following_count"], rep["followers_count"]

    wait_until(lambda: counts(alice) == (2, 0) and counts(bob) == (1, 1) and counts(carol) == (0, 2),
               message=lambda: f"counts alice {counts(alice)} bob {counts(bob)} carol {counts(carol)}")
    alice.unfollow(carol.username)
    wait_until(lambda: counts(alice) == (1, 0) and counts(carol) == (0, 1),
               message=lambda: f"counts after unfollow: alice {counts(alice)} carol {counts(carol)}")


def test_wrong_method_on_following_is_405(new_user):
    alice = new_user("f405")
    for method in ("PUT", "DELETE", "PATCH"):
        resp = alice.api.request(method, alice.href + "/following", json={})
        assert_error(resp, 405)
        assert {"GET", "POST"} <= allow_set(resp)
    resp = alice.api.post(alice.href + "/followers", json={"username": "x"})
    assert_error(resp, 405)
    assert "GET" in allow_set(resp)
