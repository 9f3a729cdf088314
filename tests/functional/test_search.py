"""GET /api/search?text=&username=: word/prefix matching, author filter, paging.

New microposts reach the index within 1 second, so every positive check
polls; negative checks first wait for a positive result that proves the
relevant posts are indexed.
"""

from urllib.parse import quote

import pytest

from microblog_api import (
    Api, allow_set, assert_error, assert_newest_first, check_micropost, check_page, create_user, ids, unique_word,
    wait_until, walk,
)

pytestmark = pytest.mark.part2


def search(api, size=100, **params):
    query = "&".join(f"{k}={quote(v)}" for k, v in params.items())
    return [item for page in walk(api, f"/api/search?{query}&size={size}") for item in page["result"]]


def search_ids(api, **params):
    return ids(search(api, **params))


def wait_for_ids(api, expected, **params):
    expected = list(expected)
    return wait_until(lambda: search_ids(api, **params) == expected,
                      message=lambda: f"search {params} gives {expected}, got {search_ids(api, **params)}")


@pytest.fixture(scope="module")
def author(server):
    return create_user(Api(server.url), "srch")


def test_search_finds_a_post_by_a_word(api, author):
    word = unique_word()
    post = author.post(f"talking about {word} today")
    wait_for_ids(api, [post["id"]], text=word)
    [found] = search(api, text=word)
    assert found == post
    check_micropost(found, author.username)


def test_all_words_are_required(api, author):
    a, b = unique_word(), unique_word()
    only_a = author.post(f"{a} alone")
    only_b = author.post(f"{b} alone")
    both = author.post(f"{b} and {a} together")
    wait_for_ids(api, [both["id"], only_a["id"]], text=a)
    wait_for_ids(api, [both["id"], only_b["id"]], text=b)
    assert search_ids(api, text=f"{a} {b}") == [both["id"]]
    assert search_ids(api, text=f"{b}   {a}") == [both["id"]]


def test_a_word_matches_as_a_prefix_not_as_an_infix(api, author):
    stem = unique_word()
    post = author.post(f"all about {stem}services here")
    wait_for_ids(api, [post["id"]], text=f"{stem}services")
    assert search_ids(api, text=stem) == [post["id"]]
    assert search_ids(api, text=f"{stem}serv") == [post["id"]]
    assert search_ids(api, text=f"{stem[2:]}services") == []  # an infix is not a prefix


def test_search_is_case_insensitive(api, author):
    word = unique_word()
    post = author.post(f"Shouting {word.upper()} here")
    wait_for_ids(api, [post["id"]], text=word)
    assert search_ids(api, text=word.upper()) == [post["id"]]
    assert search_ids(api, text=word.capitalize()) == [post["id"]]


def test_punctuation_separates_words(api, author):
    a, b = unique_word(), unique_word()
    post = author.post(f"({a}), \"{b}\"! #tag @nobody.")
    wait_for_ids(api, [post["id"]], text=a)
    assert search_ids(api, text=b) == [post["id"]]
    assert search_ids(api, text=f"{a}, {b}!") == [post["id"]]


def test_non_ascii_words(api, author):
    word = "grüße" + unique_word()
    post = author.post(f"viele {word} aus Köln")
    wait_for_ids(api, [post["id"]], text=word)


def test_results_are_newest_first_and_paginate(api, author):
    word = unique_word()
    posts = [author.post(f"{word} number {i}") for i in range(7)]
    expected = ids(reversed(posts))
    wait_for_ids(api, expected, text=word)
    pages = walk(api, f"/api/search?text={word}&size=3")
    assert [len(p["result"]) for p in pages] == [3, 3, 1]
    assert [i for p in pages for i in ids(p["result"])] == expected
    assert_newest_first([item for p in pages for item in p["result"]])
    assert pages[0]["previous"] is None
    back = walk(api, pages[-1]["previous"], link="previous")
    assert [ids(p["result"]) for p in back] == [ids(p["result"]) for p in reversed(pages[:-1])]
    numbered = check_page(api.get(f"/api/search?text={word}&size=3&page=2"))
    assert ids(numbered["result"]) == expected[3:6]


def test_username_narrows_to_authors_containing_it(api, server):
    client = Api(server.url)
    tag = unique_word("nm")
    first = create_user(client, username=f"A{tag}x")
    second = create_user(client, username=f"b{tag}y")
    other = create_user(client, "other")
    word = unique_word()
    p1 = first.post(f"{word} from the first")
    p2 = second.post(f"{word} from the second")
    p3 = other.post(f"{word} from another")
    wait_for_ids(api, [p3["id"], p2["id"], p1["id"]], text=word)
    assert search_ids(api, text=word, username=tag) == [p2["id"], p1["id"]]
    assert search_ids(api, text=word, username=tag.upper()) == [p2["id"], p1["id"]]
    assert search_ids(api, text=word, username=first.username) == [p1["id"]]
    assert search_ids(api, text=word, username=f" {tag}\t") == [p2["id"], p1["id"]]  # trimmed, as text is
    # username alone is enough
    wait_for_ids(api, [p2["id"], p1["id"]], username=tag)


def test_username_matching_nobody_gives_an_empty_page(api):
    page = check_page(api.get(f"/api/search?username={unique_word('nobody')}"))
    assert page["result"] == [] and page["next"] is None


def test_no_match_gives_an_empty_page(api):
    page = check_page(api.get(f"/api/search?text={unique_word()}"))
    assert page == {**page, "result": [], "next": None, "previous": None}


@pytest.mark.parametrize("query", ["", "text=", "text=ab", "text=%20ab%20%20", "text=%20%20%20%20", "size=5",
                                   "text=&username="])
def test_missing_or_short_query_is_400(api, query):
    resp = api.get(f"/api/search?{query}" if query else "/api/search")
    err = assert_error(resp, 400)
    if "text=" in query and query != "text=&username=":
        assert "text" in err["message"].lower()


def test_three_characters_after_trimming_are_enough(api, author):
    word = unique_word("x")
    post = author.post(f"{word}")
    wait_for_ids(api, [post["id"]], text=word)
    check_page(api.get(f"/api/search?text=%20{word[:3]}%20"))


@pytest.mark.parametrize("value", ["0", "101", "abc"])
def test_search_rejects_bad_size(api, value):
    assert_error(api.get(f"/api/search?text=hello&size={value}"), 400, field="size")


@pytest.mark.parametrize("text", [
    '"unbalanced', "foo*", "NEAR(a b)", "col:umn", "abc OR def", "abc AND def", "NOT abc", "-abc", "a^b",
    "(((", "'; DROP TABLE microposts; --", "%_%", "\\abc", "😀😀😀",
])
def test_search_syntax_characters_are_just_text(api, author, text):
    resp = api.get(f"/api/search?text={quote(text)}")
    check_page(resp)
    # The service is still answering searches afterwards.
    word = unique_word()
    post = author.post(f"{word} after {text!r}")
    wait_for_ids(api, [post["id"]], text=word)


def test_search_rejects_other_methods(api):
    resp = api.post("/api/search", json={"text": "hello"})
    assert_error(resp, 405)
    assert "GET" in allow_set(resp)
