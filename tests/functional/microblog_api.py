"""Client and assertion helpers for the microblog REST API black-box tests.

Everything here speaks plain HTTP to the gateway (the contract is
docs/microblog-api.md in the shared docs); nothing knows how the program is
built. conftest.py wires these helpers into fixtures; test modules import the
constants and assertion helpers directly:

    from microblog_api import assert_error, check_micropost, wait_until
"""

import base64
import itertools
import json
import random
import re
import socket
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit
from typing import Callable, Optional
from urllib.parse import urljoin

import requests

# The contract's "within 1 second", plus slack for the client side of polling.
CONSISTENCY_TIMEOUT = 1.5
# Per-request timeout: a request that hangs this long is a failure anyway.
REQUEST_TIMEOUT = 15.0
# "body over 64 KiB" is rejected with 413.
MAX_BODY = 64 * 1024

TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ID_RE = re.compile(r"^[1-9][0-9]*$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{3,30}$")

USER_KEYS = {
    "username", "href", "collection", "timeline", "following", "followers",
    "microposts_count", "following_count", "followers_count", "created",
}
MICROPOST_KEYS = {"id", "href", "user", "text", "referenced", "timestamp", "edited"}
PAGE_KEYS = {"next", "previous", "result"}

ERROR_CODES = {
    400: {"bad_request", "validation_failed"},
    401: {"unauthorized"},
    403: {"forbidden"},
    404: {"not_found"},
    405: {"method_not_allowed"},
    409: {"conflict"},
    413: {"payload_too_large"},
    415: {"unsupported_media_type"},
    429: {"too_many_requests"},
    503: {"unavailable"},
}

_DEFAULT = object()
_counter = itertools.count(1)
_rng = random.SystemRandom()


# --------------------------------------------------------------------------
# Names and secrets
# --------------------------------------------------------------------------

def random_letters(k: int = 8) -> str:
    return "".join(_rng.choice(string.ascii_lowercase) for _ in range(k))


def unique_username(prefix: str = "u") -> str:
    """A username no other test (nor an earlier run) uses: 3-30 [A-Za-z0-9_]."""
    prefix = re.sub(r"[^A-Za-z0-9_]", "", prefix)[:10] or "u"
    name = f"{prefix}{next(_counter)}_{random_letters(8)}"
    assert USERNAME_RE.match(name), name
    return name


def unique_password() -> str:
    """A distinctive password (ASCII letters and digits, so logs can be grepped)."""
    return "Pw" + "".join(_rng.choice(string.ascii_letters + string.digits) for _ in range(22))


def unique_word(prefix: str = "zq") -> str:
    """A word that appears in no other test's microposts (for search)."""
    return prefix + random_letters(10)


# --------------------------------------------------------------------------
# HTTP client
# --------------------------------------------------------------------------

def describe(resp: requests.Response) -> str:
    """One line about a response, for assertion messages."""
    req = resp.request
    body = resp.content[:600]
    try:
        body = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return (f"{req.method} {req.url} -> {resp.status_code} "
            f"[{resp.headers.get('Content-Type')}] {body!r}")


def encode_json(obj) -> bytes:
    """JSON as the contract describes it: UTF-8, non-ASCII characters unescaped."""
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


JSON_UTF8 = "application/json; charset=utf-8"


