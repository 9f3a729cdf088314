"""POST/DELETE /api/token and bearer authentication."""

import time

import pytest

from microblog_api import (
    Api, assert_bearer_challenge, assert_error, check_micropost, create_user, fake_jwt, get_token,
    json_body, login, unique_username,
)


def test_login_returns_a_bearer_token(api, new_user):
    alice = new_user("tok", with_token=False)
    resp = login(api, alice.username, alice.password)
    body = json_body(resp, 200)
    assert isinstance(body["access_token"], str) and len(body["access_token"]) >= 16
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 86400 and type(body["expires_in"]) is int
    assert resp.headers["Cache-Control"] == "no-store"  # RFC 6749 5.1


def test_token_authorizes_writes(new_user):
    alice = new_user("tokw")
    alice.post("hello with a token")


def test_login_username_is_case_insensitive(api, new_user):
    alice = new_user("TokCase", with_token=False)
    for variant in (alice.username.upper(), alice.username.lower()):
        token = get_token(api, variant, alice.password)
        resp = api.post(alice.collection, json={"text": f"via {variant}"}, token=token)
        check_micropost(json_body(resp, 201), alice.username)


def test_wrong_password_and_unknown_user_are_the_same_401(api, new_user):
    alice = new_user("wpw", with_token=False)
    wrong_password = login(api, alice.username, alice.password + "x")
    unknown_user = login(api, unique_username("nobody"), alice.password)
    assert_error(wrong_password, 401)
    assert_error(unknown_user, 401)
    assert wrong_password.json() == unknown_user.json()


def test_password_is_case_sensitive(api, new_user):
    alice = new_user("pcs", with_token=False)
    assert_error(login(api, alice.username, alice.password.swapcase()), 401)


def test_wrong_password_and_unknown_user_take_similar_time(api):
    """The contract asks for the same timing; a missing dummy hash shows as a
    large factor, so the check is loose (the fastest of three each)."""
    users = [create_user(api, "tim", with_token=False) for _ in range(3)]
    wrong, unknown = [], []
    for user in users:
        start = time.perf_counter()
        assert login(api, user.username, user.password + "x").status_code == 401
        wrong.append(time.perf_counter() - start)
        start = time.perf_counter()
        assert login(api, unique_username("nobody"), user.password).status_code == 401
        unknown.append(time.perf_counter() - start)
    fastest_wrong, fastest_unknown = min(wrong), min(unknown)
    assert fastest_unknown >= 0.3 * fastest_wrong or fastest_wrong - fastest_unknown < 0.010, \
        f"unknown user answered in {fastest_unknown * 1000:.1f} ms, wrong password in {fastest_wrong * 1000:.1f} ms"


@pytest.mark.parametrize("body,field", [
    ({"username": "someone"}, "password"),
    ({"password": "password123"}, "username"),
    ({"username": 1, "password": "password123"}, "username"),
    ({"username": "someone", "password": 12345678}, "password"),
    ({"username": "someone", "password": None}, "password"),
    ({"username": "someone", "password": "password123", "scope": "admin"}, "scope"),
], ids=["no-password", "no-username", "int-username", "int-password", "null-password", "unknown-field"])
def test_login_body_errors_are_400(api, body, field):
    assert_error(api.post("/api/token", json=body), 400, field=field)


@pytest.mark.parametrize("raw", [b"", b"[]", b"null", b"{", b'{"username": "a", "password": "b"} x'],
                         ids=["empty", "array", "null", "truncated", "trailing-garbage"])
def test_login_malformed_json_is_400(api, raw):
    assert_error(api.post("/api/token", data=raw, headers={"Content-Type": "application/json"}), 400)


def test_login_form_encoded_is_415(api, new_user):
    alice = new_user("form", with_token=False)
    resp = api.post("/api/token", data={"username": alice.username, "password": alice.password})
    assert_error(resp, 415)


def test_each_login_gets_its_own_token(api, new_user):
    alice = new_user("two", with_token=False)
    first = get_token(api, alice.username, alice.password)
    second = get_token(api, alice.username, alice.password)
    assert first != second
    for token in (first, second):
        assert api.post(alice.collection, json={"text": "either token works"}, token=token).status_code == 201


def test_delete_token_revokes_only_that_token(api, new_user):
    alice = new_user("rev", with_token=False)
    doomed = get_token(api, alice.username, alice.password)
    kept = get_token(api, alice.username, alice.password)
    resp = api.delete("/api/token", token=doomed)
    assert resp.status_code == 204, resp.text
    assert resp.content == b""
    assert_bearer_challenge(api.post(alice.collection, json={"text": "revoked"}, token=doomed))
    assert_bearer_challenge(api.delete("/api/token", token=doomed))
    assert api.post(alice.collection, json={"text": "still valid"}, token=kept).status_code == 201
    # Logging in again after a logout works.
    assert get_token(api, alice.username, alice.password)


