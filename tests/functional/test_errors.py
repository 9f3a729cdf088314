"""Cross-cutting error handling: 404 routes, 405 + Allow, 413, 415, malformed
JSON and invalid UTF-8 on every write, and the server surviving all of it."""

import json
from urllib.parse import urlsplit

import pytest
import requests

from microblog_api import (
    MAX_BODY, Api, allow_set, assert_error, check_micropost, check_user, create_user, ids, json_body,
    raw_exchange, unique_password, unique_username,
)


@pytest.fixture(scope="module")
def owner(server):
    return create_user(Api(server.url), "errs")


@pytest.fixture(scope="module")
def post(owner):
    return owner.post("the micropost the error tests aim at")


WRITES = ["register", "login", "create", "put", "patch"]


class Target:
    """One write endpoint, with a valid body and a way to see it changed nothing."""

    def __init__(self, name, owner, post):
        self.name = name
        self.owner = owner
        self.post = post
        self.username = unique_username("tgt")
        self.method, self.path, self.token = {
            "register": ("POST", "/api/users", None),
            "login": ("POST", "/api/token", None),
            "create": ("POST", owner.collection, owner.token),
            "put": ("PUT", post["href"], owner.token),
            "patch": ("PATCH", post["href"], owner.token),
        }[name]

    def valid_body(self) -> dict:
        if self.name == "register":
            return {"username": self.username, "password": unique_password()}
        if self.name == "login":
            return {"username": self.owner.username, "password": self.owner.password}
        return {"text": "a valid text"}

    def body_with_string(self, raw: bytes) -> bytes:
        """A JSON body whose main string field holds raw (already encoded) bytes."""
        if self.name == "register":
            return b'{"username": "' + self.username.encode() + b'", "password": "pass' + raw + b'word"}'
        if self.name == "login":
            return b'{"username": "' + self.owner.username.encode() + b'", "password": "pass' + raw + b'word"}'
        return b'{"text": "x' + raw + b'y"}'

    def send(self, api: Api, data: bytes, content_type="application/json", **kw):
        headers = {} if content_type is None else {"Content-Type": content_type}
        return api.request(self.method, self.path, data=data, headers=headers, token=self.token, **kw)

    def snapshot(self, api: Api):
        if self.name == "register":
            return api.get(f"/api/users/{self.username}").status_code
        if self.name == "login":
            return None
        return (ids(json_body(api.get(self.owner.collection + "?size=100"), 200)["result"]),
                json_body(api.get(self.post["href"]), 200))


@pytest.fixture(params=WRITES)
def target(request, owner, post):
    return Target(request.param, owner, post)


# ---- 404 ---------------------------------------------------------------------

@pytest.mark.parametrize("template", [
    "/api/nope", "/api/userz", "/apiusers", "/api/users/{u}/nope", "/api/users/{u}/collection/{id}/nope",
    "/api/users/{u}/collection/{id}/collection", "/api/users/{u}/timeline/extra/deep",
    "/api/token/extra", "/api/search/extra",
])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_api_route_is_404_with_json_error(api, owner, post, template, method):
    path = template.format(u=owner.username, id=post["id"])
    resp = api.request(method, path, json={}) if method == "POST" else api.request(method, path)
    assert_error(resp, 404)


def test_unknown_route_outside_the_api_asking_for_json_is_404_with_json_error(api):
    assert_error(api.get("/no-such-route-" + unique_username("r"), headers={"Accept": "application/json"}), 404)


# An encoded NUL or slash in the path names no resource: it is not cut at
# the NUL ("/api/users%00x" is not "/api/users") nor split at the slash.
@pytest.mark.parametrize("template", [
    "/api/users/{u}%00junk", "/api/users/%00{u}", "/api/users%00/{u}", "/api/users/{u}/collection%00/x",
    "/api/users/{u}%2Fcollection", "/api/users%2F{u}", "/api/users/{u}/collection%2f{id}",
])
def test_an_encoded_nul_or_slash_in_the_path_is_404(api, owner, post, template):
    assert_error(api.get(template.format(u=owner.username, id=post["id"])), 404)


