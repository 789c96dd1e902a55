"""What several stages need: the page's profile, and which raw lines are already gone and why."""

from __future__ import annotations

import functools

from newsclean.core import Document, Label, Line, Removal
from newsclean.profiles import Profile, available_languages, detect_language, load_profile


def profile_for(language: str, doc: Document) -> Profile:
    """The profile to use on ``doc``: the stage's own language, else the page's, else detected, else generic."""
    if language:
        return load_profile(language)
    found = doc.metadata.get("language")
    if found == "":  # the language stage looked and found none it knows: do not look again
        return Profile.generic()
    if not isinstance(found, str) or found not in available_languages():
        found = detect_language(line.text for line in doc.lines)
    return load_profile(found) if found else Profile.generic()


def removed_labels(doc: Document, but: str = "") -> dict[int, Label]:
    """The label of every removed raw line, by raw index; those the stage named ``but`` removed left out."""
    return {r.line.index: r.label for r in doc.removed if r.stage != but}


def preview(text: str, width: int = 60) -> str:
    """A line shortened for evidence: quoted, at most ``width`` characters."""
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def lines_before(doc: Document, stage: str) -> list[Line]:
    """The non-empty lines as they stood before ``stage`` first ran: kept ones and the ones it removed.

    A stage that judges lines by their context decides on this view, so a
    second run sees what the first saw and decides the same: idempotence
    does not depend on the stage's removals leaving the context alone.
    """
    own = [r.line for r in doc.removed if r.stage == stage]
    if not own:
        return [line for line in doc.lines if line.text]
    return sorted((line for line in (*doc.lines, *own) if line.text), key=lambda line: line.index)


# What a stage found, before it removes anything: raw index -> (label, rule, evidence).
Found = dict[int, tuple[Label, str, str]]


def remove_kept(doc: Document, stage: str, found: Found) -> Document:
    """Remove the lines in ``found`` (raw index -> label, rule, evidence) that are still kept.

    ``found`` may name lines this stage removed on an earlier run, or that
    another stage removed since: those are left as they are. One pass over
    the kept lines builds both the removals and what stays; they are valid
    by construction, so ``Document.remove``'s checks are not repeated.
    """
    if not found:
        return doc
    keep: list[Line] = []
    removals: list[Removal] = []
    for line in doc.lines:
        entry = found.get(line.index)
        if entry is None:
            keep.append(line)
        else:
            removals.append(Removal(line, stage, *entry))
    if not removals:
        return doc
    return doc._with(tuple(keep), doc.removed + tuple(removals), doc.edits)


@functools.cache
def profiles_in_play(profile: Profile, english: bool = True) -> tuple[Profile, ...]:
    """The profiles whose phrases count on a page in ``profile``'s language.

    The page's own, and English, since sites in every language label their
    boxes and menus in English too ("Related", "Share"); every profile when
    the page's language is unknown.
    """
    if not profile.language:
        return tuple(load_profile(lang) for lang in available_languages())
    if english and profile.language != "en":
        return (profile, load_profile("en"))
    return (profile,)


@functools.cache
def marker_phrases(profile: Profile) -> frozenset[str]:
    """Every phrase that opens a block or a comment section on a page in this profile's language.

    A stage that takes short lines for names or menus leaves these to the
    stages that read them as markers.
    """
    return frozenset().union(*(p.recommendation_markers | p.comment_markers for p in profiles_in_play(profile)))
