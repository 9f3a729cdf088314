"""POST /api/users and GET /api/users/<u>: registration and the User resource."""

import threading

import pytest

from microblog_api import (
    Api, assert_error, assert_location, assert_recent, check_user, create_user, get_token, json_body,
    login, random_letters, register, unique_password, unique_username, user_path,
)


def test_register_returns_201_user_and_location(api):
    username = unique_username("reg")
    resp = register(api, username, unique_password())
    user = check_user(json_body(resp, 201), username)
    assert user["href"] == user_path(username)
    assert (user["microposts_count"], user["following_count"], user["followers_count"]) == (0, 0, 0)
    assert_recent(user["created"])
    assert_location(resp, user["href"])


def test_get_user_returns_the_registered_user(api, new_user):
    alice = new_user("get", with_token=False)
    user = check_user(json_body(api.get(alice.href), 200), alice.username)
    assert user["created"] == alice.representation["created"]
    assert user["href"] == alice.representation["href"]


def test_location_header_can_be_followed(api):
    username = unique_username("loc")
    resp = register(api, username, unique_password())
    assert resp.status_code == 201
    followed = api.get(resp.headers["Location"])
    check_user(json_body(followed, 200), username)


def test_username_is_stored_as_typed_and_found_in_any_case(api):
    username = "MiXeD" + unique_username("c")
    check_user(json_body(register(api, username, unique_password()), 201), username)
    for variant in (username, username.lower(), username.upper(), username.swapcase()):
        check_user(json_body(api.get(user_path(variant)), 200), username)


def test_links_of_a_user_resolve(api, new_user):
    alice = new_user("lnk", with_token=False)
    rep = alice.representation
    for link in ("href", "collection"):  # following/followers: test_following.py (part 2)
        assert api.get(rep[link]).status_code == 200, link


def test_unknown_user_is_404(api):
    assert_error(api.get(user_path(unique_username("ghost"))), 404)


def test_duplicate_username_is_409(api, new_user):
    alice = new_user("dup", with_token=False)
    assert_error(register(api, alice.username, unique_password()), 409)


@pytest.mark.parametrize("transform", [str.upper, str.lower, str.swapcase], ids=["upper", "lower", "swapcase"])
def test_duplicate_username_in_another_case_is_409(api, transform):
    username = "Dup" + unique_username("c")
    password = unique_password()
    assert register(api, username, password).status_code == 201
    assert_error(register(api, transform(username), unique_password()), 409)
    # The original account is untouched: same name, same password.
    check_user(json_body(api.get(user_path(username)), 200), username)
    assert get_token(api, username, password)


def test_concurrent_registrations_of_one_name_admit_exactly_one(server):
    base = "Race" + unique_username("c")
    names = [base, base.upper(), base.lower(), base]
    results = [None] * len(names)

    def worker(i):
        client = Api(server.url)
        results[i] = register(client, names[i], unique_password()).status_code
        client.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(names))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [201, 409, 409, 409], results


def test_username_boundaries_are_accepted(api):
    long_name = unique_username("b")
    long_name = (long_name + "x" * 30)[:30]
    check_user(json_body(register(api, long_name, unique_password()), 201), long_name)
    # A 3-character name: random, so reruns against one server do not collide.
    for _ in range(20):
        short = random_letters(1) + random_letters(2).upper()
        resp = register(api, short, unique_password())
        if resp.status_code != 409:
            break
    check_user(json_body(resp, 201), short)


def test_username_with_digits_and_underscores_is_accepted(api):
    username = "_9" + unique_username("d") + "_"
    check_user(json_body(register(api, username, unique_password()), 201), username)


@pytest.mark.parametrize("bad", [
    "ab", "x" * 31, "", "with space", "dash-name", "dot.name", "at@name", "slash/name", "ünïcode",
    "emoji😀x", "tab\tname", "semi;colon", "name%20", "new\nline",
], ids=lambda s: repr(s)[:20])
def test_invalid_usernames_are_400_naming_username(api, bad):
    assert_error(register(api, bad, unique_password()), 400, field="username")


def test_rejected_registration_leaves_nothing_behind(api):
    username = unique_username("np")
    resp = api.post("/api/users", json={"username": username, "password": unique_password(), "email": "x@y.z"})
    assert_error(resp, 400, field="email")
    assert_error(api.get(user_path(username)), 404)
    check_user(json_body(register(api, username, unique_password()), 201), username)


