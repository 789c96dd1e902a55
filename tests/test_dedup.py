"""Corpus deduplication: signatures, LSH, clustering, the kept copy, repeated lines, the on-disk state, the CLI."""

from __future__ import annotations

import json
import random
import subprocess
from collections import Counter
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
from clirun import run_newsclean
from hypothesis import given, settings
from seedlines import seed_pages

import newsclean
from newsclean import DedupConfig, Document, Label, LineStats, RepeatedLines, dedup
from newsclean.corpus import (
    SignatureStore,
    band_candidates,
    canonical_url,
    compute_signatures,
    concat,
    estimated_jaccard,
    jaccard,
    normalize_text,
    plan,
    sign_shards,
    site_of,
)

ROOT = Path(__file__).resolve().parent.parent

# Vietnamese syllables, so words carry tone marks as in the corpora this is for.
SYLLABLES = ["công", "đoàn", "người", "lao", "động", "thành", "phố", "hà", "nội", "quận", "long", "biên", "tổ", "chức", "hội", "nghị", "cán", "bộ", "năm", "đảm", "bảo", "dân", "chủ", "thiết", "thực", "phát", "triển", "kinh", "tế", "xã", "hội", "văn", "hóa", "giáo", "dục", "y", "tế", "chính", "sách", "nhà", "nước", "quốc", "hội", "thông", "qua", "luật", "sửa", "đổi", "bổ", "sung", "điều", "kiện", "môi", "trường", "làm", "việc", "xanh", "sạch", "đẹp", "nâng", "cao", "hiệu", "quả", "hoạt", "động", "nữ", "công", "tuyên", "dương", "con", "hiếu", "thảo", "lính", "cứu", "hỏa", "nhường", "mặt", "nạ", "dưỡng", "khí", "cho", "thai", "phụ", "trong", "đám", "cháy", "trộm", "xe", "bạn"]


def words(rng: random.Random, n: int) -> list[str]:
    # A random syllable plus a number makes a vocabulary large enough that unrelated texts share no shingle.
    return [f"{rng.choice(SYLLABLES)}{rng.randrange(400)}" for _ in range(n)]


def mutate(rng: random.Random, ws: list[str], rate: float) -> list[str]:
    return [f"{w}x{rng.randrange(10**6)}" if rng.random() < rate else w for w in ws]


def text_of(ws: list[str], per_line: int = 40) -> str:
    return "\n".join(" ".join(ws[i : i + per_line]) + "." for i in range(0, len(ws), per_line))


def corpus(seed: int, originals: int = 30, copies: int = 20) -> list[Document]:
    """Distinct stories, plus exact copies (case and spacing changed) and near copies (a few words changed)."""
    rng = random.Random(seed)
    stories = [words(rng, rng.randrange(60, 200)) for _ in range(originals)]
    docs = [Document.from_text(text_of(s), id=f"site{i % 3}/story{i}") for i, s in enumerate(stories)]
    for k in range(copies):
        source = rng.randrange(originals)
        ws = stories[source]
        if k % 2:
            text = text_of(ws).upper().replace(" ", "  ")
        else:
            text = text_of(mutate(rng, ws, 0.01))
        docs.append(Document.from_text(text, id=f"site{k % 3}/copy{k}"))
    return docs


def outcome(result_plan: newsclean.corpus.Plan) -> set[tuple[str, bool, str, str]]:
    return {(d.id, d.kept, d.kept_id, d.rule) for d in result_plan.decisions()}


# -- signatures ------------------------------------------------------------------------


def test_normalisation_keeps_tone_marks_and_folds_case_and_space() -> None:
    assert normalize_text("  Bàn\tBÁN\u00a0 bạn\n") == "bàn bán bạn"
    assert normalize_text("Bàn") != normalize_text("Ban")
    # NFD input is composed first: the same key as NFC.
    assert normalize_text("Ba\u0300n") == normalize_text("Bàn")


