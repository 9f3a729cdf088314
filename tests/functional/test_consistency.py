"""The contract's consistency rules across services: read-your-writes, fan-out
within 1 second, unfollow/follow effects, deletes and edits everywhere, stable
pages while posts arrive, counts matching lists, and all of it across restarts."""

import threading

import pytest

from microblog_api import (
    CONSISTENCY_TIMEOUT, Api, Writer, all_items, assert_bearer_challenge, assert_error, assert_newest_first,
    create_user, get_token, holds_for, ids, json_body, unique_word, wait_until, walk,
)

pytestmark = pytest.mark.part2


def timeline_ids(user, api=None):
    client = api or user.api
    return ids(item for page in walk(client, f"{user.timeline}?size=100") for item in page["result"])


def timeline_items(user):
    return [item for page in walk(user.api, f"{user.timeline}?size=100") for item in page["result"]]


def search_ids(api, text):
    return ids(all_items(api, f"/api/search?text={text}&size=100"))


def test_read_your_writes(api, new_user):
    alice = new_user("ryw")
    post = alice.post("visible at once")
    assert ids(json_body(api.get(alice.collection), 200)["result"]) == [post["id"]]
    assert json_body(api.get(post["href"]), 200) == post
    assert timeline_ids(alice) == [post["id"]]

    edited = json_body(alice.api.patch(post["href"], json={"text": "edited at once"}), 200)
    assert json_body(api.get(post["href"]), 200)["text"] == "edited at once"
    assert json_body(api.get(alice.collection), 200)["result"] == [edited]
    assert timeline_items(alice) == [edited]

    assert alice.api.delete(post["href"]).status_code == 204
    assert_error(api.get(post["href"]), 404)
    assert json_body(api.get(alice.collection), 200)["result"] == []
    assert timeline_ids(alice) == []


def test_new_post_fans_out_to_every_follower(new_user):
    alice = new_user("fan")
    followers = [new_user("fol") for _ in range(3)]
    for f in followers:
        assert f.follow(alice.username).status_code == 201
    post = alice.post("to all my followers")
    for f in followers:
        wait_until(lambda: post["id"] in timeline_ids(f), message=f"post in {f.username}'s timeline")


def test_edit_fans_out(new_user):
    alice, bob = new_user("efa"), new_user("efb")
    bob.follow(alice.username)
    post = alice.post("before the edit")
    wait_until(lambda: post["id"] in timeline_ids(bob), message="post reaches bob")
    edited = json_body(alice.api.put(post["href"], json={"text": "after the edit"}), 200)
    wait_until(lambda: timeline_items(bob) == [edited], message="the edit reaches bob's timeline")


def test_delete_fans_out(new_user):
    alice, bob = new_user("dfa"), new_user("dfb")
    bob.follow(alice.username)
    keep, doomed = alice.post("stays"), alice.post("goes")
    wait_until(lambda: timeline_ids(bob) == [doomed["id"], keep["id"]], message="both reach bob")
    assert alice.api.delete(doomed["href"]).status_code == 204
    wait_until(lambda: timeline_ids(bob) == [keep["id"]], message="the delete reaches bob's timeline")


def test_unfollow_removes_existing_posts_and_stops_new_ones(new_user):
    alice, bob, carol = new_user("una"), new_user("unb"), new_user("unc")
    bob.follow(alice.username)
    bob.follow(carol.username)
    old = [alice.post(f"old {i}") for i in range(3)]
    from_carol = carol.post("carol stays")
    own = bob.post("bob's own")
    wait_until(lambda: set(ids(old)) <= set(timeline_ids(bob)), message="alice's posts reach bob")
    assert bob.unfollow(alice.username).status_code == 204
    expected = [own["id"], from_carol["id"]]
    wait_until(lambda: timeline_ids(bob) == expected, message="alice's posts leave bob's timeline")
    new = alice.post("after the unfollow")
    holds_for(lambda: new["id"] not in timeline_ids(bob) and timeline_ids(bob) == expected,
              duration=CONSISTENCY_TIMEOUT, message="a post after the unfollow stays out of bob's timeline")


def test_follow_backfills_existing_posts(new_user):
    alice, bob = new_user("bfa"), new_user("bfb")
    posts = [alice.post(f"history {i}") for i in range(12)]
    own = bob.post("bob was here")
    assert bob.follow(alice.username).status_code == 201
    expected = sorted(ids(posts) + [own["id"]], key=int, reverse=True)
    wait_until(lambda: timeline_ids(bob) == expected, message="alice's history fills bob's timeline")


