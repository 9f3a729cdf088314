#!/usr/bin/python3
"""Seeds and checks the social benchmark of `make bench` (issue 5).

Three subcommands, each against a running hypha-microblog:

  seed_social.py seed   --url URL --out DIR [--users 1000] [--edges 20000] [--threads 8]
      Registers a "celebrity" plus --users ordinary users (argon2id hashing on
      the server: this is the slow part, so it runs on --threads threads and is
      timed), logs every one in, makes every ordinary user follow the
      celebrity (so it has exactly --users followers), then adds random follow
      edges among the ordinary users until --edges edges exist in all.
      Writes DIR/tokens.txt ("username token" per line, read by
      bench/wrk/social.lua) and DIR/seed.json (names, timings).

  seed_social.py hashcost --url URL [--count 48] [--threads 8]
      Registers and logs in --count throwaway users on a server running with
      the production argon2id parameters, and prints the rates and what
      seeding 1,001 users would cost at those rates (run.sh uses this when
      the social server runs with cheaper hashing; see BENCH_REAL_HASH).

  seed_social.py fanout --url URL --dir DIR [--wrk-threads 2]
      The celebrity writes a micropost. Right after the 201, wrk
      (bench/wrk/fanout.lua) fetches the followers' home timelines round after
      round, as fast as it can, until a whole round after the last answer
      without the post had it, and reports when that round ended: an upper
      bound of the fan-out delay. Prints PASS/MISS against 1 s.
      Exits 1 only when a request fails.

Uses only the standard library and requests (Debian python3-requests).
"""

import argparse
import concurrent.futures
import json
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

JSON = {"Content-Type": "application/json"}
PASSWORD = "bench password 1"
_local = threading.local()


def session() -> requests.Session:
    s = getattr(_local, "session", None)
    if s is None:
        s = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=1)
        s.mount("http://", adapter)
        _local.session = s
    return s


def check(response: requests.Response, *ok: int) -> requests.Response:
    if response.status_code not in ok:
        raise RuntimeError(f"{response.request.method} {response.request.url} -> {response.status_code}: "
                           f"{response.text[:300]}")
    return response


def register(url: str, username: str) -> None:
    check(session().post(f"{url}/api/users", json={"username": username, "password": PASSWORD}, timeout=60), 201)


def login(url: str, username: str) -> str:
    r = check(session().post(f"{url}/api/token", json={"username": username, "password": PASSWORD}, timeout=60), 200)
    return r.json()["access_token"]


def follow(url: str, follower: str, token: str, followee: str) -> None:
    check(session().post(f"{url}/api/users/{follower}/following", json={"username": followee},
                         headers={"Authorization": f"Bearer {token}"}, timeout=60), 200, 201)


def parallel(threads: int, fn, items) -> float:
    """Runs fn(item) for every item on `threads` threads; returns the seconds taken."""
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
        for future in concurrent.futures.as_completed([pool.submit(fn, *item) for item in items]):
            future.result()  # re-raise the first failure
    return time.monotonic() - start


def seed(args) -> int:
    url = args.url.rstrip("/")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261201)
    run = f"{int(time.time()) % 100000:05d}"
    celebrity = f"celeb_{run}"
    users = [f"u{run}_{i:04d}" for i in range(args.users)]
    everyone = [celebrity] + users

    t_register = parallel(args.threads, lambda u: register(url, u), [(u,) for u in everyone])
    print(f"seed: registered {len(everyone)} users in {t_register:.1f} s "
          f"({len(everyone) / t_register:.0f}/s, {args.threads} client threads; argon2id on the server)", flush=True)

    tokens = {}
    lock = threading.Lock()

    def do_login(u):
        token = login(url, u)
        with lock:
            tokens[u] = token

    t_login = parallel(args.threads, do_login, [(u,) for u in everyone])
    print(f"seed: logged in {len(everyone)} users in {t_login:.1f} s ({len(everyone) / t_login:.0f}/s)", flush=True)

    # Every ordinary user follows the celebrity; the rest of the edges are
    # random distinct pairs among ordinary users (no self-follows).
    edges = [(u, celebrity) for u in users]
    seen = set()
    wanted = max(0, args.edges - len(edges))
    max_pairs = len(users) * (len(users) - 1)
    if wanted > max_pairs:
        raise SystemExit(f"cannot make {args.edges} edges among {len(users)} users")
    while len(seen) < wanted:
        a, b = rng.sample(users, 2)
        seen.add((a, b))
    edges += sorted(seen)
    rng.shuffle(edges)
    t_follow = parallel(args.threads, lambda a, b: follow(url, a, tokens[a], b), edges)
    print(f"seed: made {len(edges)} follow edges in {t_follow:.1f} s ({len(edges) / t_follow:.0f}/s)", flush=True)

    with open(out / "tokens.txt", "w") as f:
        for u in users:  # the celebrity is left out of the workload: its posts would fan out to everyone
            f.write(f"{u} {tokens[u]}\n")
    meta = {"url": url, "celebrity": celebrity, "celebrity_token": tokens[celebrity], "followers": users,
            "users": len(everyone), "edges": len(edges), "register_s": t_register, "login_s": t_login,
            "follow_s": t_follow, "threads": args.threads}
    (out / "seed.json").write_text(json.dumps(meta))
    return 0


