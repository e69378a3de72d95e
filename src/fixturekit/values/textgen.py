"""Bulk text with the factories' look: emails and logins built from people's names, domains,
URLs, sentences, paragraphs and small JSON documents, all from `fixturekit.values.pools`.

Every function takes a row count and a numpy Generator and returns an object array of str.
"""

from __future__ import annotations

import functools
import json

import numpy as np

from fixturekit.values.pools import (
    Pool,
    company_domains,
    email_domains,
    name_parts,
    object_array,
    words,
)

_SAFE_DOMAINS = Pool.of(["example.com", "example.org", "example.net"])


def login_parts(count: int, rng: np.random.Generator) -> np.ndarray:
    """The local part people choose: `jane.doe`, `janedoe`, `jdoe`, `doe.jane`, `jane_doe`.

    Never ends with a digit, so a row number appended to it stays unambiguous.
    """
    first_pool, last_pool = name_parts()
    first = first_pool.sample(rng, count)
    last = last_pool.sample(rng, count)
    style = Pool.of(range(6), [30, 14, 16, 8, 7, 5]).draw(rng, count)
    out = np.empty(count, dtype=object)
    for index in range(6):
        rows = np.flatnonzero(style == index)
        if not len(rows):
            continue
        f, last_name = first[rows], last[rows]
        if index == 0:
            out[rows] = f + "." + last_name
        elif index == 1:
            out[rows] = f + last_name
        elif index == 2:
            out[rows] = object_array([x[:1] for x in f.tolist()]) + last_name
        elif index == 3:
            out[rows] = last_name + "." + f
        elif index == 4:
            out[rows] = f + "_" + last_name
        else:
            out[rows] = f + "." + object_array([x[:1] for x in last_name.tolist()])
    return out


def emails(
    count: int,
    rng: np.random.Generator,
    *,
    free: float = 0.8,
    safe: bool = False,
    numbers: np.ndarray | None = None,
) -> np.ndarray:
    """Addresses derived from first and last names, mostly at free mail providers.

    With `numbers` (row numbers), each address carries its number before the `@`: the local
    part never ends with a digit, so distinct numbers give distinct addresses.
    """
    local = login_parts(count, rng)
    if numbers is not None:
        local = local + object_array(list(map(str, np.asarray(numbers).tolist())))
    if safe:
        domain = _SAFE_DOMAINS.sample(rng, count)
    else:
        domain = email_domains().sample(rng, count)
        work = np.flatnonzero(rng.random(count) >= free)
        if len(work):
            domain[work] = company_domains(len(work), rng)
    return local + "@" + domain


def user_names(count: int, rng: np.random.Generator) -> np.ndarray:
    return login_parts(count, rng)


def domain_names(count: int, rng: np.random.Generator) -> np.ndarray:
    return company_domains(count, rng)


def urls(count: int, rng: np.random.Generator) -> np.ndarray:
    scheme = Pool.of(["https://", "https://www.", "http://www."], [6, 3, 1]).sample(rng, count)
    path = Pool.of(["/", "/", "/about/", "/blog/", "/products/", "/contact/"]).sample(rng, count)
    return scheme + company_domains(count, rng) + path


def word_matrix(count: int, width: int, rng: np.random.Generator) -> list[list[str]]:
    pool = words()
    return pool.values[pool.draw(rng, count * width)].reshape(count, width).tolist()


def sentences(
    count: int, rng: np.random.Generator, nb_words: int = 6, variable: bool = True
) -> np.ndarray:
    """Faker-style sentences: `nb_words` words (give or take 40%), capitalised, full stop."""
    low = max(1, int(nb_words * 0.6)) if variable else nb_words
    high = max(low, int(nb_words * 1.4)) if variable else nb_words
    lengths = rng.integers(low, high + 1, count).tolist()
    matrix = word_matrix(count, high, rng)
    out = []
    for row, length in zip(matrix, lengths, strict=True):
        text = " ".join(row[:length])
        out.append(text[:1].upper() + text[1:] + ".")
    return object_array(out)


def slugs(count: int, rng: np.random.Generator, nb_words: int = 3) -> np.ndarray:
    lengths = rng.integers(max(1, nb_words - 1), nb_words + 1, count).tolist()
    matrix = word_matrix(count, nb_words, rng)
    return object_array(["-".join(row[:n]) for row, n in zip(matrix, lengths, strict=True)])