@given(texts=st.lists(st.text(st.sampled_from("aBàẪ ß.,“\t\n\r\x1c\xa0\x00\u2028İ-"), max_size=12), min_size=1, max_size=4))
def test_batched_normalisation_and_words_agree_with_the_plain_definitions(texts: list[str]) -> None:
    from newsclean.corpus.signatures import _normalized_batch, normalized_bytes, token_hashes, tokens

    assert _normalized_batch(texts) == [normalize_text(t).encode("utf-8", "surrogatepass") for t in texts]
    for t in texts:
        words = tokens(normalize_text(t))
        hashes = token_hashes(normalized_bytes(t))
        assert len(hashes) == len(words)
        for i in range(len(words)):
            for j in range(len(words)):
                assert (hashes[i] == hashes[j]) == (words[i] == words[j])


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_estimated_jaccard_tracks_true_jaccard(seed: int) -> None:
    rng = random.Random(seed)
    config = DedupConfig()
    errors, signed = [], []
    for _ in range(40):
        ws = words(rng, rng.randrange(30, 400))
        other = mutate(rng, ws, rng.uniform(0.0, 0.4))
        sigs = compute_signatures([Document.from_text(" ".join(ws)), Document.from_text(" ".join(other))], config)
        true = jaccard(sigs.shingle_set(0), sigs.shingle_set(1))
        estimate = estimated_jaccard(sigs.minhash[0], sigs.minhash[1])
        errors.append(abs(estimate - true))
        signed.append(estimate - true)
    assert float(np.mean(errors)) <= 0.03
    assert abs(float(np.mean(signed))) <= 0.03  # no bias either way


def test_signatures_are_a_pure_function_of_each_document() -> None:
    docs = corpus(1)
    whole = compute_signatures(docs)
    parts = concat([compute_signatures(docs[:7]), compute_signatures(docs[7:30]), compute_signatures(docs[30:])])
    for name in ("exact", "length", "tiebreak", "minhash", "offsets", "shingles"):
        assert np.array_equal(getattr(whole, name), getattr(parts, name)), name
    assert whole.ids == parts.ids
    batched = concat(list(sign_shards(docs, DedupConfig(), batch=4)))
    assert np.array_equal(batched.minhash, whole.minhash)


def test_documents_shorter_than_a_shingle_are_compared_exactly_only() -> None:
    docs = [Document.from_text("ba từ thôi", id="a"), Document.from_text("BA TỪ  THÔI", id="b"),
            Document.from_text("ba từ khác", id="c")]
    sigs = compute_signatures(docs)
    assert not sigs.has_shingles.any()
    decisions = {d.id: d for d in plan(sigs, DedupConfig()).decisions()}
    assert decisions["a"].kept and decisions["c"].kept
    assert decisions["b"].rule == "exact-duplicate" and decisions["b"].kept_id == "a"


def test_canonical_url() -> None:
    assert canonical_url("http://www.báo.vn/tin/1/?utm_medium=x#c") == canonical_url("https://báo.vn/tin/1")
    assert canonical_url("https://báo.vn/tin?id=1") != canonical_url("https://báo.vn/tin?id=2")


def test_band_candidates_stay_linear_in_a_huge_bucket() -> None:
    keys = np.zeros(1000, np.uint64)
    pairs = band_candidates(keys, order=np.arange(1000), max_bucket=5)
    assert len(pairs) == sum(1000 - d for d in range(1, 5))
    assert len({tuple(p) for p in pairs.tolist()}) == len(pairs)


# -- decisions -------------------------------------------------------------------------


def test_exact_near_and_distinct_documents() -> None:
    rng = random.Random(3)
    story = words(rng, 150)
    other = words(rng, 150)
    docs = [
        Document.from_text(text_of(story), id="a"),
        Document.from_text(text_of(story).upper(), id="b"),  # exact after normalisation
        Document.from_text(text_of(story[:50] + story[51:100] + story[101:]), id="c"),  # near: two words cut
        Document.from_text(text_of(mutate(rng, story, 0.15)), id="d"),  # Jaccard about 0.4: another text
        Document.from_text(text_of(other), id="e"),
    ]
    result = dedup(docs, boilerplate=False)
    decisions = {d.id: d for d in result.plan.decisions()}
    assert decisions["b"].rule == "exact-duplicate" and decisions["b"].similarity == 1.0
    assert decisions["c"].rule == "near-duplicate" and 0.8 <= decisions["c"].similarity < 1.0
    assert decisions["d"].kept and decisions["e"].kept
    assert decisions["a"].kept and decisions["b"].kept_id == decisions["c"].kept_id == "a"
    assert decisions["c"].cluster == "a" and decisions["c"].cluster_size == 3
    dropped = {doc.id: doc for doc in result.dropped}
    assert set(dropped) == {"b", "c"}
    for doc in dropped.values():
        assert doc.lines == ()
        assert {r.label for r in doc.removed} == {Label.DUPLICATE}
        assert all(r.stage == "dedup" and "kept" in r.evidence and "cluster" in r.evidence for r in doc.removed)
        assert doc.metadata["dedup"]["kept"] is False


