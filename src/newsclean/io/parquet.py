"""Parquet: read a text (or HTML) column batch by batch, write cleaned columns one row group per input row group.

Needs pyarrow (``pip install 'newsclean[parquet]'``). Both sides stream:
the reader holds one batch of one row group at a time, the writer the
cleaned rows of one row group, so memory follows the shards' row groups,
not their size.

Output columns, in order:

- ``id``, ``title``, ``text``: strings, as in JSONL;
- the kept input fields (``keep_fields``), as strings: a value that is not a
  string is written as its JSON (dates in ISO 8601), a missing one as null;
- ``removed``: ``list<struct<line: int32, label, stage, rule, evidence, text: string>>``,
  one item per removed line, the same items as JSONL's ``--explain``. A
  list of structs rather than a JSON string, so Arrow, DuckDB, Polars and
  ``datasets`` can filter and count removals without parsing
  (``list_contains``, ``unnest``);
- ``edits`` (only with ``explain``): ``list<struct<line: int32, stage, rule, before, after: string, steps: list<string>>>``;
- ``newsclean_version``, ``newsclean_config_hash`` (when the pipeline is
  given); the file's key-value metadata then also holds the whole config
  as JSON (``newsclean_config``).

>>> import tempfile
>>> import pyarrow as pa, pyarrow.parquet as pq
>>> from newsclean import Pipeline, Whitespace
>>> folder = Path(tempfile.mkdtemp())
>>> table = pa.table({"id": ["a", "b", "c"], "text": ["Tiêu đề\\n\\nThân bài.", " Một ", "Hai"]})
>>> pq.write_table(table, folder / "in.parquet", row_group_size=2)
>>> pipe = Pipeline([Whitespace()])
>>> with ParquetWriter(folder / "out.parquet", pipeline=pipe) as writer:
...     for doc in read_parquet(folder / "in.parquet"):
...         writer.write(pipe(doc))
>>> out = pq.ParquetFile(folder / "out.parquet")
>>> out.num_row_groups, out.read().column("text").to_pylist()
(2, ['Tiêu đề\\nThân bài.', 'Một', 'Hai'])
>>> out.read().column("removed").to_pylist()[0]
[{'line': 1, 'label': 'blank', 'stage': 'whitespace', 'rule': 'empty', 'evidence': 'empty line', 'text': ''}]
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from attrs import evolve

from newsclean.core import Document
from newsclean.errors import ConfigError, InputError
from newsclean.io.base import STDIN, STDIN_NAME, ClosingWriter, InputFailure
from newsclean.io.html import read_html
from newsclean.io.records import (
    ALL_FIELDS,
    CONFIG_FIELD,
    VERSION_FIELD,
    edit_records,
    json_default,
    kept_values,
    provenance,
)
from newsclean.io.records import keep_fields as check_keep_fields

if TYPE_CHECKING:
    from newsclean.pipeline import Pipeline

__all__ = ["ROW_GROUP_KEY", "ParquetWriter", "read_parquet"]

ROW_GROUP_KEY = "parquet_row_group"
"""The metadata key naming a document's source row group (``"file#3"``); the writer starts a new row group when it changes."""

DEFAULT_BATCH_SIZE = 1024
DEFAULT_ROW_GROUP_SIZE = 10_000
INSTALL_HINT = "pip install 'newsclean[parquet]'"