def hashcost(args) -> int:
    url = args.url.rstrip("/")
    run = f"{int(time.time() * 1000) % 10000000:07d}"
    names = [f"h{run}_{i:03d}" for i in range(args.count)]
    t_register = parallel(args.threads, lambda u: register(url, u), [(u,) for u in names])
    t_login = parallel(args.threads, lambda u: login(url, u), [(u,) for u in names])
    per_register = t_register / len(names)
    per_login = t_login / len(names)
    print(f"argon2id (production parameters): {len(names)} registrations in {t_register:.1f} s "
          f"({len(names) / t_register:.1f}/s), {len(names)} logins in {t_login:.1f} s "
          f"({len(names) / t_login:.1f}/s), {args.threads} client threads")
    print(f"argon2id: at these rates, registering and logging in 1,001 users would take about "
          f"{1001 * per_register:.0f} s + {1001 * per_login:.0f} s")
    return 0


def fanout(args) -> int:
    meta = json.loads((Path(args.dir) / "seed.json").read_text())
    tokens_path = Path(args.dir) / "tokens.txt"
    url = args.url.rstrip("/")
    celebrity = meta["celebrity"]
    followers = meta["followers"]

    user = check(session().get(f"{url}/api/users/{celebrity}", timeout=30), 200).json()
    t0 = time.time()
    r = check(session().post(f"{url}/api/users/{celebrity}/collection", json={"text": "fan-out check"},
                             headers={"Authorization": f"Bearer {meta['celebrity_token']}"}, timeout=30), 201)
    answered = time.time()
    post_id = r.json()["id"]

    script = Path(__file__).resolve().parent / "wrk" / "fanout.lua"
    out = subprocess.run(["wrk", f"-t{args.wrk_threads}", "-c32", "-d3s", "-s", str(script), url, "--",
                          str(tokens_path), post_id, str(args.wrk_threads)],
                         capture_output=True, text=True, timeout=60)
    line = next((l for l in out.stdout.splitlines() if l.startswith("fanout-wrk:")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk fanout.lua failed: {out.stdout[-500:]} {out.stderr[-500:]}")
    fields = dict(kv.split("=") for kv in line.split()[1:])
    users, threads_done = int(fields["users"]), int(fields["done"])
    first_ms = float(fields["first_ms"]) - answered * 1000
    last_ms = float(fields["last_ms"]) - answered * 1000
    last_miss = float(fields["last_miss_ms"])

    print(f"fanout: {celebrity} has followers_count={user['followers_count']}; its POST was answered in "
          f"{(answered - t0) * 1000:.1f} ms")
    if threads_done < args.wrk_threads:
        print(f"fanout: MISS: within wrk's 3 s window, some of the {users} follower timelines never showed the post "
              f"in a whole round of fetches (last answer without it {last_miss - answered * 1000:.0f} ms after the 201)")
        return 0
    missed = (f"the last answer without it came {last_miss - answered * 1000:.1f} ms after the 201"
              if last_miss else "every answer had it")
    verdict = "PASS" if last_ms <= 1000 else "MISS"
    print(f"fanout: the post was in all {users} follower timelines in a whole round of fetches ending "
          f"{last_ms:.1f} ms after the 201 (first seen at {first_ms:.1f} ms; {missed}), so the fan-out delay was "
          f"at most {max(last_ms, 0):.0f} ms: {verdict} (target 1000 ms)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--url", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--users", type=int, default=1000)
    s.add_argument("--edges", type=int, default=20000)
    s.add_argument("--threads", type=int, default=8)
    h = sub.add_parser("hashcost")
    h.add_argument("--url", required=True)
    h.add_argument("--count", type=int, default=48)
    h.add_argument("--threads", type=int, default=8)
    f = sub.add_parser("fanout")
    f.add_argument("--url", required=True)
    f.add_argument("--dir", required=True)
    f.add_argument("--wrk-threads", type=int, default=2)
    args = parser.parse_args()
    try:
        return {"seed": seed, "hashcost": hashcost, "fanout": fanout}[args.command](args)
    except Exception as e:  # noqa: BLE001 - a bench tool: say what failed, exit non-zero
        print(f"{args.command}: FAILED: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