def test_tone_marks_separate_words() -> None:
    # The same syllables without tone marks are different Vietnamese words: not a copy.
    text = text_of(words(random.Random(4), 120))
    stripped = text.translate(str.maketrans("àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ",
                                            "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"))
    assert stripped != text
    result = dedup([Document.from_text(text, id="a"), Document.from_text(stripped, id="b")], boilerplate=False)
    assert len(result.kept) == 2


def test_the_kept_copy_is_the_longest_then_earliest_then_smallest_id() -> None:
    base = text_of(words(random.Random(5), 120))
    longer = base + "\nMột đoạn thêm ở cuối bài viết này."
    docs = [
        Document.from_text(base, id="b", metadata={"date": "2024-05-02"}),
        Document.from_text(base, id="c", metadata={"date": "2024-05-01"}),
        Document.from_text(base, id="a"),  # no date: after the dated ones
    ]
    assert [d.id for d in dedup(docs, boilerplate=False).kept] == ["c"]
    docs.append(Document.from_text(longer, id="z"))
    assert [d.id for d in dedup(docs, boilerplate=False).kept] == ["z"]
    undated = [Document.from_text(base, id="m"), Document.from_text(base, id="k")]
    assert [d.id for d in dedup(undated, boilerplate=False).kept] == ["k"]


def test_same_canonical_url_is_one_story() -> None:
    rng = random.Random(6)
    docs = [
        Document.from_text(text_of(words(rng, 80)), id="v1", metadata={"url": "https://www.site.vn/tin-1.html?utm_source=fb"}),
        Document.from_text(text_of(words(rng, 90)), id="v2", metadata={"canonical": "https://site.vn/tin-1.html"}),
        Document.from_text(text_of(words(rng, 90)), id="other", metadata={"url": "https://site.vn/tin-2.html"}),
    ]
    decisions = {d.id: d for d in dedup(docs, boilerplate=False).plan.decisions()}
    assert decisions["v1"].rule == "same-url" and decisions["v1"].kept_id == "v2"
    assert decisions["other"].kept
    assert not dedup(docs, DedupConfig(use_url=False), boilerplate=False).dropped


def test_reprint_preset_finds_cross_site_wire_copy() -> None:
    rng = random.Random(7)
    story = words(rng, 200)
    furniture_a, furniture_b = words(rng, 60), words(rng, 60)
    a = Document.from_text(text_of(furniture_a[:30] + story + furniture_a[30:]), id="a", metadata={"url": "https://a.vn/x"})
    b = Document.from_text(text_of(furniture_b[:30] + mutate(rng, story[10:], 0.01) + furniture_b[30:]), id="b",
                           metadata={"url": "https://b.vn/y"})
    sigs = compute_signatures([a, b])
    similarity = jaccard(sigs.shingle_set(0), sigs.shingle_set(1))
    assert 0.5 <= similarity < 0.8
    assert len(dedup([a, b], boilerplate=False).kept) == 2
    assert len(dedup([a, b], "reprint", boilerplate=False).kept) == 1


# -- properties over corpora -------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), data=st.data())
def test_input_order_and_sharding_do_not_change_the_outcome(seed: int, data: st.DataObject) -> None:
    docs = corpus(seed, originals=20, copies=15)
    config = DedupConfig()
    reference = outcome(plan(compute_signatures(docs, config), config))
    order = data.draw(st.permutations(range(len(docs))), label="order")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(docs)), max_size=4), label="cuts"))
    shuffled = [docs[i] for i in order]
    bounds = [0, *cuts, len(docs)]
    shards = [compute_signatures(shuffled[a:b], config) for a, b in zip(bounds, bounds[1:])]
    assert outcome(plan(concat(shards, config.num_perm), config)) == reference
    # The whole result too, repeated lines included.
    once = {d.id: d.text for d in dedup(docs, min_count=2).kept}
    again = {d.id: d.text for d in dedup(shuffled, min_count=2).kept}
    assert once == again


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), threshold=st.floats(0.3, 0.95))
def test_never_removes_the_only_copy(seed: int, threshold: float) -> None:
    docs = corpus(seed, originals=15, copies=20)
    config = DedupConfig(threshold=threshold)
    sigs = compute_signatures(docs, config)
    result = plan(sigs, config)
    kept = result.kept
    assert kept.any()
    for d in result.decisions():
        if d.kept:
            continue
        assert kept[d.kept_index], "a document points to a dropped copy"
        assert d.rule in ("exact-duplicate", "near-duplicate")
        if d.rule == "exact-duplicate":  # the same text as its group's first copy, kept or dropped near the kept one
            twin = d.kept_index if not d.via else docs.index(next(x for x in docs if x.id == d.via))
            assert normalize_text(docs[d.index].text) == normalize_text(docs[twin].text)
        assert jaccard(sigs.shingle_set(d.index), sigs.shingle_set(d.kept_index)) >= threshold
        assert d.similarity >= threshold