def test_refollow_brings_posts_back(new_user):
    alice, bob = new_user("rfa"), new_user("rfb")
    bob.follow(alice.username)
    post = alice.post("come back")
    wait_until(lambda: timeline_ids(bob) == [post["id"]], message="post reaches bob")
    bob.unfollow(alice.username)
    wait_until(lambda: timeline_ids(bob) == [], message="post leaves bob")
    bob.follow(alice.username)
    wait_until(lambda: timeline_ids(bob) == [post["id"]], message="post returns to bob")


def test_rapid_follow_unfollow_follow_ends_following(new_user):
    # Back to back, the three changes can fall within one millisecond: the
    # timeline must still end with the last one (social stamps each change of
    # a relation later than the one before).
    alice, bob = new_user("rpa"), new_user("rpb")
    post = alice.post("rapid")
    for _ in range(5):
        assert bob.follow(alice.username).status_code == 201
        assert bob.unfollow(alice.username).status_code == 204
        assert bob.follow(alice.username).status_code == 201
        wait_until(lambda: timeline_ids(bob) == [post["id"]], message="the last change (a follow) wins")
        assert bob.unfollow(alice.username).status_code == 204
        wait_until(lambda: timeline_ids(bob) == [], message="the unfollow wins")


def test_edit_shows_everywhere(api, new_user):
    alice, bob = new_user("esa"), new_user("esb")
    bob.follow(alice.username)
    old_word, new_word = unique_word(), unique_word()
    post = alice.post(f"saying {old_word}")
    wait_until(lambda: search_ids(api, old_word) == [post["id"]], message="indexed")
    edited = json_body(alice.api.put(post["href"], json={"text": f"now saying {new_word}"}), 200)
    assert json_body(api.get(post["href"]), 200) == edited
    assert json_body(api.get(alice.collection), 200)["result"] == [edited]
    wait_until(lambda: timeline_items(bob) == [edited], message="edit in bob's timeline")
    wait_until(lambda: search_ids(api, new_word) == [post["id"]], message="new words searchable")
    wait_until(lambda: search_ids(api, old_word) == [], message="old words no longer found")
    assert all_items(api, f"/api/search?text={new_word}") == [edited]


def test_delete_removes_everywhere(api, new_user):
    alice, bob = new_user("dea"), new_user("deb")
    bob.follow(alice.username)
    word = unique_word()
    post = alice.post(f"about to vanish {word}")
    wait_until(lambda: search_ids(api, word) == [post["id"]] and post["id"] in timeline_ids(bob),
               message="indexed and fanned out")
    assert alice.api.delete(post["href"]).status_code == 204
    assert_error(api.get(post["href"]), 404)
    wait_until(lambda: search_ids(api, word) == [], message="gone from search")
    wait_until(lambda: timeline_ids(bob) == [], message="gone from bob's timeline")
    assert timeline_ids(alice) == []
    assert json_body(api.get(alice.collection), 200)["result"] == []


def test_timeline_pages_never_overlap_or_skip_while_posts_arrive(server, new_user):
    reader, alice, bob = new_user("tpr"), new_user("tpa"), new_user("tpb")
    reader.follow(alice.username)
    reader.follow(bob.username)
    existing = [(alice, bob)[i % 2].post(f"existing {i}") for i in range(14)]
    wait_until(lambda: set(ids(existing)) <= set(timeline_ids(reader)), message="history in the timeline")
    writers = [Writer(Api(server.url, u.token), u.username, f"live {u.username}") for u in (alice, bob)]
    for w in writers:
        w.start()
    try:
        wait_until(lambda: all(w.answered for w in writers), timeout=10, message="writers running")
        items = [item for page in walk(reader.api, f"{reader.timeline}?size=3") for item in page["result"]]
    finally:
        for w in writers:
            w.stop.set()
        for w in writers:
            w.join(timeout=30)
    assert_newest_first(items)
    assert set(ids(existing)) <= set(ids(items)), "a post older than the walk was skipped"


def test_timeline_requires_its_owners_token(api, new_user):
    alice, bob = new_user("toa"), new_user("tob")
    bob.follow(alice.username)
    assert_bearer_challenge(api.get(bob.timeline))
    assert_error(alice.api.get(bob.timeline), 403)
    assert_bearer_challenge(api.get(bob.timeline, token=alice.token + "x"))


