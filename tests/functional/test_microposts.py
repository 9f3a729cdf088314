"""Microposts: create, read, edit (PUT/PATCH), delete, text rules, mentions, ids."""

import json
import threading

import pytest

from microblog_api import (
    Api, create_user, assert_bearer_challenge, assert_error, assert_newest_first, assert_location, assert_recent, check_micropost, ids,
    json_body, parse_timestamp, unique_username, wait_until,
)


@pytest.fixture(scope="module")
def writer(server):
    """One author shared by the parametrized tests (each checks only its own posts)."""
    return create_user(Api(server.url), "writer")


@pytest.fixture(scope="module")
def mallory(server):
    return create_user(Api(server.url), "mallory")


def first_page_ids(user):
    return ids(json_body(user.api.get(user.collection), 200)["result"])


def test_create_returns_201_micropost_and_location(new_user):
    alice = new_user("mp")
    resp = alice.api.post(alice.collection, json={"text": "hello world"})
    post = check_micropost(json_body(resp, 201), alice.username, "hello world")
    assert post["href"] == f"{alice.collection}/{post['id']}"
    assert post["user"]["username"] == alice.username
    assert post["referenced"] == []
    assert post["edited"] is None
    assert_recent(post["timestamp"])
    assert parse_timestamp(post["timestamp"]) >= parse_timestamp(alice.representation["created"])
    assert_location(resp, post["href"])


def test_get_micropost(api, new_user):
    alice = new_user("get")
    post = alice.post("read me")
    assert check_micropost(json_body(api.get(post["href"]), 200)) == post


def test_get_micropost_with_username_in_another_case(api, new_user):
    alice = new_user("CaseMp")
    post = alice.post("case")
    for name in (alice.username.upper(), alice.username.lower()):
        got = json_body(api.get(f"/api/users/{name}/collection/{post['id']}"), 200)
        assert got["id"] == post["id"] and got["user"]["username"] == alice.username


def test_ids_grow_with_time(new_user):
    alice = new_user("ids")
    posts = [alice.post(f"number {i}") for i in range(8)]
    nums = [int(p["id"]) for p in posts]
    assert nums == sorted(nums) and len(set(nums)) == len(nums), nums
    stamps = [parse_timestamp(p["timestamp"]) for p in posts]
    assert stamps == sorted(stamps)