# -- repeated lines ------------------------------------------------------------------------


page_lines = st.lists(st.sampled_from(["Trang chủ", "Tin khác", "Nên xem", "Thân bài một.", "TIN  KHÁC", ""]), max_size=6)
pages = st.lists(st.tuples(st.sampled_from(["a/", "b/", ""]), page_lines), max_size=8).map(
    lambda ps: [Document.from_text("\n".join(lines), id=f"{site}{i}") for i, (site, lines) in enumerate(ps)]
)


@given(docs=pages, cut=st.integers(0, 8))
def test_line_stats_merge_is_a_fold(docs: list[Document], cut: int) -> None:
    whole = LineStats.fit(docs)
    assert LineStats.fit(docs[:cut]) + LineStats.fit(docs[cut:]) == whole
    assert LineStats() + whole == whole == whole + LineStats()
    assert sum(whole.documents.values()) == len(docs)


def test_line_stats_round_trip_through_sqlite(tmp_path: Path) -> None:
    docs = corpus(9)
    path = tmp_path / "lines.sqlite"
    LineStats.fit(docs[:25]).save(path)
    LineStats.fit(docs[25:]).save(path)  # saving shards into one file merges them
    assert LineStats.load(path) == LineStats.fit(docs)
    assert LineStats.load(path, min_count=2) == LineStats.fit(docs).pruned(2)


def test_repeated_lines_counts_representatives_only_so_reprints_keep_their_body() -> None:
    rng = random.Random(10)
    menu = "Trang chủ | Thời sự | Thế giới | Kinh doanh"
    story = text_of(words(rng, 100))
    pages = [Document.from_text(f"Tin {i}\n{menu}\n{text_of(words(rng, 80))}", id=f"s/{i}") for i in range(4)]
    reprints = [Document.from_text(f"Bản in {i}\n{menu}\n{story}", id=f"s/r{i}") for i in range(5)]
    result = dedup(pages + reprints)
    kept = {d.id: d for d in result.kept}
    assert len(kept) == 5  # four pages and one copy of the reprinted story
    for doc in kept.values():
        assert menu not in doc.text.split("\n")
        assert [r.rule for r in doc.removed] == ["repeated-line"]
    survivor = next(d for i, d in kept.items() if "/r" in i)
    assert story.split("\n")[0] in survivor.text


def test_the_title_is_never_removed_as_a_repeated_line() -> None:
    headline = "Quốc hội thông qua Luật Di sản văn hóa (sửa đổi)"
    pages = [Document.from_text(f"Bài {i}\n{headline}\nThân bài số {i}.", id=f"s/{i}") for i in range(4)]
    own = Document.from_text(f"{headline}\nNội dung bài.", id="s/own", metadata={"title": headline})
    stage = RepeatedLines.from_stats(LineStats.fit(pages), min_count=3)
    assert headline not in stage(pages[0]).text
    assert stage(own).text == own.text
    labelled = own.relabel({0: Label.TITLE})
    assert stage(evolve_metadata(labelled)).text == own.text


def evolve_metadata(doc: Document) -> Document:
    from attrs import evolve

    return evolve(doc, metadata={})


def test_site_of() -> None:
    assert site_of(Document(id="x", metadata={"site": "vnexpress"})) == "vnexpress"
    assert site_of(Document(id="x", metadata={"url": "https://WWW.Dantri.com.vn/a"})) == "dantri.com.vn"
    assert site_of(Document(id="tuoitre/2024/1")) == "tuoitre"
    assert site_of(Document(id="tuoitre:1"), id_separator=":") == "tuoitre"
    assert site_of(Document(id="000_abc")) == ""


def test_seeds_recurring_recommendation_lines_are_found_and_no_article_line_is_dropped() -> None:
    pages = seed_pages()
    docs = [Document.from_text(raw, id=name) for name, raw, _gold in pages]
    stage = RepeatedLines.from_stats(LineStats.fit(docs))
    found: set[str] = set()
    for doc, (_name, _raw, gold) in zip(docs, pages):
        for removal in stage(doc).removed:
            label = gold[removal.line.index][0]
            assert label not in (Label.BODY, Label.TITLE), removal
            found.add(normalize_text(removal.line.text))
    # Every gold recommendation line that recurs on at least three of the five pages is found.
    recurring = Counter(
        normalize_text(text)
        for _name, _raw, gold in pages
        for text in {t for label, t in gold if label is Label.RECOMMENDATION and t.strip()}
    )
    expected = {text for text, n in recurring.items() if n >= 3}
    assert expected and expected <= found
    assert len(found) == 9  # the three box headings and six headlines that recur on three pages or more