def test_delete_token_without_token_is_401(api):
    assert_bearer_challenge(api.delete("/api/token"))


def _variants(token):
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    middle = len(token) // 2
    mangled = token[:middle] + ("x" if token[middle] != "x" else "y") + token[middle + 1:]
    return {
        "no-header": None,
        "empty": "",
        "scheme-only": "Bearer",
        "scheme-space": "Bearer ",
        "basic": "Basic YWxpY2U6cGFzc3dvcmQ=",
        "token-scheme": f"Token {token}",
        "no-scheme": token,
        "garbage": "Bearer not-a-token",
        "last-char-changed": f"Bearer {flipped}",
        "middle-char-changed": f"Bearer {mangled}",
        "appended": f"Bearer {token}x",
        "truncated": f"Bearer {token[:-4]}",
        "two-tokens": f"Bearer {token} {token}",
        "very-long": "Bearer " + "a" * 4000,
        "jwt-alg-none": "Bearer " + fake_jwt({"sub": "x", "username": "x", "exp": 4102444800}),
        "expired-looking-jwt": "Bearer " + fake_jwt({"sub": "x", "username": "x", "exp": 1}),
    }


@pytest.fixture(scope="module")
def victim(server):
    return create_user(Api(server.url), "auth")


@pytest.mark.parametrize("variant", list(_variants("t" * 40)))
def test_missing_or_bad_authorization_is_401_with_bearer_challenge(server, victim, variant):
    header = _variants(victim.token)[variant]
    if "jwt" in variant:
        header = header.replace('"x"', f'"{victim.username}"')
    headers = {} if header is None else {"Authorization": header}
    client = Api(server.url)
    before = json_body(client.get(victim.collection), 200)["result"]
    resp = client.post(victim.collection, json={"text": f"with {variant}"}, token=None, headers=headers)
    assert_bearer_challenge(resp)
    # Nothing was written.
    assert json_body(client.get(victim.collection), 200)["result"] == before


def test_jwt_forged_for_a_user_is_401(server, new_user):
    alice = new_user("jwt")
    forged = fake_jwt({"sub": alice.username, "username": alice.username, "exp": 4102444800})
    resp = Api(server.url).post(alice.collection, json={"text": "forged"}, token=forged)
    assert_bearer_challenge(resp)


def test_scheme_is_case_insensitive(server, new_user):
    """token_type is "bearer": OAuth clients send `bearer <token>` verbatim."""
    alice = new_user("lcs")
    for scheme in ("bearer", "BEARER", "Bearer"):
        resp = Api(server.url).post(alice.collection, json={"text": scheme},
                                    token=None, headers={"Authorization": f"{scheme} {alice.token}"})
        check_micropost(json_body(resp, 201), alice.username)


def test_token_of_one_user_on_anothers_collection_is_403(server, new_user):
    alice, bob = new_user("own"), new_user("oth", with_token=False)
    resp = alice.api.post(bob.collection, json={"text": "not mine"})
    assert_error(resp, 403)
    assert json_body(Api(server.url).get(bob.collection), 200)["result"] == []


def test_token_works_with_path_in_another_case(new_user):
    alice = new_user("PathCase")
    resp = alice.api.post(f"/api/users/{alice.username.upper()}/collection", json={"text": "upper path"})
    check_micropost(json_body(resp, 201), alice.username)


def test_token_survives_other_logins_failing(api, new_user):
    alice = new_user("fail")
    assert login(api, alice.username, "wrong-password").status_code == 401
    assert alice.api.post(alice.collection, json={"text": "still in"}).status_code == 201


def test_password_of_another_user_does_not_log_in(api, new_user):
    alice = new_user("pa", with_token=False)
    bob = new_user("pb", with_token=False)
    assert_error(login(api, alice.username, bob.password), 401)


def test_public_reads_need_no_token_but_refuse_a_bad_one(api, new_user):
    """Reads are public; a token that is sent anyway must be valid (401 otherwise),
    as GitHub and Mastodon answer: a client whose token was revoked or expired
    learns it instead of silently reading as anonymous."""
    alice = new_user("pubread")
    post = alice.post("public words")
    revoked = get_token(api, alice.username, alice.password)
    assert api.delete("/api/token", token=revoked).status_code == 204
    reads = [alice.href, alice.collection, post["href"], alice.href + "/following", alice.href + "/followers",
             "/api/search?text=public"]
    for path in reads:
        assert api.get(path, token=None).status_code == 200, path
        assert api.get(path, token=alice.token).status_code == 200, path
        for bad in (revoked, "not-a-token"):
            assert_bearer_challenge(api.get(path, token=bad))
        assert_bearer_challenge(api.get(path, token=None, headers={"Authorization": "Basic YWxpY2U6cGFzc3dvcmQ="}))