def _arrow() -> tuple[ModuleType, ModuleType]:
    """pyarrow and pyarrow.parquet, or a ConfigError saying how to install them."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ModuleNotFoundError:
        raise ConfigError("Parquet needs pyarrow, which is not installed", "parquet", INSTALL_HINT) from None
    return pyarrow, pyarrow.parquet


def read_parquet(
    path: str | Path,
    *,
    id_field: str = "id",
    text_field: str = "text",
    url_field: str = "url",
    html_field: str = "html",
    columns: Iterable[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Iterator[Document | InputFailure]:
    """Read a Parquet file, or stdin for ``"-"``: one Document or InputFailure per row, row group by row group.

    ``text_field`` holds the dump; when the file has no such column but a
    ``html_field`` one, each row's page is read with ``read_html`` (its
    ``url_field`` passed on). ``id_field`` is the id (``FILE:ROW``, rows
    counted from 0, when the column is absent or the value null; other
    types are written as JSON). ``url_field`` goes to ``metadata["url"]``,
    every other column read to ``metadata`` under its own name, and
    ``metadata["parquet_row_group"]`` names the row group, so that
    ``ParquetWriter`` writes one row group per input row group.

    A file that is missing, not Parquet, has neither column, or whose text
    column is not a string is one failure; a row whose text is null is a
    failure and the next row is read.

    Args:
        path: the ``.parquet`` file, or ``"-"`` for standard input (read whole).
        id_field: the column holding the document id.
        text_field: the column holding the raw dump text.
        url_field: the column holding the page's URL.
        html_field: the column holding the page's HTML, read when there is no text column.
        columns: the other columns to read into metadata (default: all).
            Naming fewer saves reading and memory.
        batch_size: rows decoded at once; memory holds one batch.
    """
    pa, pq = _arrow()
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size must be a positive int, got {batch_size!r}", "batch_size", "e.g. 1024")
    where = STDIN_NAME if str(path) == STDIN else str(path)
    errors = (OSError, pa.ArrowException)
    try:
        source: Any = pa.BufferReader(sys.stdin.buffer.read()) if str(path) == STDIN else str(path)
        parquet = pq.ParquetFile(source)
        schema = parquet.schema_arrow
    except FileNotFoundError:
        yield InputFailure(
            where, InputError("file not found", where, "a path to an existing file, folder or glob pattern")
        )
        return
    except errors as exc:
        yield InputFailure(where, _not_parquet(exc, where))
        return
    names = list(schema.names)
    html = text_field not in names and html_field in names
    body = html_field if html else text_field
    if body not in names:
        error = InputError(
            f"no {text_field!r} column",
            where,
            f"--text-field NAME (text_field= from Python), one of: {', '.join(names)}",
        )
        yield InputFailure(where, error)
        return
    body_type = schema.field(body).type
    allowed = (pa.types.is_string, pa.types.is_large_string) + (
        (pa.types.is_binary, pa.types.is_large_binary) if html else ()
    )
    if not any(check(body_type) for check in allowed):
        error = InputError(f"column {body!r} is {body_type}, not a string", where, "a column of text")
        yield InputFailure(where, error)
        return
    wanted = names if columns is None else [c for c in dict.fromkeys(columns) if c in names]
    read = list(dict.fromkeys([body, *(c for c in (id_field, url_field) if c in names), *wanted]))
    if html:
        read = [c for c in read if c != text_field]
    else:
        read = [c for c in read if c != html_field]
    if parquet.metadata.num_rows == 0:
        yield InputFailure(where, InputError("empty file", where, "leaving it out, or a file with rows"))
        return
    row = 0
    try:
        for group in range(parquet.num_row_groups):
            group_key = f"{where}#{group}"
            for batch in parquet.iter_batches(
                batch_size=batch_size, row_groups=[group], columns=read, use_threads=False
            ):
                values = {name: batch.column(i).to_pylist() for i, name in enumerate(batch.schema.names)}
                for i in range(batch.num_rows):
                    record = {name: column[i] for name, column in values.items()}
                    yield _document(record, f"{where}:{row}", group_key, body, html, id_field, url_field)
                    row += 1
    except (*errors, UnicodeDecodeError) as exc:  # a corrupt page, or bytes in a string column that are not UTF-8
        yield InputFailure(f"{where}:{row}", _not_parquet(exc, f"{where}:{row}"))


def _not_parquet(exc: BaseException, where: str) -> InputError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputError(f"cannot read as Parquet ({reason})", where, "checking the file with pyarrow.parquet.ParquetFile")


def _document(
    record: dict[str, Any], where: str, group_key: str, body: str, html: bool, id_field: str, url_field: str
) -> Document | InputFailure:
    value = record.pop(body)
    if value is None:
        return InputFailure(where, InputError(f"column {body!r} is null", where, "a row whose text is a string"))
    doc_id = record.pop(id_field, None)
    if doc_id is None:
        doc_id = where
    elif not isinstance(doc_id, str):
        doc_id = json.dumps(doc_id, ensure_ascii=False, default=json_default)
    url = record.pop(url_field, None)
    metadata: dict[str, Any] = dict(record)
    if url is not None:
        metadata["url"] = url
    metadata[ROW_GROUP_KEY] = group_key
    if not html:
        return Document.from_text(value, id=doc_id, metadata=metadata)
    try:
        doc = read_html(value, doc_id, url=url if isinstance(url, str) else None)
    except InputError as exc:
        return InputFailure(where, InputError(f"column {body!r}: {exc.what}", where, exc.hint))
    return evolve(doc, metadata={**doc.metadata, **metadata})


class ParquetWriter(ClosingWriter):
    """Write cleaned documents to one Parquet file, a row group per input row group (see the module docstring).

    Rows are buffered and written as one row group whenever the documents'
    ``metadata["parquet_row_group"]`` changes (so a file cleaned from
    Parquet keeps its row groups, one for one) and, for documents from
    other sources, every ``row_group_size`` rows. ``close`` writes the last
    group and the footer; a file with no rows still has its schema.

    Args:
        target: the ``.parquet`` file to write (parent folders are created).
        explain: also write the ``edits`` column.
        keep_fields: input fields to carry over as string columns (names, or
            ``"url,date"``); ``"*"`` is refused, as a Parquet file's columns
            are fixed before the first row.
        pipeline: the pipeline that cleaned the documents: recorded per row
            (version and config hash) and in the file's metadata (the config).
        row_group_size: rows per row group for documents not read from Parquet.
        compression: the Parquet codec (``"zstd"``, ``"snappy"``, ``"none"``, ...).
    """

    def __init__(
        self,
        target: str | Path | io.IOBase,
        *,
        explain: bool = False,
        keep_fields: str | Iterable[str] | None = None,
        pipeline: Pipeline | None = None,
        row_group_size: int = DEFAULT_ROW_GROUP_SIZE,
        compression: str = "zstd",
    ) -> None:
        pa, pq = _arrow()
        self._pa = pa
        self.explain = explain
        self.keep_fields = check_keep_fields(keep_fields)
        if self.keep_fields == (ALL_FIELDS,):
            raise ConfigError(
                f"keep_fields {ALL_FIELDS!r} cannot be written to Parquet, whose columns are fixed before the first row",
                "keep_fields",
                "naming the fields, e.g. url,date",
            )
        if not isinstance(row_group_size, int) or row_group_size < 1:
            raise ConfigError(
                f"row_group_size must be a positive int, got {row_group_size!r}", "row_group_size", "e.g. 10000"
            )
        self.row_group_size = row_group_size
        self._provenance = provenance(pipeline)
        self.schema = _schema(pa, self.keep_fields, explain, bool(self._provenance))
        if pipeline is not None:
            config = json.dumps(pipeline.to_config(), sort_keys=True, ensure_ascii=False)
            self.schema = self.schema.with_metadata({"newsclean_config": config, **self._provenance})
        if isinstance(target, (str, Path)):
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            target = str(target)
        self._writer = pq.ParquetWriter(target, self.schema, compression=compression)
        self._columns: dict[str, list[Any]] = {name: [] for name in self.schema.names if name != "removed"}
        # The removals, column by column: building the list<struct> from flat lists and offsets is several
        # times faster than from a dict per removal, and pages have dozens of removals each.
        self._removed: dict[str, list[Any]] = {name: [] for name in _REMOVAL_FIELDS}
        self._offsets: list[int] = [0]
        self._group: str | None = None
        self._closed = False
        self.row_groups = 0
        """How many row groups have been written so far."""

    def write(self, doc: Document) -> None:
        """Add one document to the current row group, first writing the previous group if it ended.

        Args:
            doc: the cleaned document.
        """
        group = doc.metadata.get(ROW_GROUP_KEY)
        group = group if isinstance(group, str) else None
        rows = len(self._columns["id"])
        if rows and (group != self._group or (group is None and rows >= self.row_group_size)):
            self._flush()
        self._group = group
        columns = self._columns
        columns["id"].append(doc.id)
        columns["title"].append(doc.title)
        columns["text"].append(doc.text)
        for name, value in kept_values(doc, self.keep_fields).items():
            if value is not None and not isinstance(value, str):
                value = json.dumps(value, ensure_ascii=False, default=json_default)
            columns[name].append(value)
        removed = self._removed
        for r in doc.removed:
            removed["line"].append(r.line.index)
            removed["label"].append(r.label.value)
            removed["stage"].append(r.stage)
            removed["rule"].append(r.rule)
            removed["evidence"].append(r.evidence)
            removed["text"].append(r.line.text)
        self._offsets.append(len(removed["line"]))
        if self.explain:
            columns["edits"].append(edit_records(doc))
        for name, value in self._provenance.items():
            columns[name].append(value)

    def _flush(self) -> None:
        if not self._columns["id"]:
            return
        try:
            table = self._table(escape=False)
        except UnicodeEncodeError:
            # A lone surrogate (from a JSONL "\\ud800") cannot be UTF-8; write
            # it as the escape the JSONL writer would, rather than fail the run.
            table = self._table(escape=True)
        # One call, one row group: the limit is only there so pyarrow does not split it.
        self._writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self.row_groups += 1
        for column in (*self._columns.values(), *self._removed.values()):
            column.clear()
        self._offsets[:] = [0]

    def _table(self, escape: bool) -> Any:
        pa = self._pa
        arrays = []
        for field in self.schema:
            if field.name == "removed":
                struct = field.type.value_type
                children = [pa.array(_fix(self._removed[f.name], escape), f.type) for f in struct]
                values = pa.StructArray.from_arrays(children, fields=list(struct))
                offsets = pa.array(self._offsets, pa.int32())
                arrays.append(pa.ListArray.from_arrays(offsets, values, type=field.type))
            else:
                arrays.append(pa.array(_fix(self._columns[field.name], escape), field.type))
        return pa.Table.from_arrays(arrays, schema=self.schema)

    def close(self) -> None:
        """Write the last row group and the file's footer; calling it again does nothing."""
        if self._closed:
            return
        self._closed = True
        try:
            self._flush()
        finally:
            self._writer.close()