class Api:
    """A tiny client for one origin, optionally carrying a bearer token.

    `json=` bodies are sent as raw UTF-8 with `Content-Type:
    application/json; charset=utf-8`; `data=` bodies are sent as given with
    whatever headers the caller passes. Redirects are not followed unless the
    caller asks (allow_redirects=True). One Api owns one requests.Session, so
    give each thread its own Api (Api.clone()).
    """

    def __init__(self, base_url: str, token: Optional[str] = None):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = requests.Session()

    def clone(self, token=_DEFAULT) -> "Api":
        return Api(self.base_url, self.token if token is _DEFAULT else token)

    def with_token(self, token: Optional[str]) -> "Api":
        return Api(self.base_url, token)

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        assert path.startswith("/"), f"not an origin-relative path: {path!r}"
        return self.base_url + path

    def request(self, method: str, path: str, *, token=_DEFAULT, headers=None, **kw) -> requests.Response:
        hdrs = {}
        tok = self.token if token is _DEFAULT else token
        if tok is not None:
            hdrs["Authorization"] = f"Bearer {tok}"
        if "json" in kw:
            kw["data"] = encode_json(kw.pop("json"))
            hdrs["Content-Type"] = JSON_UTF8
        if headers:
            hdrs.update(headers)
        kw.setdefault("timeout", REQUEST_TIMEOUT)
        kw.setdefault("allow_redirects", False)
        return self.session.request(method, self.url(path), headers=hdrs, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def close(self):
        self.session.close()


# --------------------------------------------------------------------------
# Assertions on responses and representations
# --------------------------------------------------------------------------

def assert_json_content_type(resp: requests.Response) -> None:
    ctype = resp.headers.get("Content-Type", "")
    media, _, params = ctype.partition(";")
    assert media.strip().lower() == "application/json", f"Content-Type is not JSON: {describe(resp)}"
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset":
            assert value.strip().strip('"').lower() == "utf-8", f"charset is not utf-8: {describe(resp)}"


def raw_exchange(url: str, payload, *, half_close: bool = False) -> bytes:
    """Sends `payload` (bytes, or text sent as UTF-8) as is on a new connection
    to the server at `url`, and returns what it answered until it closed (or
    reset) the connection. `half_close` shuts the sending side after the payload."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        try:
            sock.sendall(payload.encode() if isinstance(payload, str) else payload)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and close before the payload is all sent
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, socket.timeout):
            pass
        return b"".join(chunks)


def json_body(resp: requests.Response, status: int):
    """Asserts the status and a JSON content type, returns the parsed body."""
    assert resp.status_code == status, f"expected {status}: {describe(resp)}"
    assert_json_content_type(resp)
    try:
        return resp.json()
    except ValueError as exc:  # pragma: no cover - message only
        raise AssertionError(f"body is not JSON ({exc}): {describe(resp)}")


def assert_error(resp: requests.Response, status: int, *, field: Optional[str] = None,
                 codes=None) -> dict:
    """Asserts an error answer: status, JSON `{"error": {"code", "message"}}`.

    `code` must be the one the contract's table gives for the status; with
    `field`, the message must name that field (case-insensitive).
    """
    body = json_body(resp, status)
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), \
        f"error body is not {{'error': {{...}}}}: {describe(resp)}"
    err = body["error"]
    code, message = err.get("code"), err.get("message")
    assert isinstance(code, str) and code, f"error.code missing: {describe(resp)}"
    assert isinstance(message, str) and message, f"error.message missing: {describe(resp)}"
    expected = codes if codes is not None else ERROR_CODES.get(status)
    if expected:
        assert code in expected, f"error.code {code!r} not in {sorted(expected)}: {describe(resp)}"
    if field is not None:
        assert field.lower() in message.lower(), f"error.message does not name {field!r}: {describe(resp)}"
    return err


def assert_bearer_challenge(resp: requests.Response) -> None:
    """401 with `WWW-Authenticate: Bearer ...` and the JSON error body."""
    assert_error(resp, 401)
    challenge = resp.headers.get("WWW-Authenticate", "")
    assert re.match(r"^\s*Bearer\b", challenge, re.IGNORECASE), \
        f"WWW-Authenticate is not a Bearer challenge ({challenge!r}): {describe(resp)}"


def allow_set(resp: requests.Response) -> set:
    allow = resp.headers.get("Allow")
    assert allow is not None, f"405 without Allow header: {describe(resp)}"
    return {m.strip().upper() for m in allow.split(",") if m.strip()}


def assert_location(resp: requests.Response, href: str) -> None:
    """Location is present and names href (absolute or origin-relative)."""
    loc = resp.headers.get("Location")
    assert loc, f"no Location header: {describe(resp)}"
    base = resp.request.url
    assert urljoin(base, loc) == urljoin(base, href), f"Location {loc!r} does not name {href!r}"


def parse_timestamp(text: str) -> datetime:
    assert isinstance(text, str) and TIMESTAMP_RE.match(text), f"not an RFC 3339 UTC ms timestamp: {text!r}"
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def assert_recent(text: str, slack_seconds: float = 300) -> None:
    """The timestamp is within slack of this machine's clock."""
    delta = abs((datetime.now(timezone.utc) - parse_timestamp(text)).total_seconds())
    assert delta <= slack_seconds, f"timestamp {text} is {delta:.0f}s away from now"


def same_user(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def user_path(username: str) -> str:
    return f"/api/users/{username}"


def check_short_user(u, username: Optional[str] = None) -> dict:
    assert isinstance(u, dict) and {"username", "href"} <= set(u), f"not a short user: {u!r}"
    assert isinstance(u["username"], str) and USERNAME_RE.match(u["username"]), u
    assert isinstance(u["href"], str) and same_user(u["href"], user_path(u["username"])), u
    if username is not None:
        assert u["username"] == username, f"username {u['username']!r} != {username!r}"
    return u


def check_user(u, username: Optional[str] = None) -> dict:
    """A full User representation (and nothing that looks like a secret)."""
    assert isinstance(u, dict), u
    missing = USER_KEYS - set(u)
    assert not missing, f"User lacks {sorted(missing)}: {u!r}"
    check_short_user(u, username)
    base = u["href"]
    for link in ("collection", "timeline", "following", "followers"):
        assert u[link] == f"{base}/{link}", f"{link} link {u[link]!r} != {base}/{link}"
    for count in ("microposts_count", "following_count", "followers_count"):
        assert type(u[count]) is int and u[count] >= 0, f"{count} is not a count: {u!r}"
    parse_timestamp(u["created"])
    leaks = [k for k in u if any(s in k.lower() for s in ("password", "hash", "salt", "token"))]
    assert not leaks, f"User representation exposes {leaks}"
    return u


def check_micropost(p, username: Optional[str] = None, text: Optional[str] = None) -> dict:
    """A full Micropost representation."""
    assert isinstance(p, dict), p
    missing = MICROPOST_KEYS - set(p)
    assert not missing, f"Micropost lacks {sorted(missing)}: {p!r}"
    assert isinstance(p["id"], str) and ID_RE.match(p["id"]), f"id is not a decimal string: {p['id']!r}"
    assert 0 < int(p["id"]) < 2 ** 64, f"id out of 64-bit range: {p['id']}"
    check_short_user(p["user"], username)
    assert p["href"] == f"{p['user']['href']}/collection/{p['id']}", f"href {p['href']!r} mismatch"
    assert isinstance(p["text"], str), p
    if text is not None:
        assert p["text"] == text, f"text {p['text']!r} != {text!r}"
    assert isinstance(p["referenced"], list) and all(isinstance(r, str) for r in p["referenced"]), p
    parse_timestamp(p["timestamp"])
    if p["edited"] is not None:
        assert parse_timestamp(p["edited"]) >= parse_timestamp(p["timestamp"]), p
    return p


def check_page(resp: requests.Response) -> dict:
    """A Page: 200, JSON, next/previous null or origin-relative URL, result list."""
    page = json_body(resp, 200)
    assert isinstance(page, dict), page
    missing = PAGE_KEYS - set(page)
    assert not missing, f"Page lacks {sorted(missing)}: {describe(resp)}"
    for link in ("next", "previous"):
        value = page[link]
        assert value is None or (isinstance(value, str) and value.startswith("/")), \
            f"{link} is neither null nor an origin-relative URL: {value!r}"
    assert isinstance(page["result"], list), page
    return page


def ids(items) -> list:
    return [p["id"] for p in items]


def assert_newest_first(items) -> None:
    nums = [int(p["id"]) for p in items]
    assert nums == sorted(nums, reverse=True) and len(set(nums)) == len(nums), \
        f"not strictly newest first: {nums}"


def walk(api: Api, path: str, link: str = "next", max_pages: int = 500,
         between: Optional[Callable[[], None]] = None) -> list:
    """Follows `link` from path until it is null; returns the pages (dicts).

    Following a link never leads to an empty page: a page whose next (or
    previous) link is not null has more items behind it.
    """
    pages = []
    url = path
    while url is not None:
        assert len(pages) < max_pages, f"more than {max_pages} pages following {link} from {path}"
        page = check_page(api.get(url))
        if pages:
            assert page["result"], f"{link} link {url} led to an empty page"
        pages.append(page)
        url = page[link]
        if url is not None and between is not None:
            between()
    return pages


def all_items(api: Api, path: str) -> list:
    """Every item of a list endpoint, following next from path."""
    return [item for page in walk(api, path) for item in page["result"]]


def with_query(path: str, **params) -> str:
    sep = "&" if "?" in path else "?"
    return path + sep + "&".join(f"{k}={v}" for k, v in params.items())


# --------------------------------------------------------------------------
# Users and tokens
# --------------------------------------------------------------------------

def register(api: Api, username: str, password: str) -> requests.Response:
    return api.post("/api/users", json={"username": username, "password": password}, token=None)


def login(api: Api, username: str, password: str) -> requests.Response:
    return api.post("/api/token", json={"username": username, "password": password}, token=None)


def get_token(api: Api, username: str, password: str) -> str:
    resp = login(api, username, password)
    body = json_body(resp, 200)
    assert isinstance(body.get("access_token"), str) and body["access_token"], describe(resp)
    return body["access_token"]


@dataclass
class User:
    """A registered user with (optionally) a token and an authenticated client."""
    username: str
    password: str
    token: Optional[str]
    api: Api
    representation: dict = field(default_factory=dict)

    @property
    def href(self) -> str:
        return user_path(self.username)

    @property
    def collection(self) -> str:
        return self.href + "/collection"

    @property
    def timeline(self) -> str:
        return self.href + "/timeline"

    def post(self, text: str) -> dict:
        resp = self.api.post(self.collection, json={"text": text})
        return check_micropost(json_body(resp, 201), self.username, text)

    def follow(self, other: str) -> requests.Response:
        return self.api.post(self.href + "/following", json={"username": other})

    def unfollow(self, other: str) -> requests.Response:
        return self.api.delete(f"{self.href}/following/{other}")

    def fetch(self) -> dict:
        return check_user(json_body(self.api.get(self.href, token=None), 200), self.username)


def create_user(api: Api, prefix: str = "u", password: Optional[str] = None, with_token: bool = True,
                username: Optional[str] = None) -> User:
    """Registers a fresh user (asserting 201) and, by default, logs it in."""
    username = username or unique_username(prefix)
    password = password or unique_password()
    resp = register(api, username, password)
    rep = check_user(json_body(resp, 201), username)
    token = get_token(api, username, password) if with_token else None
    return User(username, password, token, api.with_token(token), rep)


# --------------------------------------------------------------------------
# Polling
# --------------------------------------------------------------------------

def wait_until(predicate: Callable[[], object], timeout: float = CONSISTENCY_TIMEOUT,
               interval: float = 0.02, message="condition"):
    """Polls predicate until it returns something truthy (and returns that).

    Fails with `message` (a string or a callable giving one) and the last value
    when the deadline passes. No fixed sleeps: the poll ends as soon as the
    condition holds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"{text}: not reached within {timeout}s (last value {value!r})")
        time.sleep(interval)


def holds_for(predicate: Callable[[], object], duration: float = CONSISTENCY_TIMEOUT,
              interval: float = 0.05, message="condition") -> None:
    """Asserts predicate stays truthy for the whole duration (for "never" rules)."""
    deadline = time.monotonic() + duration
    while True:
        value = predicate()
        if not value:
            text = message() if callable(message) else message
            raise AssertionError(f"{text}: stopped holding (value {value!r})")
        if time.monotonic() >= deadline:
            return
        time.sleep(interval)


# --------------------------------------------------------------------------
# Concurrency
# --------------------------------------------------------------------------

class Writer(threading.Thread):
    """A thread that posts microposts for a user until stopped.

    `answered` collects (id, text) for every 201; transport errors are counted
    and, after `max_errors`, end the thread (the server may be going away).
    """

    def __init__(self, api: Api, username: str, tag: str, max_errors: int = 3):
        super().__init__(daemon=True)
        self.api = api
        self.username = username
        self.tag = tag
        self.max_errors = max_errors
        self.stop = threading.Event()
        self.answered = []
        self.sent = []
        self.other_status = []
        self.errors = 0

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            text = f"{self.tag} post {n}"
            self.sent.append(text)
            try:
                resp = self.api.post(f"/api/users/{self.username}/collection", json={"text": text}, timeout=5)
            except requests.RequestException:
                self.errors += 1
                if self.errors >= self.max_errors:
                    return
                continue
            if resp.status_code == 201:
                self.answered.append((resp.json()["id"], text))
            else:
                self.other_status.append(resp.status_code)


def fake_jwt(claims: dict) -> str:
    """An unsigned ("alg": "none") JWT: a token no server may accept."""
    def b64(obj):
        raw = json.dumps(obj, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
