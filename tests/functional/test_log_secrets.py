"""Passwords and access tokens never reach the log, nor passwords the data files."""

import json
import os

from microblog_api import (
    Api, create_user, get_token, login, random_letters, register, unique_password, unique_username,
)


def forms(secret: str):
    """The byte strings a secret could show up as in a log or a file."""
    out = {secret.encode("utf-8"), json.dumps(secret)[1:-1].encode("ascii")}
    return {f for f in out if f}


def test_no_password_or_token_in_the_log_and_no_password_in_the_data(server_factory):
    srv = server_factory()
    api = Api(srv.url)
    secrets = {}

    alice = create_user(api, "logged")
    secrets["alice password"] = alice.password
    secrets["alice token"] = alice.token
    unicode_password = "Пароль-" + random_letters(12) + "-ключ"
    bob = create_user(api, "unicode", password=unicode_password)
    secrets["bob password"] = unicode_password
    secrets["bob token"] = bob.token

    # Failed and rejected attempts that carry passwords.
    for name in ("wrong", "ghost", "invalid", "dup", "extra", "type"):
        secrets[f"{name} password"] = unique_password()
    login(api, alice.username, secrets["wrong password"])
    login(api, unique_username("ghost"), secrets["ghost password"])
    register(api, "bad name!", secrets["invalid password"])
    register(api, alice.username.upper(), secrets["dup password"])
    api.post("/api/users", json={"username": unique_username("x"), "password": secrets["extra password"],
                                 "password_confirmation": secrets["extra password"]})
    api.post("/api/token", json={"username": alice.username, "password": [secrets["type password"]]})
    api.post("/api/token", data=f'{{"username": "{alice.username}", "password": "{secrets["wrong password"]}"'.encode(),
             headers={"Content-Type": "application/json"})  # malformed JSON around a password
    for _ in range(12):  # enough failures to reach the rate limit on most designs
        if login(api, alice.username, secrets["wrong password"]).status_code == 429:
            break

    # Tokens in use, misused, revoked and mangled.
    second = get_token(api, bob.username, unicode_password)
    secrets["bob second token"] = second
    alice.api.post(alice.collection, json={"text": "a logged action"})
    alice.api.post(bob.collection, json={"text": "forbidden"})
    api.delete("/api/token", token=second)
    api.post(bob.collection, json={"text": "revoked"}, token=second)
    api.post(bob.collection, json={"text": "mangled"}, token=bob.token + "x")
    api.get("/api/nope", token=alice.token)

    status, killed = srv.stop()
    assert not killed
    log = srv.log_bytes()
    assert log.strip(), "the server wrote nothing to its log"
    leaked = [what for what, secret in secrets.items() if any(f in log for f in forms(secret))]
    assert not leaked, f"secrets in the log: {leaked}"

    passwords = {k: v for k, v in secrets.items() if k.endswith("password")}
    stored = []
    for root, _, files in os.walk(srv.data_dir):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                data = fh.read()
            stored += [f"{what} in {name}" for what, pw in passwords.items() if any(f in data for f in forms(pw))]
    assert not stored, f"clear-text passwords in the data directory: {stored}"
