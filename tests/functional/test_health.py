"""GET /health, and the server staying up under hostile, old-fashioned or concurrent traffic."""

import json
import socket
import threading
from urllib.parse import urlsplit

from microblog_api import Api, allow_set, assert_error, json_body, raw_exchange


def test_health_is_ok(api):
    body = json_body(api.get("/health"), 200)
    assert body.get("status") == "ok", body


def test_health_head_has_no_body(api):
    resp = api.head("/health")
    assert resp.status_code == 200
    assert resp.content == b""


def test_health_rejects_post_with_allow(api):
    resp = api.post("/health", json={})
    assert_error(resp, 405)
    allowed = allow_set(resp)
    assert "GET" in allowed and "POST" not in allowed


def test_malformed_http_does_not_take_the_server_down(server, api):
    garbage = [
        b"BLAH\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET /health HTTP/9.9\r\n\r\n",
        b"POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
        b"POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}",
        b"POST /api/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"\x00\xff\xfe" * 100,
        b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"b" * 20000 + b"\r\n\r\n",
    ]
    for payload in garbage:
        answer = raw_exchange(server.url, payload, half_close=True)
        status_line = answer.split(b"\r\n", 1)[0]
        if status_line.startswith(b"HTTP/1."):
            code = int(status_line.split()[1])
            assert code < 500 or code == 505, f"{payload[:40]!r} -> {status_line!r}"
        json_body(api.get("/health"), 200)


def test_many_concurrent_health_checks(server):
    statuses = []
    lock = threading.Lock()

    def worker():
        client = Api(server.url)
        for _ in range(10):
            code = client.get("/health").status_code
            with lock:
                statuses.append(code)
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert statuses == [200] * 200


def test_persistent_connection_serves_many_requests(api):
    # One requests.Session keeps the connection alive across requests.
    for _ in range(50):
        assert api.get("/health").status_code == 200


def test_http_1_0_client_gets_an_answer_and_a_close(server):
    answer = raw_exchange(server.url, b"GET /health HTTP/1.0\r\n\r\n", half_close=True)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n", 1)[0].split()[1] == b"200", head
    assert json.loads(body).get("status") == "ok"


def test_expect_100_continue_as_curl_sends_it(server, new_user):
    """curl sends `Expect: 100-continue` before bodies over 1 KiB and, like
    curl, this client sends the body anyway if no 100 comes within a second."""
    alice = new_user("expect")
    body = json.dumps({"text": "x" * 200}).encode() + b" " * 1200  # JSON allows trailing blanks
    parts = urlsplit(server.url)
    head = (f"POST {alice.collection} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Authorization: Bearer {alice.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head)
        sock.settimeout(1.0)
        early = b""
        try:
            early = sock.recv(65536)
        except socket.timeout:
            pass
        assert not early or early.startswith(b"HTTP/1.1 100"), f"answered before the body: {early[:200]!r}"
        sock.settimeout(10)
        sock.sendall(body)
        chunks = [early.partition(b"\r\n\r\n")[2]] if early else []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.split()[1] == b"201", answer[:300]
