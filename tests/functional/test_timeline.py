"""GET /api/users/<u>/timeline: the owner's and followed users' microposts."""

import pytest

from microblog_api import (
    Api, assert_bearer_challenge, assert_error, assert_newest_first, check_micropost, check_page, create_user,
    get_token, ids, json_body, wait_until, walk,
)

pytestmark = pytest.mark.part2


def timeline(user, size=100):
    return [item for page in walk(user.api, f"{user.timeline}?size={size}") for item in page["result"]]


def test_timeline_of_a_new_user_is_empty(new_user):
    alice = new_user("tl0")
    page = check_page(alice.api.get(alice.timeline))
    assert page["result"] == [] and page["next"] is None and page["previous"] is None


def test_own_posts_show_at_once(new_user):
    alice = new_user("tlo")
    post = alice.post("my own post")
    assert timeline(alice) == [post]


def test_timeline_merges_followed_users_newest_first(new_user):
    alice, bob, carol, dave = new_user("tla"), new_user("tlb"), new_user("tlc"), new_user("tld")
    alice.follow(bob.username)
    alice.follow(carol.username)
    expected = []
    for author in (bob, alice, carol, dave, bob, carol):
        post = author.post(f"by {author.username}")
        if author is not dave:
            expected.insert(0, post)
    wait_until(lambda: ids(timeline(alice)) == ids(expected), message="alice's timeline merges bob and carol")
    items = timeline(alice)
    assert_newest_first(items)
    assert items == expected
    for item in items:
        check_micropost(item)


def test_timeline_is_private_to_its_owner(api, new_user):
    alice, bob = new_user("tpa"), new_user("tpb")
    alice.post("private timeline")
    assert_bearer_challenge(api.get(alice.timeline))
    assert_error(bob.api.get(alice.timeline), 403)
    assert_bearer_challenge(api.get(alice.timeline, token="garbage"))


def test_timeline_with_a_revoked_token_is_401(api, new_user):
    alice = new_user("trv")
    token = get_token(api, alice.username, alice.password)
    assert api.get(alice.timeline, token=token).status_code == 200
    assert api.delete("/api/token", token=token).status_code == 204
    assert_bearer_challenge(api.get(alice.timeline, token=token))


def test_timeline_path_in_another_case(new_user):
    alice = new_user("TlCase")
    post = alice.post("case")
    page = check_page(alice.api.get(f"/api/users/{alice.username.upper()}/timeline"))
    assert page["result"] == [post]


def test_timeline_paginates(server):
    client = Api(server.url)
    alice, bob = create_user(client, "tpg"), create_user(client, "tpgb")
    alice.follow(bob.username)
    posts = []
    for i in range(11):
        author = (alice, bob)[i % 2]
        posts.insert(0, author.post(f"page {i}"))
    wait_until(lambda: ids(timeline(alice)) == ids(posts), message="timeline complete")
    pages = walk(alice.api, f"{alice.timeline}?size=4")
    assert [len(p["result"]) for p in pages] == [4, 4, 3]
    assert [i for p in pages for i in ids(p["result"])] == ids(posts)
    back = walk(alice.api, pages[-1]["previous"], link="previous")
    assert [ids(p["result"]) for p in back] == [ids(p["result"]) for p in reversed(pages[:-1])]
    numbered = check_page(alice.api.get(f"{alice.timeline}?size=4&page=2"))
    assert ids(numbered["result"]) == ids(posts[4:8])


@pytest.fixture(scope="module")
def owner(server):
    return create_user(Api(server.url), "tsz")


@pytest.mark.parametrize("value", ["0", "101", "abc", "-3"])
def test_timeline_rejects_bad_size(owner, value):
    alice = owner
    assert_error(alice.api.get(f"{alice.timeline}?size={value}"), 400, field="size")


def test_timeline_method_not_allowed(new_user):
    alice = new_user("t405")
    resp = alice.api.post(alice.timeline, json={"text": "x"})
    assert_error(resp, 405)
    assert "GET" in {m.strip() for m in resp.headers.get("Allow", "").split(",")}


def test_timeline_of_unfollowed_users_stays_clean(new_user):
    alice, stranger = new_user("tcl"), new_user("tst")
    own = alice.post("mine")
    stranger.post("not for alice")
    # The stranger's post must never show; once alice's own shows, check the rest.
    assert timeline(alice) == [own]


def test_timeline_entries_equal_the_microposts(api, new_user):
    alice, bob = new_user("teq"), new_user("teqb")
    alice.follow(bob.username)
    post = bob.post(f"hello @{alice.username}")
    wait_until(lambda: ids(timeline(alice)) == [post["id"]], message="bob's post in alice's timeline")
    assert timeline(alice) == [json_body(api.get(post["href"]), 200)]
