"""Pages of a collection: size, next/previous cursors, page=N, and walks while posts arrive."""

import pytest

from microblog_api import (
    Api, Writer, assert_error, assert_newest_first, check_page, create_user, ids, wait_until, walk,
)

N = 23


@pytest.fixture(scope="module")
def feed(server):
    """A user with N posts, and the posts newest first (read-only for the tests)."""
    user = create_user(Api(server.url), "page")
    posts = [user.post(f"page item {i}") for i in range(N)]
    return user, list(reversed(posts))


def flatten(pages):
    return [item for page in pages for item in page["result"]]


def test_first_page_defaults_to_10_newest(api, feed):
    user, posts = feed
    page = check_page(api.get(user.collection))
    assert ids(page["result"]) == ids(posts[:10])
    assert page["previous"] is None
    assert page["next"] is not None


@pytest.mark.parametrize("size", [1, 4, 5, 10, 22, 23])
def test_following_next_visits_every_post_once_newest_first(api, feed, size):
    user, posts = feed
    pages = walk(api, f"{user.collection}?size={size}")
    assert ids(flatten(pages)) == ids(posts)
    sizes = [len(page["result"]) for page in pages]
    assert all(s == size for s in sizes[:-1]) and 0 < sizes[-1] <= size, sizes
    assert pages[0]["previous"] is None
    assert all(page["previous"] is not None for page in pages[1:])
    assert pages[-1]["next"] is None


@pytest.mark.parametrize("size", [24, 100])
def test_a_size_covering_everything_gives_one_page(api, feed, size):
    user, posts = feed
    page = check_page(api.get(f"{user.collection}?size={size}"))
    assert ids(page["result"]) == ids(posts)
    assert page["next"] is None and page["previous"] is None


def test_items_in_pages_are_full_microposts(api, feed):
    user, posts = feed
    page = check_page(api.get(f"{user.collection}?size=3"))
    assert page["result"] == posts[:3]


def test_following_previous_walks_back_page_by_page(api, feed):
    user, _ = feed
    forward = walk(api, f"{user.collection}?size=5")
    assert len(forward) == 5
    back = walk(api, forward[-1]["previous"], link="previous")
    assert [ids(p["result"]) for p in back] == [ids(p["result"]) for p in reversed(forward[:-1])]
    assert back[-1]["previous"] is None
    # A page reached backwards leads forward again like the original one.
    for page in back:
        position = [ids(p["result"]) for p in forward].index(ids(page["result"]))
        assert page["next"] is not None
        assert ids(check_page(api.get(page["next"]))["result"]) == ids(forward[position + 1]["result"])


def test_page_number_selects_offset_pages(api, feed):
    user, posts = feed
    for n in range(1, 6):
        page = check_page(api.get(f"{user.collection}?size=5&page={n}"))
        assert ids(page["result"]) == ids(posts[(n - 1) * 5:n * 5]), f"page={n}"
        assert (page["previous"] is None) == (n == 1), f"previous of page={n}: {page['previous']!r}"
        assert (page["next"] is None) == (n == 5), f"next of page={n}: {page['next']!r}"


def test_page_number_without_size_uses_10(api, feed):
    user, posts = feed
    page = check_page(api.get(f"{user.collection}?page=2"))
    assert ids(page["result"]) == ids(posts[10:20])


def test_links_of_a_numbered_page_lead_to_its_neighbours(api, feed):
    user, posts = feed
    page = check_page(api.get(f"{user.collection}?size=5&page=3"))
    assert ids(check_page(api.get(page["next"]))["result"]) == ids(posts[15:20])
    assert ids(check_page(api.get(page["previous"]))["result"]) == ids(posts[5:10])


@pytest.mark.parametrize("n", [6, 1000, 2147483648, 10**20])
def test_page_beyond_the_end_is_empty(api, feed, n):
    user, _ = feed
    page = check_page(api.get(f"{user.collection}?size=5&page={n}"))
    assert page["result"] == [] and page["next"] is None


# Cursors above the largest id (2^63 - 1) mean the same as it: everything is
# older, nothing newer. They once wrapped to negative numbers.
@pytest.mark.parametrize("cursor", [2**63, 2**64 - 1])
def test_cursors_beyond_the_largest_id_are_read_as_it(api, feed, cursor):
    user, posts = feed
    below = check_page(api.get(f"{user.collection}?size=5&before={cursor}"))
    assert ids(below["result"]) == ids(posts[:5]) and below["previous"] is None
    assert ids(check_page(api.get(below["next"]))["result"]) == ids(posts[5:10])
    above = check_page(api.get(f"{user.collection}?size=5&after={cursor}"))
    assert above["result"] == [] and above["previous"] is None
    assert ids(check_page(api.get(above["next"]))["result"]) == ids(posts[:5])


