"""Quality on every labelled set we have: the seeds and the dev sets, newsclean beside the C4 line rules.

The seeds are the floor; the dev sets (other sites, other languages, labels
derived from their gold text by ``devlabels.py``) are the pages newsclean was
not written against. Each set is scored by the project's own scorer
(``newsclean.scoring``), for newsclean's default pipeline and for the C4 line
rules run as a pipeline, in the same process, so the two columns compare.

    python benchmarks/quality.py ../shared/devsets
    python benchmarks/quality.py ../shared/devsets --save benchmarks/_work/before.json
    python benchmarks/quality.py ../shared/devsets --compare benchmarks/_work/before.json

``--compare`` lists the pages whose F1 moved most since a saved run, which
is how a change to a detector is judged: by what it does on pages it was
not written for.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from newsclean import Document, Label, Pipeline, Removal, default_pipeline
from newsclean.scoring import ScoreReport, score_folder

sys.path.insert(0, str(Path(__file__).resolve().parent))
import devlabels  # noqa: E402
from c4_baseline import c4_keeps  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
HAND_LABELS = Path(__file__).resolve().parent / "labels" / "hand.jsonl.gz"


def c4_pipeline(doc: Document) -> Document:
    """The C4 line rules as a pipeline: every line they would not keep is removed."""
    return doc.remove(
        Removal(line, "c4", Label.BOILERPLATE, "c4-rules", "fails the C4 line rules")
        for line in doc.lines
        if not c4_keeps(line.text)
    )


def materialize(data_dir: Path, out: Path) -> dict[str, Path]:
    """The labelled sets as folders of dump + labels, by name.

    Derived labels per dev set (trafilatura-eval's snippet pages included),
    and the pages labelled by hand line by line (``labels/hand.jsonl.gz``,
    see ``labels/HAND.md``) as the set "hand".
    """
    devlabels.materialize(data_dir, out, sets=["cleanportaleval", "htmltotext-benchmark"])
    devlabels.materialize(data_dir, out, sets=["trafilatura-eval"], min_known=0.0)
    sets = {path.name: path for path in sorted(out.iterdir()) if path.is_dir()}
    if HAND_LABELS.exists():
        devlabels.materialize(data_dir, out / "_hand", labels_path=HAND_LABELS, min_known=0.0)
        sets["hand"] = out / "_hand"
    return sets


def summary(report: ScoreReport) -> dict[str, float | int]:
    macro = report.macro or (0.0, 0.0, 0.0)
    data = report.to_dict()
    return {
        "pages": len(report.documents),
        "macro_p": macro[0],
        "macro_r": macro[1],
        "macro_f1": macro[2],
        "micro_f1": report.micro[2],
        "leaked": sum(d.leaked for d in report.documents),
        "lost": sum(d.lost for d in report.documents),
        "titles": sum(1 for d in report.documents if d.title_ok),
        "per_page": {d["name"]: d["f1"] for d in data["documents"]},
    }


def run(sets: dict[str, Path], pipelines: dict[str, Callable[[Document], Document]]) -> dict[str, dict[str, dict]]:
    return {
        name: {label: summary(score_folder(folder, pipe)) for label, pipe in pipelines.items()}
        for name, folder in sets.items()
    }


def render(results: dict[str, dict[str, dict]]) -> str:
    head = f"{'set':<22}{'pages':>6}  {'newsclean P':>11}{'R':>7}{'F1':>7}{'microF1':>9}{'leaked':>8}{'lost':>6}{'titles':>8}  {'C4 F1':>7}{'microF1':>9}"
    out = [head, "-" * len(head)]
    for name, by in results.items():
        n, c = by["newsclean"], by["c4"]
        out.append(
            f"{name:<22}{n['pages']:>6}  {n['macro_p']:>11.3f}{n['macro_r']:>7.3f}{n['macro_f1']:>7.3f}{n['micro_f1']:>9.3f}"
            f"{n['leaked']:>8}{n['lost']:>6}{n['titles']:>8}  {c['macro_f1']:>7.3f}{c['micro_f1']:>9.3f}"
        )
    out.append("macro: mean over pages of per-page token F1; micro: pooled tokens. Both systems scored by newsclean.scoring.")
    return "\n".join(out)


def compare(results: dict, before: dict, most: int = 12) -> str:
    out = []
    for name, by in results.items():
        old = before.get(name, {}).get("newsclean")
        if not old:
            continue
        new = by["newsclean"]
        out.append(f"{name}: macro F1 {old['macro_f1']:.3f} -> {new['macro_f1']:.3f}")
        moves = sorted(
            ((new["per_page"][page] - f1, page) for page, f1 in old["per_page"].items() if page in new["per_page"]),
        )
        for delta, page in moves[:most // 2] + moves[-(most // 2):]:
            if abs(delta) >= 0.005:
                out.append(f"  {delta:+.3f}  {page}  ({old['per_page'][page]:.3f} -> {new['per_page'][page]:.3f})")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the dev sets folder (../shared/devsets)")
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds")
    parser.add_argument("--lang", default=None, help="force a language (default: detect per page)")
    parser.add_argument("--config", type=Path, help="a pipeline TOML instead of the default pipeline")
    parser.add_argument("--save", type=Path, help="write the results as JSON")
    parser.add_argument("--compare", type=Path, help="a JSON saved by --save: list the pages that moved")
    args = parser.parse_args(argv)
    pipe = Pipeline.from_toml(args.config) if args.config else default_pipeline(args.lang)
    with tempfile.TemporaryDirectory(prefix="newsclean-quality-") as tmp:
        sets = {"seeds": args.seeds, **materialize(args.data, Path(tmp))}
        results = run(sets, {"newsclean": pipe, "c4": c4_pipeline})
    print(render(results))
    if args.compare:
        print()
        print(compare(results, json.loads(args.compare.read_text(encoding="utf-8"))))
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