def test_a_post_to_a_path_with_an_encoded_nul_creates_nothing(api):
    username = unique_username("nul")
    body = {"username": username, "password": unique_password()}
    assert_error(api.post("/api/users%00junk", json=body), 404)
    assert_error(api.post("/api/users/%00x", json=body), 404)
    assert_error(api.get(f"/api/users/{username}"), 404)


def test_a_delete_through_an_encoded_slash_deletes_nothing(owner):
    post = owner.post("kept despite %2F")
    assert_error(owner.api.delete(f"/api/users/{owner.username}%2Fcollection%2F{post['id']}"), 404)
    assert json_body(owner.api.get(post["href"]), 200)["id"] == post["id"]


@pytest.mark.parametrize("query", ["size=5%00", "si%00ze=5", "text=abc%00def"])
def test_an_encoded_nul_in_a_query_value_is_400(api, owner, query):
    path = "/api/search" if query.startswith("text") else owner.collection
    assert_error(api.get(f"{path}?{query}"), 400)


def test_an_absolute_form_target_is_served(server, owner):
    """RFC 9112 3.2.2: a server must accept a request target in absolute form."""
    host = urlsplit(server.url).netloc
    answer = raw_exchange(server.url, f"GET {server.url}/api/users/{owner.username} HTTP/1.1\r\nHost: {host}\r\n"
                                  "Connection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


# Bodies that two parties on the path could frame differently (request
# smuggling): each framing, given the smuggled request, and what the error names.
TEXT = '{"text": "x"}'
UNFRAMABLE = {
    # RFC 9112 6.3: reading either length would let the rest pass as a second request.
    "conflicting lengths": (lambda smuggled: f"Content-Length: {len(TEXT)}\r\n"
                            f"Content-Length: {len(TEXT) + len(smuggled)}\r\n\r\n{TEXT}{smuggled}", b"Content-Length"),
    # RFC 9112 6.1: Transfer-Encoding together with Content-Length.
    "chunked with a length": (lambda smuggled: "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
                              f"{len(TEXT):x}\r\n{TEXT}\r\n0\r\n\r\n{smuggled}", b"Transfer-Encoding"),
}


@pytest.mark.parametrize("case", sorted(UNFRAMABLE))
def test_a_body_that_cannot_be_framed_is_400_and_closes(server, owner, case):
    framing, named = UNFRAMABLE[case]
    host = urlsplit(server.url).netloc
    smuggled = f"GET /api/users/{owner.username} HTTP/1.1\r\nHost: {host}\r\n\r\n"
    answer = raw_exchange(server.url, f"POST {owner.collection} HTTP/1.1\r\nHost: {host}\r\n"
                                  f"Authorization: Bearer {owner.token}\r\nContent-Type: application/json\r\n"
                                  + framing(smuggled))
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer[:300]
    assert b'"bad_request"' in rest and named in rest, answer[:300]
    assert answer.count(b"HTTP/1.1 ") == 1, answer  # the smuggled GET was not served
    posts = json_body(owner.api.get(owner.collection + "?size=100"), 200)["result"]
    assert all(p["text"] != "x" for p in posts), posts  # nothing was written


@pytest.mark.parametrize("coding,status", [("gzip", 400), ("chunked, gzip", 400), ("chunked ", 400),
                                           ("gzip, chunked", 501)])
def test_a_transfer_coding_other_than_chunked_is_refused_as_json(server, coding, status):
    """RFC 9112 6.1/6.3: a body whose last coding is not chunked cannot be framed
    (400); other codings are not decoded here (501). Both close the connection."""
    username = unique_username("te")
    body = json.dumps({"username": username, "password": unique_password()})
    answer = raw_exchange(server.url, f"POST /api/users HTTP/1.1\r\nHost: {urlsplit(server.url).netloc}\r\n"
                                  f"Content-Type: application/json\r\nTransfer-Encoding: {coding}\r\n\r\n"
                                  f"{len(body):x}\r\n{body}\r\n0\r\n\r\n")
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status}".encode()), answer[:300]
    assert json.loads(rest)["error"]["code"] == ("bad_request" if status == 400 else "not_implemented")
    assert_error(Api(server.url).get(f"/api/users/{username}"), 404)  # nothing was created