@pytest.mark.parametrize("value", ["0", "101", "-1", "abc", "1.5", "1e1", "10abc", "%20", "99999999999999999999"])
def test_invalid_size_is_400_naming_size(api, feed, value):
    user, _ = feed
    assert_error(api.get(f"{user.collection}?size={value}"), 400, field="size")


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "2x"])
def test_invalid_page_is_400_naming_page(api, feed, value):
    user, _ = feed
    assert_error(api.get(f"{user.collection}?page={value}"), 400, field="page")


def test_empty_collection_is_one_empty_page(api, new_user):
    user = new_user("empty", with_token=False)
    page = check_page(api.get(user.collection))
    assert page == {**page, "next": None, "previous": None, "result": []}


# page=1 is a first page too: its next link is a cursor, so the walk is as exact.
@pytest.mark.parametrize("first", ["?size=4", "?size=4&page=1"])
def test_walk_while_posts_arrive_between_pages(api, new_user, first):
    user = new_user("arr")
    original = list(reversed([user.post(f"original {i}") for i in range(12)]))
    arrived = []

    def between():
        arrived.append(user.post("arrived while paging"))
        arrived.append(user.post("arrived while paging"))

    pages = walk(api, user.collection + first, between=between)
    assert arrived, "the walk should take several pages"
    assert ids(flatten(pages)) == ids(original)


def test_walk_while_a_thread_posts(api, new_user):
    user = new_user("thr")
    original = list(reversed([user.post(f"original {i}") for i in range(15)]))
    writer = Writer(user.api.clone(), user.username, "concurrent")
    writer.start()
    try:
        wait_until(lambda: len(writer.answered) >= 2, timeout=10, message="the writer thread posts")
        pages = walk(api, f"{user.collection}?size=3")
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    items = flatten(pages)
    assert_newest_first(items)
    seen = ids(items)
    assert set(ids(original)) <= set(seen), "a post that existed before the walk was skipped"
    newest_original = int(original[0]["id"])
    extra = [i for i in items if i["id"] not in set(ids(original))]
    assert all(int(i["id"]) > newest_original and i["text"].startswith("concurrent") for i in extra)
    assert writer.other_status == [] and writer.errors == 0


def test_deletes_during_a_walk_skip_nothing_else(api, new_user):
    user = new_user("delw")
    posts = list(reversed([user.post(f"item {i}") for i in range(12)]))
    calls = []

    def between():
        calls.append(1)
        if len(calls) == 1:
            # posts[1] was on the first page, posts[5] is on the second.
            assert user.api.delete(posts[1]["href"]).status_code == 204
            assert user.api.delete(posts[5]["href"]).status_code == 204

    pages = walk(api, f"{user.collection}?size=4", between=between)
    expected = [p for p in posts if p["id"] != posts[5]["id"]]
    assert ids(flatten(pages)) == ids(expected)


def test_page_and_cursor_agree_after_a_deletion(api, new_user):
    user = new_user("agree")
    posts = list(reversed([user.post(f"item {i}") for i in range(6)]))
    assert user.api.delete(posts[2]["href"]).status_code == 204
    remaining = [p for p in posts if p["id"] != posts[2]["id"]]
    assert ids(flatten(walk(api, f"{user.collection}?size=2"))) == ids(remaining)
    by_number = [check_page(api.get(f"{user.collection}?size=2&page={n}"))["result"] for n in (1, 2, 3)]
    assert [p["id"] for page in by_number for p in page] == ids(remaining)


# A page left empty by deletions (or a cursor past either end) is no dead
# end: its links lead to the items that remain on either side.
def test_a_page_emptied_by_deletions_links_on_to_what_remains(api, new_user):
    user = new_user("gap")
    [user.post(f"gap item {i}") for i in range(9)]
    first = check_page(api.get(f"{user.collection}?size=3"))
    second = check_page(api.get(first["next"]))
    for post in first["result"]:
        assert user.api.delete(post["href"]).status_code == 204
    back = check_page(api.get(second["previous"]))
    assert back["result"] == [] and back["previous"] is None and back["next"] is not None
    assert ids(check_page(api.get(back["next"]))["result"]) == ids(second["result"])


def test_an_empty_page_below_every_item_links_back_up(api, new_user):
    user = new_user("floor")
    posts = [user.post(f"floor item {i}") for i in range(4)]
    page = check_page(api.get(f"{user.collection}?size=3&before=1"))
    assert page["result"] == [] and page["next"] is None and page["previous"] is not None
    assert ids(check_page(api.get(page["previous"]))["result"]) == ids(list(reversed(posts[:3])))


def test_an_empty_page_of_a_list_of_users_links_back(api, new_user):
    user = new_user("flw")
    followed = [new_user("fd", with_token=False) for _ in range(3)]
    for other in followed:
        assert user.follow(other.username).status_code == 201
    page = check_page(api.get(f"{user.href}/following?size=2&after=9000000000000000000"))
    assert page["result"] == [] and page["previous"] is None and page["next"] is not None
    newest = check_page(api.get(page["next"]))["result"]
    assert [u["username"] for u in newest] == [followed[2].username, followed[1].username]