_REMOVAL_FIELDS = ("line", "label", "stage", "rule", "evidence", "text")


def _fix(values: list[Any], escape: bool) -> list[Any]:
    return [_escape_surrogates(v) for v in values] if escape else values


def _escape_surrogates(value: Any) -> Any:
    """``value`` with every string's lone surrogates written as ``\\udXXX`` escapes, lists and dicts walked."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_escape_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {k: _escape_surrogates(v) for k, v in value.items()}
    return value


def _schema(pa: ModuleType, keep: tuple[str, ...], explain: bool, with_provenance: bool) -> Any:
    string = pa.string()
    removal = pa.struct(
        [
            ("line", pa.int32()),
            ("label", string),
            ("stage", string),
            ("rule", string),
            ("evidence", string),
            ("text", string),
        ]
    )
    fields = [("id", string), ("title", string), ("text", string)]
    fields += [(name, string) for name in keep]
    fields.append(("removed", pa.list_(removal)))
    if explain:
        edit = pa.struct(
            [
                ("line", pa.int32()),
                ("stage", string),
                ("rule", string),
                ("before", string),
                ("after", string),
                ("steps", pa.list_(string)),
            ]
        )
        fields.append(("edits", pa.list_(edit)))
    if with_provenance:
        fields += [(VERSION_FIELD, string), (CONFIG_FIELD, string)]
    return pa.schema(fields)
