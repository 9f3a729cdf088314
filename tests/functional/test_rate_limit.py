"""Rate limiting of failed logins (429 + Retry-After), per username.

These run on a private server when the suite manages the process, so the
lockouts they cause cannot leak into other tests.
"""

import re

from microblog_api import Api, assert_error, create_user, get_token, json_body, login, unique_username

MAX_ATTEMPTS = 30


def hammer(api: Api, username: str, password: str):
    """Wrong logins until 429; returns (statuses before it, the 429 response)."""
    statuses = []
    for _ in range(MAX_ATTEMPTS):
        resp = login(api, username, password)
        if resp.status_code == 429:
            return statuses, resp
        statuses.append(resp.status_code)
    raise AssertionError(f"{MAX_ATTEMPTS} failed logins for {username} never gave 429: {statuses}")


def assert_too_many(resp):
    assert_error(resp, 429)
    retry_after = resp.headers.get("Retry-After")
    assert retry_after is not None and re.fullmatch(r"\d+", retry_after.strip()), \
        f"Retry-After is not an integer number of seconds: {retry_after!r}"
    assert 1 <= int(retry_after) <= 86400, retry_after


def test_repeated_failed_logins_give_429_with_retry_after(isolated_server):
    api = Api(isolated_server.url)
    victim = create_user(api, "victim", with_token=False)
    bystander = create_user(api, "bystander", with_token=False)
    statuses, limited = hammer(api, victim.username, "not-the-password")
    assert statuses and set(statuses) == {401}, statuses
    assert_too_many(limited)
    # Still limited right after.
    assert_too_many(login(api, victim.username, "not-the-password"))
    # Another username is unaffected: it logs in, and a wrong password is a plain 401.
    assert get_token(api, bystander.username, bystander.password)
    assert_error(login(api, bystander.username, "not-the-password"), 401)


def test_the_limit_counts_usernames_case_insensitively(isolated_server):
    api = Api(isolated_server.url)
    victim = create_user(api, "CaseVictim", with_token=False)
    variants = [victim.username.lower(), victim.username.upper()]
    for attempt in range(MAX_ATTEMPTS):
        resp = login(api, variants[attempt % 2], "not-the-password")
        if resp.status_code == 429:
            assert_too_many(resp)
            return
        assert_error(resp, 401)
    raise AssertionError("alternating the case of a username evades the failed-login limit")


def test_unknown_usernames_are_limited_too(isolated_server):
    """Same answers for unknown users and wrong passwords: the limit applies to both."""
    api = Api(isolated_server.url)
    statuses, limited = hammer(api, unique_username("ghost"), "not-the-password")
    assert set(statuses) == {401}, statuses
    assert_too_many(limited)


def test_tokens_issued_before_a_lockout_keep_working(isolated_server):
    api = Api(isolated_server.url)
    victim = create_user(api, "locked")
    hammer(api, victim.username, "not-the-password")
    resp = victim.api.post(victim.collection, json={"text": "my token still works"})
    json_body(resp, 201)