def test_ids_are_unique_under_concurrent_writes(new_user):
    authors = [new_user("conc"), new_user("conc")]
    found = []
    lock = threading.Lock()

    def worker(author, n):
        client = author.api.clone()
        for i in range(10):
            resp = client.post(author.collection, json={"text": f"t{n} #{i}"})
            post_id = resp.json().get("id") if resp.status_code == 201 else None
            with lock:
                found.append((resp.status_code, post_id))
        client.close()

    threads = [threading.Thread(target=worker, args=(authors[n % 2], n)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [s for s, _ in found] == [201] * 60
    assert len({i for _, i in found}) == 60
    for author in authors:
        listed = json_body(author.api.get(author.collection + "?size=100"), 200)["result"]
        assert len(listed) == 30
        assert_newest_first(listed)


def test_collection_shows_a_new_post_at_once_newest_first(api, new_user):
    alice = new_user("ryw")
    posted = []
    for i in range(4):
        posted.append(alice.post(f"post {i}"))
        page = json_body(api.get(alice.collection), 200)
        assert ids(page["result"]) == [p["id"] for p in reversed(posted)]
    for item in page["result"]:
        check_micropost(item, alice.username)


def test_collection_items_equal_the_microposts(api, new_user):
    alice = new_user("eq")
    post = alice.post("same everywhere")
    listed = json_body(api.get(alice.collection), 200)["result"]
    assert listed == [post]


@pytest.mark.parametrize("text", [
    "a", "a" * 255, "😀" * 255, "é" * 255, "中" * 255, "👍🏽" * 127,
], ids=["1", "255-ascii", "255-emoji", "255-two-byte", "255-cjk", "127-emoji-with-modifier"])
def test_text_of_1_to_255_code_points_is_accepted_verbatim(api, writer, text):
    post = writer.post(text)
    assert json_body(api.get(post["href"]), 200)["text"] == text


@pytest.mark.parametrize("text", ["a" * 256, "😀" * 256, "é" * 256, "a" * 1000],
                         ids=["256-ascii", "256-emoji", "256-two-byte", "1000"])
def test_text_over_255_code_points_is_400_naming_text(writer, text):
    before = first_page_ids(writer)
    assert_error(writer.api.post(writer.collection, json={"text": text}), 400, field="text")
    assert first_page_ids(writer) == before


def test_json_escapes_are_decoded_before_counting(writer):
    alice = writer
    text = "😀" * 255  # sent as 255 surrogate pairs "\ud83d\ude00"
    raw = json.dumps({"text": text}, ensure_ascii=True).encode()
    resp = alice.api.post(alice.collection, data=raw, headers={"Content-Type": "application/json"})
    assert check_micropost(json_body(resp, 201))["text"] == text
    raw = json.dumps({"text": "é" * 256}, ensure_ascii=True).encode()
    resp = alice.api.post(alice.collection, data=raw, headers={"Content-Type": "application/json"})
    assert_error(resp, 400, field="text")


def test_lone_surrogate_escape_is_400(writer):
    alice = writer
    raw = b'{"text": "broken \\ud800 surrogate"}'
    resp = alice.api.post(alice.collection, data=raw, headers={"Content-Type": "application/json"})
    assert_error(resp, 400)


@pytest.mark.parametrize("text", ["", " ", "   \t\n\r  ", "\n"], ids=["empty", "space", "mixed", "newline"])
def test_empty_or_whitespace_only_text_is_400_naming_text(writer, text):
    before = first_page_ids(writer)
    assert_error(writer.api.post(writer.collection, json={"text": text}), 400, field="text")
    assert first_page_ids(writer) == before


@pytest.mark.parametrize("body,field", [
    ({}, "text"),
    ({"text": None}, "text"),
    ({"text": 42}, "text"),
    ({"text": True}, "text"),
    ({"text": ["hello"]}, "text"),
    ({"text": {"value": "hello"}}, "text"),
    ({"text": "hello", "user": "mallory"}, "user"),
    ({"text": "hello", "id": "1"}, "id"),
    ({"txt": "hello"}, "txt"),
], ids=["missing", "null", "number", "bool", "list", "object", "unknown-user", "unknown-id", "misspelt"])
def test_micropost_body_errors_are_400_naming_the_field(writer, body, field):
    before = first_page_ids(writer)
    assert_error(writer.api.post(writer.collection, json=body), 400, field=field)
    assert first_page_ids(writer) == before


@pytest.mark.parametrize("text", [
    "line one\nline two",
    'quotes " and \\ backslash and / slash',
    "<script>alert('x')</script> & &amp;",
    "mixed: héllo wörld, 你好, مرحبا, שלום, 😀👍🏽",
    "tab\tseparated",
    "  padded text  ",
], ids=["newline", "escapes", "html", "scripts", "tab", "padded"])
def test_text_round_trips_exactly(api, writer, text):
    alice = writer
    post = alice.post(text) if text.strip() == text else None
    if post is None:
        # Leading/trailing blanks: stored as sent or trimmed, never mangled inside.
        resp = alice.api.post(alice.collection, json={"text": text})
        post = check_micropost(json_body(resp, 201), alice.username)
        assert post["text"] in (text, text.strip())
    got = json_body(api.get(post["href"]), 200)
    assert got["text"] == post["text"]


# ---- mentions ---------------------------------------------------------------

def test_mentions_of_existing_users_are_referenced(new_user):
    alice = new_user("men")
    bob = new_user("Bob", with_token=False)
    carol = new_user("carol", with_token=False)
    ghost = unique_username("ghost")
    post = alice.post(f"hi @{bob.username} and @{ghost}, cc (@{carol.username.upper()}).")
    assert sorted(r.lower() for r in post["referenced"]) == sorted([bob.username.lower(), carol.username.lower()])


def test_repeated_mention_is_referenced_once(new_user):
    alice = new_user("rep")
    bob = new_user("bob", with_token=False)
    post = alice.post(f"@{bob.username} @{bob.username} @{bob.username.upper()}")
    assert [r.lower() for r in post["referenced"]] == [bob.username.lower()]


def test_no_mentions_no_references(new_user):
    alice = new_user("nom")
    assert alice.post("just text, an email a@ and a lone @")["referenced"] == []


def test_referenced_is_shown_on_read(api, new_user):
    alice = new_user("rr")
    bob = new_user("rrb", with_token=False)
    post = alice.post(f"hello @{bob.username}")
    assert json_body(api.get(post["href"]), 200)["referenced"] == post["referenced"]


# ---- edit -------------------------------------------------------------------

@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_edit_changes_text_and_sets_edited(api, new_user, method):
    alice = new_user("ed")
    bob = new_user("edb", with_token=False)
    post = alice.post("first version")
    resp = alice.api.request(method, post["href"], json={"text": f"second version @{bob.username}"})
    edited = check_micropost(json_body(resp, 200), alice.username, f"second version @{bob.username}")
    assert edited["id"] == post["id"] and edited["href"] == post["href"]
    assert edited["timestamp"] == post["timestamp"]
    assert edited["edited"] is not None
    assert parse_timestamp(edited["edited"]) >= parse_timestamp(post["timestamp"])
    assert [r.lower() for r in edited["referenced"]] == [bob.username.lower()]
    # Read-your-writes: the micropost and the collection show the edit at once.
    assert json_body(api.get(post["href"]), 200) == edited
    assert json_body(api.get(alice.collection), 200)["result"] == [edited]


def test_edit_keeps_the_position_in_the_collection(api, new_user):
    alice = new_user("pos")
    old, new = alice.post("older"), alice.post("newer")
    alice.api.put(old["href"], json={"text": "older, edited"})
    listed = json_body(api.get(alice.collection), 200)["result"]
    assert ids(listed) == [new["id"], old["id"]]


def test_second_edit_moves_edited_forward(new_user):
    alice = new_user("ed2")
    post = alice.post("v1")
    first = json_body(alice.api.put(post["href"], json={"text": "v2"}), 200)
    second = json_body(alice.api.patch(post["href"], json={"text": "v3"}), 200)
    assert parse_timestamp(second["edited"]) >= parse_timestamp(first["edited"])
    assert second["text"] == "v3"


@pytest.mark.parametrize("body,field", [
    ({"text": "a" * 256}, "text"),
    ({"text": "  "}, "text"),
    ({"text": 5}, "text"),
    ({}, "text"),
    ({"text": "ok", "edited": None}, "edited"),
])
def test_invalid_edit_is_400_and_changes_nothing(api, writer, body, field):
    alice = writer
    post = alice.post("unchanged")
    assert_error(alice.api.put(post["href"], json=body), 400, field=field)
    assert json_body(api.get(post["href"]), 200) == post


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_changing_anothers_micropost_is_403(api, writer, mallory, method):
    alice = writer
    post = alice.post("mine")
    kw = {} if method == "DELETE" else {"json": {"text": "hacked"}}
    assert_error(mallory.api.request(method, post["href"], **kw), 403)
    assert json_body(api.get(post["href"]), 200) == post


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
def test_writes_without_token_are_401(api, writer, method):
    post = writer.post("mine")
    path = writer.collection if method == "POST" else post["href"]
    kw = {} if method == "DELETE" else {"json": {"text": "anonymous"}}
    assert_bearer_challenge(api.request(method, path, **kw))
    assert json_body(api.get(post["href"]), 200) == post
    assert first_page_ids(writer)[0] == post["id"]


def test_edit_unknown_micropost_is_404(new_user):
    alice = new_user("e404")
    post = alice.post("exists")
    missing = f"{alice.collection}/{int(post['id']) + 1000000}"
    assert_error(alice.api.put(missing, json={"text": "x"}), 404)
    assert_error(alice.api.patch(missing, json={"text": "x"}), 404)
    assert_error(alice.api.delete(missing), 404)


def test_micropost_under_the_wrong_user_is_404(api, new_user):
    alice, bob = new_user("wa"), new_user("wb")
    post = alice.post("alice's")
    wrong = f"{bob.collection}/{post['id']}"
    assert_error(api.get(wrong), 404)
    assert_error(bob.api.put(wrong, json={"text": "x"}), 404)
    assert_error(bob.api.delete(wrong), 404)
    assert json_body(api.get(post["href"]), 200) == post


# ---- delete -----------------------------------------------------------------

def test_delete_is_204_then_404(api, new_user):
    alice = new_user("del")
    keep, doomed = alice.post("keep"), alice.post("doomed")
    resp = alice.api.delete(doomed["href"])
    assert resp.status_code == 204, resp.text
    assert resp.content == b""
    assert_error(api.get(doomed["href"]), 404)
    assert_error(alice.api.delete(doomed["href"]), 404)
    assert_error(alice.api.put(doomed["href"], json={"text": "revive"}), 404)
    assert json_body(api.get(alice.collection), 200)["result"] == [keep]


def test_new_post_after_delete_gets_a_new_id(new_user):
    alice = new_user("nid")
    first = alice.post("one")
    alice.api.delete(first["href"])
    second = alice.post("one")
    assert int(second["id"]) > int(first["id"])


# ---- unknown ids and users --------------------------------------------------

@pytest.mark.parametrize("bad_id", ["1", "abc", "-1", "0", "99999999999999999999999", "18446744073709551616",
                                    "1.5", "%20", "1e3"])
def test_unknown_or_malformed_micropost_id_is_404(api, writer, bad_id):
    assert_error(api.get(f"{writer.collection}/{bad_id}"), 404)


def test_a_micropost_id_with_leading_zeros_is_no_alias(api, writer):
    """A micropost has one URL: /collection/0<id> names nothing."""
    post = writer.post("one id, one form")
    alias = f"{writer.collection}/0{post['id']}"
    assert_error(api.get(alias), 404)
    assert_error(writer.api.delete(alias), 404)
    assert_error(writer.api.put(alias, json={"text": "via an alias"}), 404)
    assert json_body(api.get(post["href"]), 200)["text"] == "one id, one form"


def test_collection_of_unknown_user_is_404(api):
    assert_error(api.get(f"/api/users/{unique_username('ghost')}/collection"), 404)


def test_micropost_of_unknown_user_is_404(api):
    assert_error(api.get(f"/api/users/{unique_username('ghost')}/collection/1"), 404)


# ---- counts -----------------------------------------------------------------

def test_microposts_count_follows_writes_and_deletes(api, new_user):
    alice = new_user("cnt")
    posts = [alice.post(f"p{i}") for i in range(3)]

    def count():
        return json_body(api.get(alice.href), 200)["microposts_count"]

    wait_until(lambda: count() == 3, message=lambda: f"microposts_count {count()} != 3")
    alice.api.delete(posts[0]["href"])
    wait_until(lambda: count() == 2, message=lambda: f"microposts_count {count()} != 2 after a delete")