# -- on disk and the command line ------------------------------------------------------------


def write_corpus(path: Path, docs: list[Document]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps({"id": doc.id, "text": doc.text, **doc.metadata}, ensure_ascii=False) + "\n" for doc in docs)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_newsclean(*args, cwd=cwd)


def test_cli_dedup_explains_dropped_documents_and_state_gives_the_same_output(tmp_path: Path) -> None:
    docs = corpus(11)
    write_corpus(tmp_path / "in.jsonl", docs)
    memory = run_cli("dedup", "in.jsonl", "-o", "memory.jsonl", "--explain", cwd=tmp_path)
    assert memory.returncode == 0, memory.stderr
    assert "dropped:" in memory.stderr and "near-duplicate" in memory.stderr
    records = [json.loads(line) for line in (tmp_path / "memory.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(docs)
    dropped = [r for r in records if not r["dedup"]["kept"]]
    assert dropped
    for r in dropped:
        assert r["text"] == "" and r["removed"]
        assert {x["label"] for x in r["removed"]} == {"duplicate"}
        assert r["dedup"]["rule"] in ("exact-duplicate", "near-duplicate")
        assert r["dedup"]["kept_id"] in {k["id"] for k in records if k["dedup"]["kept"]}
    disk = run_cli("dedup", "in.jsonl", "-o", "disk.jsonl", "--explain", "--state", "state", cwd=tmp_path)
    assert disk.returncode == 0, disk.stderr
    assert (tmp_path / "disk.jsonl").read_text(encoding="utf-8") == (tmp_path / "memory.jsonl").read_text(encoding="utf-8")
    state = tmp_path / "state"
    meta = json.loads((state / "meta.json").read_text(encoding="utf-8"))
    assert meta["format"] == 1 and meta["rows"] == len(docs) and meta["complete"]
    minhash = np.load(state / "signatures" / "minhash.npy", mmap_mode="r")
    assert minhash.dtype == np.uint32 and minhash.shape == (len(docs), meta["config"]["num_perm"])
    assert len(list((state / "bands").glob("band-*.npy"))) == meta["config"]["bands"]
    assert len((state / "plan.jsonl").read_text(encoding="utf-8").splitlines()) == len(docs)
    assert (state / "lines.sqlite").is_file()
    plain = run_cli("dedup", "in.jsonl", cwd=tmp_path)
    assert len(plain.stdout.splitlines()) == sum(1 for r in records if r["dedup"]["kept"])


def test_cli_clean_with_dedup(tmp_path: Path) -> None:
    seeds = ROOT / "seeds"
    result = run_cli("clean", str(seeds), "--dedup", "--dedup-min-count", "2", "--explain", "-o", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == 5 and all(r["dedup"]["kept"] for r in records)
    assert "5 of 5 documents" in result.stderr


def test_cli_state_refuses_stdin(tmp_path: Path) -> None:
    result = run_cli("dedup", "-", "--state", "s", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "newsclean: error: --state reads the inputs three times: stdin cannot be one of them; "
        "try 'newsclean dedup --help'"
    )


def test_signature_store_reloads_what_it_wrote(tmp_path: Path) -> None:
    docs = corpus(12)
    config = DedupConfig()
    store = SignatureStore(tmp_path / "state", config)
    from newsclean.corpus import plan_from_store, sign_to_store

    sigs = sign_to_store(iter(docs), store)
    memory = compute_signatures(docs, config)
    assert np.array_equal(np.asarray(sigs.minhash), memory.minhash)
    assert outcome(plan_from_store(store, sigs)) == outcome(plan(memory, config))


def test_cli_refuses_explain_into_text_files_before_any_work(tmp_path: Path) -> None:
    result = run_cli("dedup", str(ROOT / "seeds"), "--format", "txt", "-o", "out", "--explain", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "newsclean: error: --explain needs --format jsonl: a .txt file holds only the text; try 'newsclean dedup --help'"
    )


def test_clean_dedup_refuses_a_parquet_name_instead_of_writing_jsonl_into_it(tmp_path: Path) -> None:
    # clean picks Parquet for an .parquet output; --dedup writes only JSONL or text, so it must say so.
    result = run_cli("clean", str(ROOT / "seeds"), "--dedup", "-o", "out.parquet", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("newsclean: error: --dedup writes --format jsonl or txt")
    assert not (tmp_path / "out.parquet").exists()
