"""The Pipeline: calling conventions, config and pickle round trips, and config errors that say what is valid."""

from __future__ import annotations

import pickle
import types

import pytest

from newsclean import STAGES, ConfigError, Document, Pipeline, Whitespace, default_pipeline, register
from newsclean.pipeline import build_stage


def test_call_on_document_str_and_iterable() -> None:
    pipe = Pipeline([Whitespace()])
    assert pipe(" a ").text == "a"
    assert pipe(Document.from_text(" a ")).text == "a"
    out = pipe(["a", " b"])
    assert isinstance(out, types.GeneratorType)
    assert [d.text for d in out] == ["a", "b"]
    with pytest.raises(TypeError, match="decode"):
        pipe(b"a")


def test_toml_round_trip(tmp_path) -> None:
    pipe = Pipeline([Whitespace(collapse=False)])
    path = tmp_path / "newsclean.toml"
    path.write_text(pipe.to_toml(), encoding="utf-8")
    assert path.read_text(encoding="utf-8") == '[[stage]]\nname = "whitespace"\ncollapse = false\n'
    assert Pipeline.from_toml(path) == pipe
    assert Pipeline.from_config(pipe.to_config()) == pipe


@pytest.mark.parametrize("language", [None, "vi", "en"])
def test_default_pipeline_round_trips_and_pickles(language) -> None:
    pipe = default_pipeline(language)
    assert Pipeline.from_config(pipe.to_config()) == pipe
    assert pickle.loads(pickle.dumps(pipe)) == pipe


def test_replace_by_stage_name() -> None:
    pipe = Pipeline([Whitespace()])
    assert pipe.replace("whitespace", drop_blank=False)["whitespace"] == Whitespace(drop_blank=False)
    with pytest.raises(ConfigError, match="unknown option 'nope', stage 'whitespace'; try one of: collapse, drop_blank, invisible"):
        pipe.replace("whitespace", nope=1)
    with pytest.raises(KeyError, match="it has: whitespace"):
        pipe.replace("slugs")


def test_config_errors_carry_the_path_and_the_valid_choices(tmp_path) -> None:
    with pytest.raises(ConfigError) as err:
        Pipeline.from_config({"stage": [{"name": "whitespace"}, {"name": "whitespace", "colapse": True}]}, "cfg.toml")
    assert str(err.value) == "unknown option 'colapse', cfg.toml: stage[1] 'whitespace'; try one of: collapse, drop_blank, invisible"
    with pytest.raises(ConfigError, match=r"unknown stage 'nope', config: stage\[0\]; try one of: .*whitespace"):
        Pipeline.from_config({"stage": [{"name": "nope"}]})
    with pytest.raises(ConfigError, match="'collapse' must be <class 'bool'>"):
        build_stage({"name": "whitespace", "collapse": "yes"})
    with pytest.raises(ConfigError, match="unknown key 'stages', config; try one of: language, stage"):
        Pipeline.from_config({"stages": []})
    with pytest.raises(ConfigError, match="appears twice"):
        Pipeline([Whitespace(), Whitespace()])
    bad = tmp_path / "bad.toml"
    bad.write_text("[[stage]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Pipeline.from_toml(bad)
    with pytest.raises(ConfigError, match="config file not found"):
        Pipeline.from_toml(tmp_path / "missing.toml")


def test_language_only_config_is_the_default_pipeline() -> None:
    assert Pipeline.from_config({"language": "vi"}) == default_pipeline("vi")


def test_register_refuses_a_stage_without_a_name_or_a_taken_name() -> None:
    with pytest.raises(TypeError, match="needs a class attribute name"):
        register(type("Nameless", (), {}))
    with pytest.raises(TypeError, match="is taken by"):
        register(type("Other", (), {"name": "whitespace"}))
    assert STAGES["whitespace"] is Whitespace
