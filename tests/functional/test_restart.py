"""Durability: graceful stop and restart, and kill -9 during a burst of writes.

Every test here controls its own process (server_factory), so all skip when
the suite runs against HYPHA_MICROBLOG_URL.
"""

import signal

import pytest

from microblog_api import (
    Api, Writer, all_items, assert_bearer_challenge, assert_error, check_micropost, check_user, create_user,
    get_token, ids, json_body, login, register, unique_password, wait_until,
)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_server_gracefully(server_factory, sig):
    srv = server_factory()
    status, killed = srv.stop(sig)
    assert not killed, f"server ignored {sig.name} for 10 s"
    assert status == 0, f"exit status {status} after {sig.name}"


def test_everything_written_before_a_graceful_stop_is_there_after_restart(server_factory):
    srv = server_factory()
    api = Api(srv.url)
    alice = create_user(api, "Durable")
    bob = create_user(api, "bob")
    posts = [alice.post(f"durable post {i} @{bob.username}") for i in range(15)]
    edited = json_body(alice.api.put(posts[3]["href"], json={"text": "edited before the restart"}), 200)
    posts[3] = edited
    assert alice.api.delete(posts[7]["href"]).status_code == 204
    deleted = posts.pop(7)
    revoked = get_token(api, bob.username, bob.password)
    assert api.delete("/api/token", token=revoked).status_code == 204
    users_before = {u.username: json_body(api.get(u.href), 200) for u in (alice, bob)}
    last_id = max(int(p["id"]) for p in posts)

    status, killed = srv.stop()
    assert (status, killed) == (0, False)
    srv.start()
    api = Api(srv.url)

    for username, before in users_before.items():
        after = check_user(json_body(api.get(f"/api/users/{username}"), 200), username)
        assert after["created"] == before["created"]
    listed = all_items(api, alice.collection + "?size=4")
    assert listed == list(reversed(posts))
    for post in posts:
        assert json_body(api.get(post["href"]), 200) == post
    assert_error(api.get(deleted["href"]), 404)
    # Identity survives: passwords, tokens (and their revocation), unique names.
    assert get_token(api, alice.username, alice.password)
    assert_error(login(api, alice.username, alice.password + "x"), 401)
    assert api.post(alice.collection, json={"text": "old token"}, token=alice.token).status_code == 201
    assert_bearer_challenge(api.post(bob.collection, json={"text": "revoked token"}, token=revoked))
    assert api.post(bob.collection, json={"text": "bob's old token"}, token=bob.token).status_code == 201
    assert_error(register(api, alice.username.upper(), unique_password()), 409)
    # Ids keep growing across restarts.
    newer = check_micropost(json_body(api.post(alice.collection, json={"text": "after the restart"},
                                               token=alice.token), 201))
    assert int(newer["id"]) > last_id
    wait_until(lambda: json_body(api.get(alice.href), 200)["microposts_count"] == len(posts) + 2,
               message="microposts_count after restart")


def _burst(srv, alice, writers=6, at_least=40):
    threads = [Writer(Api(srv.url, alice.token), alice.username, f"w{n}") for n in range(writers)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: sum(len(t.answered) for t in threads) >= at_least, timeout=30,
                   message=f"{at_least} answered writes")
    except AssertionError:
        for t in threads:
            t.stop.set()
        raise
    return threads


def _check_after_restart(srv, alice, threads):
    api = Api(srv.url)
    answered = {post_id: text for t in threads for post_id, text in t.answered}
    sent = {text for t in threads for text in t.sent}
    for post_id, text in answered.items():
        resp = api.get(f"{alice.collection}/{post_id}")
        assert resp.status_code == 200, f"answered post {post_id} lost: {resp.status_code}"
        check_micropost(resp.json(), alice.username, text)
    listed = all_items(api, alice.collection + "?size=100")
    assert set(answered) <= set(ids(listed))
    assert len(ids(listed)) == len(set(ids(listed)))
    for post in listed:
        check_micropost(post, alice.username)
        assert post["text"] in sent, f"a post nobody sent: {post['text']!r}"
    # The server is fully usable again.
    token = get_token(api, alice.username, alice.password)
    json_body(api.post(alice.collection, json={"text": "after recovery"}, token=token), 201)
    wait_until(lambda: json_body(api.get(alice.href), 200)["microposts_count"] == len(listed) + 1,
               message="microposts_count matches the collection after recovery")


def test_kill_9_during_a_write_burst_loses_no_answered_post(server_factory):
    srv = server_factory()
    alice = create_user(Api(srv.url), "crash")
    threads = _burst(srv, alice)
    srv.kill()
    for t in threads:
        t.stop.set()
        t.join(timeout=30)
    srv.start()
    _check_after_restart(srv, alice, threads)


def test_sigterm_during_a_write_burst_loses_no_answered_post(server_factory):
    srv = server_factory()
    alice = create_user(Api(srv.url), "term")
    threads = _burst(srv, alice)
    status, killed = srv.stop()
    for t in threads:
        t.stop.set()
        t.join(timeout=30)
    assert not killed, "server did not stop within 10 s of SIGTERM under load"
    assert status == 0
    srv.start()
    _check_after_restart(srv, alice, threads)


def test_restart_twice_in_a_row(server_factory):
    srv = server_factory()
    alice = create_user(Api(srv.url), "twice")
    first = alice.post("before both restarts")
    for _ in range(2):
        srv.stop()
        srv.start()
    api = Api(srv.url)
    assert json_body(api.get(first["href"]), 200) == first
    assert get_token(api, alice.username, alice.password)