def test_counts_match_lists(api, new_user):
    users = [new_user("cm") for _ in range(3)]
    a, b, c = users
    a.follow(b.username)
    a.follow(c.username)
    b.follow(c.username)
    c.follow(a.username)
    posts = [a.post("a1"), a.post("a2"), b.post("b1")]
    a.unfollow(b.username)
    a.api.delete(posts[0]["href"])

    def consistent():
        for u in users:
            rep = json_body(api.get(u.href), 200)
            lists = (len(all_items(api, u.collection + "?size=100")),
                     len(all_items(api, u.href + "/following?size=100")),
                     len(all_items(api, u.href + "/followers?size=100")))
            if (rep["microposts_count"], rep["following_count"], rep["followers_count"]) != lists:
                return False
        return True

    wait_until(consistent, message="counts in User match the lists")
    counts = {u.username: json_body(api.get(u.href), 200) for u in users}
    assert (counts[a.username]["microposts_count"], counts[a.username]["following_count"],
            counts[a.username]["followers_count"]) == (1, 1, 1)
    assert (counts[c.username]["following_count"], counts[c.username]["followers_count"]) == (1, 2)


def test_concurrent_follows_and_posts_converge(api, server, new_user):
    hub = new_user("hub")
    fans = [new_user("cf") for _ in range(4)]
    posted = []
    lock = threading.Lock()

    def fan_in(fan):
        client = Api(server.url, fan.token)
        assert client.post(fan.href + "/following", json={"username": hub.username}).status_code == 201

    def hub_writes():
        client = Api(server.url, hub.token)
        for i in range(5):
            resp = client.post(hub.collection, json={"text": f"hub {i}"})
            with lock:
                posted.append(resp.json()["id"])

    threads = [threading.Thread(target=fan_in, args=(f,)) for f in fans] + [threading.Thread(target=hub_writes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    expected = sorted(posted, key=int, reverse=True)
    assert len(expected) == 5
    for fan in fans:
        wait_until(lambda: timeline_ids(fan) == expected, message=f"{fan.username} sees all of hub's posts")
    wait_until(lambda: json_body(api.get(hub.href), 200)["followers_count"] == 4, message="followers_count")


# ---- across restarts (need process control) -----------------------------------

def test_follows_timelines_and_search_survive_a_restart(server_factory):
    srv = server_factory()
    api = Api(srv.url)
    alice, bob = create_user(api, "rsa"), create_user(api, "rsb")
    bob.follow(alice.username)
    word = unique_word()
    posts = [alice.post(f"{word} {i}") for i in range(3)]
    expected = ids(reversed(posts))
    wait_until(lambda: timeline_ids(bob) == expected and search_ids(api, word) == expected, message="settled")
    srv.stop()
    srv.start()
    api = Api(srv.url)
    bob_api = Api(srv.url, bob.token)
    assert [u["username"] for u in all_items(api, bob.href + "/following")] == [alice.username]
    assert [u["username"] for u in all_items(api, alice.href + "/followers")] == [bob.username]
    assert ids(all_items(bob_api, bob.timeline)) == expected
    assert search_ids(api, word) == expected
    # And the read models keep updating after the restart.
    newer = json_body(Api(srv.url, alice.token).post(alice.collection, json={"text": f"{word} newer"}), 201)
    wait_until(lambda: ids(all_items(bob_api, bob.timeline))[:1] == [newer["id"]], message="fan-out after restart")
    wait_until(lambda: search_ids(api, word)[:1] == [newer["id"]], message="indexing after restart")


def test_kill_9_loses_no_fan_out_of_answered_posts(server_factory):
    srv = server_factory()
    api = Api(srv.url)
    alice, bob = create_user(api, "k9a"), create_user(api, "k9b")
    bob.follow(alice.username)
    tag = unique_word()
    writers = [Writer(Api(srv.url, alice.token), alice.username, f"{tag} w{n}") for n in range(4)]
    for w in writers:
        w.start()
    try:
        wait_until(lambda: sum(len(w.answered) for w in writers) >= 30, timeout=30, message="30 answered writes")
    finally:
        srv.kill()
        for w in writers:
            w.stop.set()
            w.join(timeout=30)
    answered = {post_id for w in writers for post_id, _ in w.answered}
    srv.start()
    api = Api(srv.url)
    token = get_token(api, bob.username, bob.password)
    bob_api = Api(srv.url, token)
    # The process was down: allow a few windows after it is back.
    wait_until(lambda: answered <= set(ids(all_items(bob_api, bob.timeline + "?size=100"))), timeout=5,
               message="every answered post in the follower's timeline after kill -9")
    wait_until(lambda: answered <= set(search_ids(api, tag)), timeout=5,
               message="every answered post searchable after kill -9")
    collection = set(ids(all_items(api, alice.collection + "?size=100")))
    wait_until(lambda: set(ids(all_items(bob_api, bob.timeline + "?size=100"))) == collection, timeout=5,
               message="the follower's timeline holds exactly the collection (nothing half-written)")