@pytest.mark.parametrize("password", ["1234567", "é" * 7, "😀" * 7, "p" * 129, "😀" * 129],
                         ids=["7-ascii", "7-two-byte", "7-emoji", "129-ascii", "129-emoji"])
def test_password_length_out_of_range_is_400_naming_password(api, password):
    assert_error(register(api, unique_username("pw"), password), 400, field="password")


@pytest.mark.parametrize("password", ["12345678", "p" * 128, "😀" * 128, "pässwörd 😀 ок", "        "],
                         ids=["8-ascii", "128-ascii", "128-emoji", "mixed-unicode", "8-spaces"])
def test_password_in_range_is_accepted_and_logs_in(api, password):
    username = unique_username("pw")
    check_user(json_body(register(api, username, password), 201), username)
    assert get_token(api, username, password)


@pytest.mark.parametrize("body,field", [
    ({"password": "password123"}, "username"),
    ({"username": "USER"}, "password"),
    ({"username": 12345, "password": "password123"}, "username"),
    ({"username": None, "password": "password123"}, "username"),
    ({"username": ["a", "b", "c"], "password": "password123"}, "username"),
    ({"username": "USER", "password": 12345678}, "password"),
    ({"username": "USER", "password": None}, "password"),
    ({"username": "USER", "password": {"p": "password123"}}, "password"),
    ({"username": "USER", "password": "password123", "admin": True}, "admin"),
], ids=["no-username", "no-password", "int-username", "null-username", "list-username",
        "int-password", "null-password", "object-password", "unknown-field"])
def test_registration_body_errors_are_400_naming_the_field(api, body, field):
    username = unique_username("bad")
    body = {k: (username if v == "USER" else v) for k, v in body.items()}
    assert_error(api.post("/api/users", json=body), 400, field=field)
    assert_error(api.get(user_path(username)), 404)


@pytest.mark.parametrize("raw", [b"", b"[]", b"null", b'"alice"', b"42", b"{", b"{}"],
                         ids=["empty", "array", "null", "string", "number", "truncated", "empty-object"])
def test_registration_body_that_is_not_a_user_object_is_400(api, raw):
    resp = api.post("/api/users", data=raw, headers={"Content-Type": "application/json"})
    assert_error(resp, 400)


def test_user_representation_exposes_no_secrets(api, new_user):
    alice = new_user("sec", with_token=False)
    text = api.get(alice.href).text
    assert alice.password not in text


def test_head_user(api, new_user):
    alice = new_user("head", with_token=False)
    got = api.get(alice.href)
    resp = api.head(alice.href)
    assert resp.status_code == 200
    assert resp.content == b""
    assert resp.headers.get("Content-Type", "").startswith("application/json")
    if "Content-Length" in resp.headers:
        assert resp.headers["Content-Length"] == got.headers.get("Content-Length")


def test_head_unknown_user_is_404(api):
    resp = api.head(user_path(unique_username("ghost")))
    assert resp.status_code == 404
    assert resp.content == b""


def test_trailing_slash_on_a_user(api, new_user):
    alice = new_user("slash", with_token=False)
    resp = api.get(alice.href + "/", allow_redirects=True)
    check_user(json_body(resp, 200), alice.username)


def test_trailing_slash_on_registration(api):
    username = unique_username("slash")
    resp = api.post("/api/users/", json={"username": username, "password": unique_password()},
                    allow_redirects=True)
    check_user(json_body(resp, 201), username)
    assert all(r.status_code in (307, 308) for r in resp.history), \
        "a redirect of a POST must keep the method (307/308)"


def test_login_with_registration_case_variant(api):
    username = "CaSe" + unique_username("c")
    password = unique_password()
    assert register(api, username, password).status_code == 201
    assert login(api, username.upper(), password).status_code == 200
    assert login(api, username.lower(), password).status_code == 200


def test_created_is_stable(api, new_user):
    alice = new_user("stbl", with_token=False)
    first = json_body(api.get(alice.href), 200)["created"]
    second = json_body(api.get(alice.href), 200)["created"]
    assert first == second == alice.representation["created"]


def test_new_users_have_zero_counts(api):
    user = create_user(api, "zero", with_token=False)
    rep = json_body(api.get(user.href), 200)
    assert (rep["microposts_count"], rep["following_count"], rep["followers_count"]) == (0, 0, 0)