def test_http11_without_host_is_400_json(server):
    """RFC 9112 3.2: an HTTP/1.1 request without Host gets 400."""
    answer = raw_exchange(server.url, "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer[:300]
    assert json.loads(body)["error"]["code"] == "bad_request"


@pytest.mark.parametrize("template,methods", [
    ("/api/users/{u}", {"GET", "HEAD"}),
    ("/api/users", {"POST"}),
    ("/api/token", {"POST", "DELETE"}),
    ("/api/users/{u}/collection", {"GET", "POST"}),
    ("/api/users/{u}/collection/{id}", {"GET", "PUT", "PATCH", "DELETE"}),
])
def test_options_lists_the_methods(api, owner, post, template, methods):
    """OPTIONS asks which methods a resource takes (RFC 9110 9.3.7): 204 with Allow."""
    resp = api.request("OPTIONS", template.format(u=owner.username, id=post["id"]))
    assert resp.status_code == 204, resp.text
    assert methods | {"OPTIONS"} <= allow_set(resp)
    assert resp.content == b""


# ---- 405 ---------------------------------------------------------------------

@pytest.mark.parametrize("method,template,allowed", [
    ("DELETE", "/api/users/{u}", {"GET"}),
    ("PUT", "/api/users/{u}", {"GET"}),
    ("PATCH", "/api/users/{u}", {"GET"}),
    ("POST", "/api/users/{u}", {"GET"}),
    ("GET", "/api/users", {"POST"}),
    ("DELETE", "/api/users", {"POST"}),
    ("PUT", "/api/users/{u}/collection", {"GET", "POST"}),
    ("PATCH", "/api/users/{u}/collection", {"GET", "POST"}),
    ("DELETE", "/api/users/{u}/collection", {"GET", "POST"}),
    ("POST", "/api/users/{u}/collection/{id}", {"GET", "PUT", "PATCH", "DELETE"}),
    ("GET", "/api/token", {"POST", "DELETE"}),
    ("PUT", "/api/token", {"POST", "DELETE"}),
    ("PATCH", "/api/token", {"POST", "DELETE"}),
])
def test_wrong_method_is_405_with_allow(owner, post, method, template, allowed):
    path = template.format(u=owner.username, id=post["id"])
    kw = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    resp = owner.api.request(method, path, **kw)
    assert_error(resp, 405)
    got = allow_set(resp)
    assert allowed <= got, f"Allow {sorted(got)} lacks {sorted(allowed - got)}"
    assert method not in got


def test_405_changes_nothing(api, owner, post):
    before = json_body(api.get(post["href"]), 200)
    assert owner.api.post(post["href"], json={"text": "via POST"}).status_code == 405
    assert json_body(api.get(post["href"]), 200) == before


# ---- 415 ---------------------------------------------------------------------

@pytest.mark.parametrize("content_type", [
    None, "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz", "application/xml", "text/json-ish",
])
def test_write_with_a_non_json_content_type_is_415(api, target, content_type):
    before = target.snapshot(api)
    resp = target.send(api, json.dumps(target.valid_body()).encode(), content_type=content_type)
    assert_error(resp, 415)
    assert target.snapshot(api) == before


@pytest.mark.parametrize("content_type", [
    "application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", "Application/JSON",
    "application/merge-patch+json", "application/vnd.api+json; charset=utf-8",
])
def test_json_content_type_variants_are_accepted(api, owner, content_type):
    resp = owner.api.post(owner.collection, data=b'{"text": "content type variant"}',
                          headers={"Content-Type": content_type})
    check_micropost(json_body(resp, 201), owner.username, "content type variant")


def test_registration_accepts_json_without_charset(api):
    username = unique_username("nocs")
    body = json.dumps({"username": username, "password": unique_password()}).encode()
    resp = api.post("/api/users", data=body, headers={"Content-Type": "application/json"})
    check_user(json_body(resp, 201), username)


# ---- 400: malformed JSON, wrong shapes, invalid UTF-8 ------------------------

def test_a_nul_byte_after_the_json_is_400_and_writes_nothing(api, target):
    """A parser that stops at NUL as at the end of a C string would accept this."""
    before = target.snapshot(api)
    resp = target.send(api, json.dumps(target.valid_body()).encode() + b"\x00garbage")
    assert_error(resp, 400)
    assert target.snapshot(api) == before


MALFORMED = {
    "empty": b"",
    "open-brace": b"{",
    "missing-value": b'{"text": }',
    "single-quotes": b"{'text': 'x'}",
    "trailing-comma": b'{"text": "x",}',
    "bare-key": b'{text: "x"}',
    "unterminated-string": b'{"text": "x}',
    "trailing-garbage": b'{"text": "x"} x',
    "two-documents": b'{"text": "x"}{"text": "y"}',
    "nan": b'{"text": NaN}',
    "array": b'["text", "x"]',
    "null": b"null",
    "string": b'"text"',
    "number": b"42",
    "true": b"true",
    "control-char-in-string": b'{"text": "a\x01b"}',
    "bad-escape": b'{"text": "\\q"}',
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_json_is_400(api, target, name):
    before = target.snapshot(api)
    assert_error(target.send(api, MALFORMED[name]), 400)
    assert target.snapshot(api) == before


INVALID_UTF8 = {
    "ff": b"\xff",
    "bad-continuation": b"\xc3\x28",
    "encoded-surrogate": b"\xed\xa0\x80",
    "overlong-slash": b"\xc0\xaf",
    "truncated": b"\xe2\x82",
    "five-byte": b"\xf8\x88\x80\x80\x80",
    "above-max": b"\xf4\x90\x80\x80",
    "latin1": "café".encode("latin-1"),
}


@pytest.mark.parametrize("name", list(INVALID_UTF8))
def test_invalid_utf8_in_a_string_is_400(api, target, name):
    before = target.snapshot(api)
    assert_error(target.send(api, target.body_with_string(INVALID_UTF8[name])), 400)
    assert target.snapshot(api) == before


def test_invalid_utf8_in_a_username_is_400(api):
    resp = api.post("/api/users", data=b'{"username": "bad\xffname", "password": "password123"}',
                    headers={"Content-Type": "application/json"})
    assert_error(resp, 400)


def test_valid_multibyte_body_is_accepted_raw_and_escaped(owner):
    text = "naïve café 😀"
    for raw in (json.dumps({"text": text}, ensure_ascii=False).encode(), json.dumps({"text": text}).encode()):
        resp = owner.api.post(owner.collection, data=raw, headers={"Content-Type": "application/json"})
        assert check_micropost(json_body(resp, 201))["text"] == text


@pytest.mark.parametrize("shape", ["arrays", "objects"])
def test_deeply_nested_json_is_400_and_harmless(api, target, shape):
    if shape == "arrays":
        nested = b"[" * 30000 + b"]" * 30000
    else:
        nested = b'{"a":' * 10000 + b"1" + b"}" * 10000
    body = b'{"text": ' + nested + b"}"
    assert len(body) <= MAX_BODY
    assert_error(target.send(api, body), 400)
    json_body(api.get("/health"), 200)


@pytest.mark.parametrize("value", ["1e999", "-1e999", "123456789012345678901234567890", "1.5", "[]", "{}"])
def test_wrong_typed_values_are_400(target, api, value):
    body = target.valid_body()
    key = "text" if "text" in body else "password"
    raw = json.dumps(body).replace(json.dumps(body[key]), value, 1).encode()
    before = target.snapshot(api)
    assert_error(target.send(api, raw), 400, field=key)
    assert target.snapshot(api) == before


# RFC 8259: parsers differ on which of two equal names wins, so a proxy in
# front could read another body than the server: refused, naming the field.
@pytest.mark.parametrize("raw", [b'{"text": "one", "text": "two"}', b'{"text": {"a": 1, "a": 2}}'])
def test_a_field_given_twice_is_400_naming_it(api, owner, raw):
    before = ids(json_body(api.get(owner.collection + "?size=100"), 200)["result"])
    resp = owner.api.post(owner.collection, data=raw, headers={"Content-Type": "application/json"})
    assert_error(resp, 400, field="a" if b'"a"' in raw else "text")
    assert ids(json_body(api.get(owner.collection + "?size=100"), 200)["result"]) == before


# ---- 414, 431: a request target or headers over 16 KiB -------------------------

@pytest.mark.parametrize("length", [16 * 1024 + 1, 20000, 30000])
def test_a_request_target_over_16_kib_is_414_json(api, length):
    resp = api.get("/api/users/" + "a" * (length - len("/api/users/")))
    assert_error(resp, 414, codes={"uri_too_long"})


@pytest.mark.parametrize("length", [16 * 1024 + 1, 20000, 30000])
def test_headers_over_16_kib_are_431_json(api, length):
    assert_error(api.get("/api/users/zed", headers={"X-Big": "b" * length}), 431,
                 codes={"request_header_fields_too_large"})


def test_a_target_and_headers_over_24_kib_together_are_431_json(api):
    assert_error(api.get("/api/users/" + "a" * 12000, headers={"X-Big": "b" * 13000}), 431,
                 codes={"request_header_fields_too_large"})


def test_a_long_target_and_headers_under_the_limits_are_served(api):
    assert_error(api.get("/api/users/" + "a" * 15000), 404)
    assert_error(api.get("/api/users/zed", headers={"X-Big": "b" * 15000}), 404)
    assert_error(api.get("/api/users/" + "a" * 10000, headers={"X-Big": "b" * 10000}), 404)


# ---- 413 ---------------------------------------------------------------------

def body_of_size(size: int, target: Target) -> bytes:
    """A syntactically valid body of exactly `size` bytes (its string field padded)."""
    skeleton = target.body_with_string(b"")
    return target.body_with_string(b"a" * (size - len(skeleton)))


def test_body_over_64_kib_is_413(api, target):
    before = target.snapshot(api)
    body = body_of_size(MAX_BODY + 1, target)
    assert len(body) == MAX_BODY + 1
    assert_error(target.send(api, body), 413)
    assert target.snapshot(api) == before


def test_body_of_exactly_64_kib_is_not_413(api, target):
    body = body_of_size(MAX_BODY, target)
    assert len(body) == MAX_BODY
    resp = target.send(api, body)
    # Too long a text or password: a validation error, not a size error (a
    # login may also just call such a password wrong).
    if target.name == "login" and resp.status_code == 401:
        assert_error(resp, 401)
    else:
        assert_error(resp, 400)


def test_chunked_body_over_64_kib_is_413(api, owner):
    def chunks():
        yield b'{"text": "'
        for _ in range(70):
            yield b"a" * 1024
        yield b'"}'

    before = ids(json_body(api.get(owner.collection + "?size=100"), 200)["result"])
    resp = owner.api.post(owner.collection, data=chunks(), headers={"Content-Type": "application/json"})
    assert_error(resp, 413)
    assert ids(json_body(api.get(owner.collection + "?size=100"), 200)["result"]) == before


@pytest.mark.parametrize("chunked", [False, True])
def test_an_oversized_body_to_a_wrong_route_or_method_is_404_or_405(api, owner, chunked):
    """The route and method are checked before the body's size, as for any request."""
    def body():
        data = b'{"text": "' + b"a" * (MAX_BODY + 10) + b'"}'
        return (data[i:i + 8192] for i in range(0, len(data), 8192)) if chunked else data

    json_type = {"Content-Type": "application/json"}
    assert_error(owner.api.post("/api/nope", data=body(), headers=json_type), 404)
    assert_error(owner.api.put(owner.collection, data=body(), headers=json_type), 405)
    assert_error(owner.api.post(owner.collection, data=body(), headers=json_type), 413)


def test_huge_body_is_refused_and_harmless(api, owner):
    body = b'{"text": "' + b"a" * (4 * 1024 * 1024) + b'"}'
    try:
        resp = owner.api.post(owner.collection, data=body, headers={"Content-Type": "application/json"})
    except requests.ConnectionError:
        resp = None  # the server may answer early and close; that is fine
    if resp is not None:
        assert_error(resp, 413)
    json_body(api.get("/health"), 200)


def test_large_json_under_the_limit_is_a_validation_error(api, owner):
    body = json.dumps({"text": "é" * 20000}, ensure_ascii=False).encode()  # 40 KB of UTF-8
    assert len(body) <= MAX_BODY
    assert_error(owner.api.post(owner.collection, data=body, headers={"Content-Type": "application/json"}),
                 400, field="text")