def paragraphs(count: int, rng: np.random.Generator, nb_sentences: int = 3) -> np.ndarray:
    lengths = rng.integers(max(1, nb_sentences - 1), nb_sentences + 2, count)
    total = int(lengths.sum())
    flat = sentences(total, rng).tolist()
    out = []
    pos = 0
    for n in lengths.tolist():
        out.append(" ".join(flat[pos : pos + n]))
        pos += n
    return object_array(out)


def texts(count: int, rng: np.random.Generator, max_nb_chars: int = 200) -> np.ndarray:
    """Running text of at most `max_nb_chars` characters, cut at a word boundary."""
    if max_nb_chars < 5:
        return object_array([w[:max_nb_chars] for w in words().sample(rng, count).tolist()])
    if max_nb_chars < 25:
        raw = sentences(count, rng, nb_words=3).tolist()
    else:
        raw = paragraphs(count, rng, nb_sentences=max(1, max_nb_chars // 60)).tolist()
    out = []
    for text in raw:
        if len(text) > max_nb_chars:
            cut = text[: max_nb_chars - 1]
            cut = cut[: cut.rfind(" ")] if " " in cut else cut
            text = cut.rstrip(" .,") + "."
            if len(text) > max_nb_chars:
                text = text[:max_nb_chars]
        out.append(text)
    return object_array(out)


def json_documents(count: int, rng: np.random.Generator) -> np.ndarray:
    """JSON objects shaped like `fv.json_document()`, as text with sorted keys.

    Built by formatting rather than json.dumps per row (5x faster): the lorem vocabulary has
    no character that JSON would escape, which `_plain_words` checks once.
    """
    _plain_words()
    source = words().sample(rng, count).tolist()
    score = rng.integers(0, 101, count).tolist()
    active = np.where(rng.random(count) < 0.5, "true", "false").tolist()
    tag_counts = rng.integers(0, 4, count).tolist()
    tags = word_matrix(count, 3, rng)
    notes = sentences(count, rng, nb_words=4).tolist()
    out = []
    for w, s, a, k, t, n in zip(source, score, active, tag_counts, tags, notes, strict=True):
        tag_list = ", ".join(f'"{tag}"' for tag in t[:k])
        out.append(
            f'{{"active": {a}, "note": "{n}", "score": {s}, "source": "{w}", "tags": [{tag_list}]}}'
        )
    return object_array(out)


@functools.cache
def _plain_words() -> bool:
    bad = [w for w in words().values.tolist() if json.dumps(w) != f'"{w}"']
    if bad:
        raise ValueError(f"word list has JSON-escaped words: {bad[:3]}")
    return True


def ipv4(count: int, rng: np.random.Generator, network: bool = False) -> np.ndarray:
    """Public-looking IPv4 addresses (first octet 11-223, avoiding 127), or /8-/24 networks."""
    octets = object_array([str(i) for i in range(256)])
    first = rng.integers(11, 224, count)
    first = np.where(first == 127, 128, first)
    parts = [
        first,
        rng.integers(0, 256, count),
        rng.integers(0, 256, count),
        rng.integers(1, 255, count),
    ]
    if network:
        prefix = Pool.of([8, 16, 24], [1, 3, 6]).sample(rng, count).astype(np.int64)
        parts[3] = np.zeros(count, dtype=np.int64)
        parts[2] = np.where(prefix >= 24, parts[2], 0)
        parts[1] = np.where(prefix >= 16, parts[1], 0)
        text = octets[parts[0]] + "." + octets[parts[1]] + "." + octets[parts[2]] + ".0"
        return text + "/" + object_array([str(p) for p in prefix.tolist()])
    return (
        octets[parts[0]] + "." + octets[parts[1]] + "." + octets[parts[2]] + "." + octets[parts[3]]
    )


def mac_addresses(count: int, rng: np.random.Generator) -> np.ndarray:
    hexes = object_array([f"{i:02x}" for i in range(256)])
    raw = rng.integers(0, 256, (6, count))
    raw[0] = raw[0] & 0xFE  # unicast
    out = hexes[raw[0]]
    for row in raw[1:]:
        out = out + ":" + hexes[row]
    return out
