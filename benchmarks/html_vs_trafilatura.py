"""newsclean on HTML beside trafilatura on the same pages: shingle precision, recall, F1 and pages/s.

For every page of the dev sets (``../shared/devsets``: trafilatura-eval,
cleanportaleval, htmltotext-benchmark; see ``../shared/eval/README.md``) one
process runs, page by page and in turn:

- ``newsclean html``: ``read_html`` on the page's bytes, then the default pipeline;
- ``trafilatura``: ``trafilatura.extract`` on the same bytes, default options;
- ``newsclean dump``: the default pipeline on the flattened dump (``ID.raw.txt``)
  of the same page, for comparison with the text-only path.

Each is timed around the extraction alone (the file is already in memory)
in CPU seconds of this process (``time.process_time``), so pages/s is per
core and holds on a busy machine; the three systems run page by page in
turn, under the same machine state. With ``--repeat N`` each set is timed
N times over (every cache in the process emptied before each round) and the
median round is reported, with the range of the speed ratio over the rounds;
F1 comes from the first round.

Scoring (after the ScrapingHub article-extraction benchmark's evaluate.py):
tokens are the lowercased words (``\\w+``) of a text; a text's shingles are
the set of its runs of 4 consecutive tokens (a text of 1-3 tokens has one,
the whole of it). Per page, P = |pred ∩ gold| / |pred| and R = |pred ∩ gold| /
|gold|; an empty prediction for an empty gold scores P = R = 1, an empty
prediction or gold against a non-empty other scores 0 (the empty side's
ratio is taken as 0, not undefined). F1 is per page, from that page's P and
R; the table shows means over pages.

trafilatura-eval's gold is not the full text but snippets: ``with`` (in the
article) and ``without`` (not in it). There gold = the shingles of the
``with`` snippets; a shingle of a ``without`` snippet in the prediction is a
false positive, and shingles of neither kind are not counted (the gold says
nothing of them): P = |pred ∩ with| / |pred ∩ (with ∪ without)|,
R = |pred ∩ with| / |with|.

trafilatura is not a dependency of newsclean; install it where you run this
(a virtualenv that sees newsclean, e.g.
``python -m venv --system-site-packages benchmarks/_work/venv-trafilatura &&
benchmarks/_work/venv-trafilatura/bin/pip install trafilatura lxml_html_clean``; trafilatura 2.3 needs
``lxml_html_clean`` beside lxml 6):

    benchmarks/_work/venv-trafilatura/bin/python benchmarks/html_vs_trafilatura.py ../shared/devsets
    ... --set cleanportaleval --limit 20 --json benchmarks/_work/html_vs_trafilatura.json --repeat 3
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from newsclean import Document, default_pipeline
from newsclean.errors import InputError
from newsclean.io.html import read_html

SETS = ("trafilatura-eval", "cleanportaleval", "htmltotext-benchmark")
SHINGLE = 4
# CPU seconds newsclean spent in read_html, by language option: the rest of its time is the pipeline's.
READING: dict[str | None, list[float]] = {}
_WORD = re.compile(r"\w+")

Shingles = frozenset[tuple[str, ...]]


def shingles(text: str, size: int = SHINGLE) -> Shingles:
    """The set of runs of ``size`` lowercased words; a shorter text gives one, itself.

    >>> sorted(shingles("A b, c d E"))
    [('a', 'b', 'c', 'd'), ('b', 'c', 'd', 'e')]
    >>> shingles("Only two"), shingles("")
    (frozenset({('only', 'two')}), frozenset())
    """
    words = _WORD.findall(text.lower())
    if not words:
        return frozenset()
    if len(words) < size:
        return frozenset({tuple(words)})
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def ratio(num: int, den: int, empty: float) -> float:
    return num / den if den else empty


def score_full(pred: str, gold: str) -> tuple[float, float]:
    """(P, R) of a prediction against a full gold text.

    >>> score_full("the cat sat on the mat", "the cat sat on the mat today")
    (1.0, 0.75)
    >>> score_full("", ""), score_full("", "some gold text here"), score_full("some text here now", "")
    ((1.0, 1.0), (0.0, 0.0), (0.0, 0.0))
    """
    p, g = shingles(pred), shingles(gold)
    if not p and not g:
        return 1.0, 1.0
    common = len(p & g)
    return ratio(common, len(p), 0.0), ratio(common, len(g), 0.0)


def score_snippets(pred: str, with_: Sequence[str], without: Sequence[str]) -> tuple[float, float]:
    """(P, R) against trafilatura-eval's snippets (see the module docstring).

    >>> score_snippets("one two three four five. Share this story now", ["one two three four five"], ["share this story now"])
    (0.6666666666666666, 1.0)
    """
    p = shingles(pred)
    good = frozenset().union(*(shingles(s) for s in with_))
    bad = frozenset().union(*(shingles(s) for s in without)) - good
    hits, misses = len(p & good), len(p & bad)
    if not good:  # only "without" snippets: all that can be judged is whether one leaked
        return (0.0, 0.0) if misses else (1.0, 1.0)
    return ratio(hits, hits + misses, 0.0), ratio(hits, len(good), 0.0)


# -- the pages -------------------------------------------------------------------


def pages(set_dir: Path, limit: int | None) -> Iterable[dict[str, Any]]:
    manifest: dict[str, dict[str, Any]] = {}
    if (set_dir / "manifest.jsonl").exists():
        for row in (set_dir / "manifest.jsonl").read_text("utf-8").splitlines():
            if row.strip():
                item = json.loads(row)
                manifest[item["id"]] = item
    for n, html in enumerate(sorted(set_dir.glob("*.html"))):
        if limit is not None and n >= limit:
            break
        page_id = html.name.removesuffix(".html")
        page: dict[str, Any] = {
            "id": page_id,
            "html": html.read_bytes(),
            "dump": html.with_name(f"{page_id}.raw.txt").read_text("utf-8"),
            "url": manifest.get(page_id, {}).get("url"),
        }
        gold_txt, gold_json = html.with_name(f"{page_id}.gold.txt"), html.with_name(f"{page_id}.gold.json")
        if gold_txt.exists():
            page["gold"] = gold_txt.read_text("utf-8")
        elif gold_json.exists():
            gold = json.loads(gold_json.read_text("utf-8"))
            page["with"], page["without"] = gold.get("with", []), gold.get("without", [])
        else:
            continue
        yield page


def score(page: dict[str, Any], pred: str) -> tuple[float, float, float]:
    if "gold" in page:
        p, r = score_full(pred, page["gold"])
    else:
        p, r = score_snippets(pred, page["with"], page["without"])
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# -- the systems -----------------------------------------------------------------


def systems(language: str | None) -> dict[str, Callable[[dict[str, Any]], str]]:
    try:
        import trafilatura
    except ImportError:
        sys.exit(
            "html_vs_trafilatura.py: error: trafilatura is required to run this benchmark (it is not a newsclean "
            "dependency); try: python -m venv --system-site-packages benchmarks/_work/venv-trafilatura && "
            "benchmarks/_work/venv-trafilatura/bin/pip install trafilatura lxml_html_clean"
        )
    pipe = default_pipeline(language)
    reading = READING[language] = [0.0]

    def newsclean_html(page: dict[str, Any]) -> str:
        start = time.process_time()
        try:
            doc = read_html(page["html"], page["id"], url=page["url"])
        except InputError:
            return ""
        finally:
            reading[0] += time.process_time() - start
        return pipe.apply(doc).text

    def newsclean_dump(page: dict[str, Any]) -> str:
        return pipe.apply(Document.from_text(page["dump"], id=page["id"])).text

    def traf(page: dict[str, Any]) -> str:
        return trafilatura.extract(page["html"], url=page["url"]) or ""

    return {"newsclean html": newsclean_html, "trafilatura": traf, "newsclean dump": newsclean_dump}


def forget_caches() -> None:
    """Empties every ``functools`` cache in the process, each system's alike.

    A round after the first would otherwise meet every line and class name it
    has seen before already cached: each round is timed as the first pass
    over these pages, as a real corpus is.
    """
    for thing in gc.get_objects():
        if isinstance(thing, functools._lru_cache_wrapper):
            thing.cache_clear()


def run(data: Path, sets: Sequence[str], limit: int | None, language: str | None, repeat: int = 1) -> dict[str, dict[str, Any]]:
    """Per set and system: mean P, R and F1 (from the first round) and pages/s (the median round).

    Every round runs the systems page by page in turn over the whole set, with
    every cache emptied first; the rounds after the first are timed only. A round's speed ratios compare the
    systems under the same machine state, and the median round's figures are
    reported, with the range of the ratio over the rounds.
    """
    extractors = systems(language)
    results: dict[str, dict[str, Any]] = {}
    for name in sets:
        loaded = list(pages(data / name, limit))
        per: dict[str, dict[str, Any]] = {s: {"p": [], "r": [], "f1": [], "pages": {}} for s in extractors}
        seconds: dict[str, list[float]] = {s: [] for s in extractors}
        reads: list[float] = []
        for round_ in range(repeat):
            forget_caches()
            spent = dict.fromkeys(extractors, 0.0)
            for n, page in enumerate(loaded):
                print(f"\r{name}: round {round_ + 1}/{repeat}, {n + 1} pages", end="", file=sys.stderr, flush=True)
                for system, extract in extractors.items():
                    start = time.process_time()
                    pred = extract(page)
                    spent[system] += time.process_time() - start
                    if round_:
                        continue
                    p, r, f1 = score(page, pred)
                    per[system]["p"].append(p)
                    per[system]["r"].append(r)
                    per[system]["f1"].append(f1)
                    per[system]["pages"][page["id"]] = round(f1, 4)
            for system in extractors:
                seconds[system].append(spent[system])
            reads.append(READING[language][0])
            READING[language][0] = 0.0
        print(file=sys.stderr)
        results[name] = {}
        for system, v in per.items():
            taken = statistics.median(seconds[system])
            results[name][system] = {
                "pages": len(v["f1"]),
                "p": statistics.fmean(v["p"]) if v["p"] else 0.0,
                "r": statistics.fmean(v["r"]) if v["r"] else 0.0,
                "f1": statistics.fmean(v["f1"]) if v["f1"] else 0.0,
                "pages_per_s": len(v["f1"]) / taken if taken else 0.0,
                "seconds_per_round": seconds[system],
                "per_page_f1": v["pages"],
            }
            if system != "trafilatura":
                speeds = [t / s for s, t in zip(seconds[system], seconds["trafilatura"]) if s]
                results[name][system]["speed_range"] = [min(speeds), max(speeds)] if speeds else [0.0, 0.0]
        html = results[name]["newsclean html"]
        if html["pages"]:
            html["read_ms"] = 1000 * statistics.median(reads) / html["pages"]
            html["clean_ms"] = 1000 * statistics.median(seconds["newsclean html"]) / html["pages"] - html["read_ms"]
        else:
            html["read_ms"] = html["clean_ms"] = 0.0
    return results


def render(results: dict[str, dict[str, Any]]) -> str:
    head = f"{'set':<22}{'system':<16}{'pages':>6}{'P':>7}{'R':>7}{'F1':>7}{'pages/s':>9}{'speed':>8}"
    out = [head, "-" * len(head)]
    for name, by in results.items():
        base = by["trafilatura"]["pages_per_s"] or 1.0
        for system, v in by.items():
            spread = ""
            if len(v["seconds_per_round"]) > 1 and "speed_range" in v:
                spread = "  ({:.1f}-{:.1f}x)".format(*v["speed_range"])
            out.append(
                f"{name:<22}{system:<16}{v['pages']:>6}{v['p']:>7.3f}{v['r']:>7.3f}{v['f1']:>7.3f}"
                f"{v['pages_per_s']:>9.1f}{v['pages_per_s'] / base:>7.1f}x{spread}"
            )
    for name, by in results.items():
        html = by["newsclean html"]
        out.append(f"{name}: newsclean html per page: read_html {html['read_ms']:.2f} ms, pipeline {html['clean_ms']:.2f} ms")
    out.append(
        "P/R/F1: means over pages of 4-token shingle scores against gold (trafilatura-eval: against its snippets); "
        "pages/s: extraction only, CPU seconds of one process, the median of the rounds; speed: relative to "
        "trafilatura in the same run (in brackets, its range over the rounds)."
    )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the dev sets folder (../shared/devsets)")
    parser.add_argument("--set", dest="sets", action="append", choices=SETS, help="only this set (repeatable)")
    parser.add_argument("--limit", type=int, help="at most this many pages per set")
    parser.add_argument("--lang", default=None, help="force newsclean's language (default: detect per page)")
    parser.add_argument("--json", type=Path, help="write every figure, per page F1 included, as JSON")
    parser.add_argument(
        "--repeat", type=int, default=1, help="timing rounds per set; pages/s from the median round (default 1)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    results = run(args.data, args.sets or SETS, args.limit, args.lang, args.repeat)
    print(render(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
