"""Hypha and Nameko's own AMQP library, kombu, on one broker.

Each test plays a Nameko peer with kombu as Nameko 2.14 drives it (the
standalone RPC proxy, an event subscriber, an RPC service, the standalone
event dispatcher; ../shared/docs/nameko-wire.md sections 2 and 3) against
the greeter example served by `hypha run`, or against `hypha call`.
"""

import json
import threading
import time
import uuid

import pytest
from kombu import Connection, Consumer, Exchange, Producer, Queue

from conftest import run_hypha

RPC_EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True, auto_delete=False)
GREETER_EVENTS = Exchange("greeter.events", type="topic", durable=True, auto_delete=False)
REPLY_QUEUE_TTL_MS = 300000


def nameko_connection(uri: str) -> Connection:
    # Nameko publishes with confirms (use_confirms=True).
    return Connection(uri, transport_options={"confirm_publish": True})


class StandaloneProxy:
    """nameko.standalone.rpc.ServiceRpcProxy, written with kombu: its reply
    queue, its single call id, mandatory publishes with a reply_to uuid."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.reply_to = str(uuid.uuid4())
        self.call_id = f"standalone_rpc_proxy.call.{uuid.uuid4()}"
        queue = Queue(f"rpc.reply-standalone_rpc_proxy-{self.reply_to}", exchange=RPC_EXCHANGE,
                      routing_key=self.reply_to, queue_arguments={"x-expires": REPLY_QUEUE_TTL_MS})
        self.replies = {}
        self.consumer = Consumer(connection.channel(), [queue], callbacks=[self._on_reply], accept=["json"])
        self.consumer.consume()
        self.producer = Producer(connection.channel(), serializer="json")

    def _on_reply(self, body, message):
        message.ack()
        self.replies[message.properties.get("correlation_id")] = message

    def call(self, service, method, args, kwargs=None, headers=None, timeout=20.0):
        correlation_id = str(uuid.uuid4())
        self.producer.publish({"args": args, "kwargs": kwargs or {}}, exchange=RPC_EXCHANGE,
                              routing_key=f"{service}.{method}", mandatory=True, reply_to=self.reply_to,
                              correlation_id=correlation_id, delivery_mode=2, priority=0,
                              headers={"nameko.call_id_stack": [self.call_id], **(headers or {})})
        deadline = time.monotonic() + timeout
        while correlation_id not in self.replies:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no reply to {service}.{method} within {timeout} s"
            try:
                self.connection.drain_events(timeout=min(remaining, 1.0))
            except TimeoutError:
                pass
        return self.replies.pop(correlation_id)


@pytest.fixture
def connection(broker_uri):
    with nameko_connection(broker_uri) as conn:
        yield conn


@pytest.fixture
def proxy(connection, greeter):
    return StandaloneProxy(connection)


def test_a_nameko_call_gets_the_reply_nameko_sends(proxy):
    reply = proxy.call("greeter", "hello", ["w\u00f6rld"])
    assert json.loads(reply.body) == {"result": "Hello, w\u00f6rld!", "error": None}
    assert reply.content_type == "application/json" and reply.content_encoding == "utf-8"
    assert reply.properties["delivery_mode"] == 2
    assert "reply_to" not in reply.properties
    assert not reply.headers  # replies carry no context
    assert reply.delivery_info["exchange"] == "nameko-rpc"
    assert reply.delivery_info["routing_key"] == proxy.reply_to


def test_keyword_arguments_are_read_as_nameko_passes_them(proxy):
    reply = proxy.call("greeter", "hello", [], {"name": "Kw"})
    assert reply.payload == {"result": "Hello, Kw!", "error": None}


@pytest.mark.parametrize("method,args,exc_type,exc_args", [
    ("nope", ["x"], "MethodNotFound", ["nope"]),
    ("hello", [], "IncorrectSignature", ["hello() missing 1 required positional argument: 'name'"]),
])
def test_errors_are_the_objects_nameko_deserializes(proxy, method, args, exc_type, exc_args):
    reply = proxy.call("greeter", method, args)
    assert reply.payload["result"] is None
    error = reply.payload["error"]
    assert error == {"exc_type": exc_type, "exc_path": f"nameko.exceptions.{exc_type}", "exc_args": exc_args,
                     "value": exc_args[0]}


def test_the_event_a_call_dispatches_reads_as_a_nameko_event(connection, proxy):
    # A Nameko service-pool handler's queue, declared before the call; it also
    # checks that greeter.events was declared with Nameko's flags (else 406).
    queue = Queue("evt-greeter-greeted--kombu_listener.on_greeted", exchange=GREETER_EVENTS, routing_key="greeted",
                  durable=True, auto_delete=False)
    events = []
    with Consumer(connection.channel(), [queue], callbacks=[lambda body, message: events.append(message)],
                  accept=["json"]):
        reply = proxy.call("greeter", "hello", ["Ann"], headers={"nameko.language": "en", "nameko.custom": "x"})
        assert reply.payload["error"] is None
        deadline = time.monotonic() + 20
        while not events and time.monotonic() < deadline:
            try:
                connection.drain_events(timeout=1.0)
            except TimeoutError:
                pass
    assert events, "no greeted event reached the kombu subscriber"
    event = events[0]
    event.ack()
    assert event.payload == {"name": "Ann"}
    assert event.content_type == "application/json" and event.content_encoding == "utf-8"
    assert event.properties["delivery_mode"] == 2
    assert event.delivery_info["exchange"] == "greeter.events" and event.delivery_info["routing_key"] == "greeted"
    stack = event.headers["nameko.call_id_stack"]  # py-amqp decoded Hypha's field array
    assert isinstance(stack, list) and len(stack) == 2, stack
    assert stack[0] == proxy.call_id
    assert stack[1].startswith("greeter.hello.") and len(stack[1]) == len("greeter.hello.") + 36
    assert event.headers["nameko.language"] == "en" and event.headers["nameko.custom"] == "x"


def test_a_nameko_instance_of_the_service_declares_the_same_topology(connection, greeter):
    """A Python instance of `greeter` beside the Hypha one redeclares every
    exchange and queue with Nameko's flags on connect; any difference is a
    406 PRECONDITION_FAILED that closes its channel (nameko-wire.md 2.1, 3.1)."""
    channel = connection.channel()
    declared = [
        Queue("rpc-greeter", exchange=RPC_EXCHANGE, routing_key="greeter.*", durable=True, auto_delete=False),
        Queue("evt-greeter-greeted--greeter.on_greeted", exchange=GREETER_EVENTS, routing_key="greeted",
              durable=True, auto_delete=False),
    ]
    for queue in declared:
        queue(channel).declare()  # raises amqp.exceptions.PreconditionFailed on a mismatch
    # Both queues are Hypha's, in use: a passive declare sees its consumer.
    for queue in declared:
        _, _, consumers = channel.queue_declare(queue.name, passive=True)
        assert consumers >= 1, queue.name


def test_an_event_from_nameko_standalone_dispatch_reaches_the_handler(connection, greeter):
    # nameko.standalone.events.event_dispatcher: no headers, no declaration.
    name = f"Bo-{uuid.uuid4().hex[:8]}"
    Producer(connection.channel(), serializer="json").publish(
        {"name": name}, exchange=GREETER_EVENTS, routing_key="greeted", delivery_mode=2, priority=0, headers={})
    assert greeter.wait_for_log(f"greeted {name}"), greeter.log()[-2000:]


class KombuEchoService:
    """A Nameko RPC service named `echo`, written with kombu: it consumes
    rpc-echo and replies to nameko-rpc with the request's reply_to."""

    def __init__(self, uri: str):
        self.uri = uri
        self.requests = []
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self.ready.wait(20), "the kombu service did not start"

    def _run(self):
        with nameko_connection(self.uri) as conn:
            producer = Producer(conn.channel(), serializer="json")

            def on_request(body, message):
                self.requests.append(message)
                producer.publish({"result": body["args"], "error": None}, exchange=RPC_EXCHANGE,
                                 routing_key=message.properties["reply_to"],
                                 correlation_id=message.properties.get("correlation_id"),
                                 delivery_mode=2, priority=0, headers={})
                message.ack()

            queue = Queue("rpc-echo", exchange=RPC_EXCHANGE, routing_key="echo.*", durable=True, auto_delete=False)
            with Consumer(conn.channel(), [queue], callbacks=[on_request], accept=["json"], prefetch_count=10):
                self.ready.set()
                while not self._stop.is_set():
                    try:
                        conn.drain_events(timeout=0.2)
                    except TimeoutError:
                        pass

    def stop(self):
        self._stop.set()
        self._thread.join(20)


def test_hypha_calls_a_nameko_service(broker_uri):
    service = KombuEchoService(broker_uri)
    try:
        done = run_hypha("call", "echo.ping", '{"args": ["w\\u00f6rld", 42, {"k": [1.5, null]}]}',
                         "--set", f"AMQP_URI={broker_uri}")
    finally:
        service.stop()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["w\u00f6rld", 42, {"k": [1.5, None]}]
    request = service.requests[0]
    assert request.content_type == "application/json" and request.content_encoding == "utf-8"
    assert request.properties["delivery_mode"] == 2
    assert request.delivery_info["routing_key"] == "echo.ping"
    assert request.payload == {"args": ["w\u00f6rld", 42, {"k": [1.5, None]}], "kwargs": {}}
    uuid.UUID(request.properties["reply_to"])  # a bare uuid: a routing key, not a queue name
    uuid.UUID(request.properties["correlation_id"])
    stack = request.headers["nameko.call_id_stack"]
    assert isinstance(stack, list) and len(stack) == 1 and stack[0].startswith("standalone_rpc_proxy.call."), stack
