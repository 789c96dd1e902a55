"""Versioned output: Pipeline.config_hash, and what JSONL records carry (provenance, kept input fields)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import newsclean
from newsclean import ConfigError, Document, Pipeline, Whitespace, default_pipeline
from newsclean.io import InputFailure, JsonlWriter, read_jsonl
from newsclean.io.records import keep_fields

WHITESPACE = st.builds(Whitespace, collapse=st.booleans(), drop_blank=st.booleans())


@given(WHITESPACE, WHITESPACE)
def test_config_hash_is_equal_exactly_when_configs_are(a: Whitespace, b: Whitespace) -> None:
    pa, pb = Pipeline([a]), Pipeline([b])
    assert (pa.config_hash == pb.config_hash) == (pa.to_config() == pb.to_config())
    assert pa.config_hash == Pipeline.from_config(pa.to_config()).config_hash


def test_config_hash_depends_on_stage_order_and_options() -> None:
    pipe = default_pipeline("vi")
    hashes = {
        pipe.config_hash,
        Pipeline(reversed(pipe.stages)).config_hash,
        pipe.replace("whitespace", collapse=False).config_hash,
        default_pipeline("en").config_hash,
        default_pipeline().config_hash,
    }
    assert len(hashes) == 5
    assert all(h.startswith("sha256:") and len(h) == len("sha256:") + 64 for h in hashes)


@pytest.mark.parametrize("seed", ["1", "2"])
def test_config_hash_is_the_same_in_another_process(seed: str) -> None:
    # Sets of phrases in the stages' options would iterate differently under another hash seed.
    code = "import newsclean; print(newsclean.default_pipeline('vi').config_hash)"
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, timeout=60)
    assert out.stdout.strip() == default_pipeline("vi").config_hash


def test_jsonl_records_say_how_they_were_cleaned() -> None:
    out = io.StringIO()
    pipe = Pipeline([Whitespace()])
    with JsonlWriter(out, pipeline=pipe) as writer:
        writer.write(pipe(Document.from_text("Tin\n", id="a")))
    assert json.loads(out.getvalue()) == {
        "id": "a",
        "title": "",
        "text": "Tin",
        "newsclean_version": newsclean.__version__,
        "newsclean_config_hash": pipe.config_hash,
    }


def test_keep_fields_carries_input_fields_through(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    records = [
        {"id": "a", "text": "Tin", "url": "https://a.vn/1", "date": "2024-05-01", "n": 3},
        {"id": "b", "text": "Bài", "date": "2024-05-02"},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    docs = [d for d in read_jsonl(source) if not isinstance(d, InputFailure)]

    def written(**options: object) -> list[dict[str, object]]:
        out = io.StringIO()
        with JsonlWriter(out, **options) as writer:  # type: ignore[arg-type]
            for doc in docs:
                writer.write(doc)
        return [json.loads(line) for line in out.getvalue().splitlines()]

    assert [set(r) for r in written()] == [{"id", "title", "text"}] * 2  # opt-in: nothing kept by default
    assert [(r["url"], r["date"]) for r in written(keep_fields="url,date")] == [
        ("https://a.vn/1", "2024-05-01"),
        (None, "2024-05-02"),
    ]
    assert [r.get("n") for r in written(keep_fields="*")] == [3, None]
    assert set(written(keep_fields="*")[1]) == {"id", "title", "text", "date"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("text", "cannot keep field 'text'"),
        (["url", "newsclean_version"], "cannot keep field 'newsclean_version'"),
        ("url,,date", "an empty field name"),
        ("*,url", "'*' keeps every field; it stands alone"),
    ],
)
def test_keep_fields_refuses_what_would_clash(fields: str | list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("*", r"\*")):
        keep_fields(fields)
    with pytest.raises(ConfigError):
        JsonlWriter(io.StringIO(), keep_fields=fields)


def test_cli_keep_fields_on_jsonl(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "Tin\\n\\nBài.", "url": "https://a.vn/1"}\n', encoding="utf-8")
    env = {**os.environ, "PYTHONUTF8": "1"}
    run = [sys.executable, "-m", "newsclean", "clean", str(source), "--lang", "vi"]
    plain = subprocess.run(run, capture_output=True, text=True, env=env, check=True, timeout=120)
    kept = subprocess.run(
        [*run, "--keep-fields", "url"], capture_output=True, text=True, env=env, check=True, timeout=120
    )
    assert "url" not in json.loads(plain.stdout)
    assert json.loads(kept.stdout)["url"] == "https://a.vn/1"
    bad = subprocess.run(
        [*run, "--keep-fields", "id"], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("newsclean: error: cannot keep field 'id': the output has its own, keep_fields; try ")
