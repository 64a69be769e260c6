"""News matching throughput: 1,000 articles against catalogs of 1,000 and 100,000 names and aliases,
and the time to build the matcher for 100,000. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_news.py [--articles N] [--small N] [--large N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.names import Target  # noqa: E402
from bot.domain.news import NewsMatcher  # noqa: E402

SURNAMES = "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Yoo Hong".split()
SYLLABLES = (
    "min seo ji hyun woo jun young soo eun hye yeon seok ga ram bo sung hoon tae ki dong jae hee na ra "
    "kyung ho jin chul hwa mi sun ah won bin hyung sik rok sae yeol gyu"
).split()
TITLE_WORDS = (
    "love story secret night city doctor queen king summer winter heart family romance return first last "
    "red blue home office moon sun garden river flower tears lawyer prince princess detective school"
).split()
WORDS = (  # article filler: no title word, so a hit is a name the article was given, as in real news
    "the drama star new season ratings cast episode finale thriller big small fans premiere director "
    "award variety show actor actress interview photo shoot reunite confirm week viewers record high "
    "streaming chart global agency comeback scene script reading behind filming wraps"
).split()


def catalog(size: int, rng: random.Random) -> list[tuple[str, Target]]:
    """`size` names: romanised actor names (surname and two syllables; some repeat, as homonyms do)
    with a hyphenated alias, and one in ten a title of two to four words."""
    names: list[tuple[str, Target]] = []
    while len(names) < size:
        if rng.random() < 0.1:
            title = " ".join(rng.choice(TITLE_WORDS).capitalize() for _ in range(rng.randint(2, 4)))
            names.append((title, Target("show", title.lower(), title)))
            continue
        a, b = rng.choice(SYLLABLES), rng.choice(SYLLABLES)
        name = f"{rng.choice(SURNAMES)} {a.capitalize()} {b.capitalize()}"
        target = Target("actor", name.lower(), name)
        names.append((name, target))
        names.append((f"{name.rsplit(' ', 2)[0]} {a.capitalize()}-{b}", target))
    return names[:size]


def articles(count: int, named: list[tuple[str, Target]], rng: random.Random) -> list[tuple[str, str]]:
    """Titles of about 10 words and summaries of about 60, each naming two catalog entries."""
    out = []
    for _ in range(count):
        filler = [rng.choice(WORDS) for _ in range(70)]
        for _ in range(2):
            filler.insert(rng.randrange(len(filler)), rng.choice(named)[0])
        out.append((" ".join(filler[:10]).capitalize(), "<p>" + " ".join(filler[10:]) + ".</p>"))
    return out


def measure(matcher: NewsMatcher, texts: list[tuple[str, str]], rounds: int = 3) -> tuple[float, int]:
    best, hits = float("inf"), 0
    for _ in range(rounds):
        start = time.perf_counter()
        hits = sum(len(matcher.find(title, summary)) for title, summary in texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(7)
    small, large = catalog(args.small, rng), catalog(args.large, rng)
    texts = articles(args.articles, small, rng)  # names from the small catalog, so both catalogs hit
    small_matcher = NewsMatcher(small)
    start = time.perf_counter()
    large_matcher = NewsMatcher(large + small)
    build = time.perf_counter() - start
    small_rate, small_hits = measure(small_matcher, texts)
    large_rate, large_hits = measure(large_matcher, texts)
    print(f"build matcher, {len(large) + len(small):,} names and aliases: {build:.2f} s")
    for size, rate, hits in ((len(small), small_rate, small_hits), (len(large) + len(small), large_rate, large_hits)):
        print(f"{args.articles:,} articles vs {size:,} names: {rate:,.0f} articles/s ({hits} targets found)")
    print(f"slowdown from the small to the large catalog: {small_rate / large_rate:.2f}x")


if __name__ == "__main__":
    main()
