"""The one importer of the platform: every feed of rows from outside (the court's case and
hearing exports, debtor records, unit spreadsheets, bulk pushes of the API) declares a `Feed`
in its app's `importers.py` and registers it in `AppConfig.ready`.

A feed names its columns (Chinese and English headers), parses and checks each row, and
stores chunks of good rows. The framework does the rest, the same way for every feed:

- reads CSV (UTF-8 with or without BOM, else GB18030), gzip'd CSV, .xlsx, JSON and NDJSON,
  streaming — rows are never all held in memory (`read_table`);
- `preview()` stores the file with its sha256, checks every row and keeps an `ImportIssue`
  per error, warning ("to confirm") and repeated row key; a file already imported for the
  feed gives a batch in state "duplicate_file" and nothing else;
- `confirm()` reads the stored file again and hands the good rows to `feed.store` in chunks
  inside ONE transaction, with one audit entry for the batch; a failure stores nothing and
  leaves the batch "failed" with the message.
- `submit()` (API pushes, gateway drops) stores the file as a batch "queued" — idempotent by
  the client's batch id, a concurrent duplicate id refused with "import.batch_conflict" — and
  `process()` (the worker) imports it like `confirm()` without the rows held "to confirm";
  both share `_import`.
- `bulk_insert()` is the feeds' bulk path for new rows: PostgreSQL `COPY … FROM STDIN`,
  `bulk_create` elsewhere.

`core` imports nothing of the project at module level (layer 1): the audit trail is written
through a lazy import inside `confirm()`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import decimal
import gzip
import hashlib
import io
import itertools
import json
import logging
import os
import re
import tempfile
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .models import ImportBatch, ImportChannel, ImportIssue, ImportState, IssueLevel

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000  # good rows per `feed.store` call
PARSE_CACHE = 4096  # parsed values kept per column and run, for the parsers marked pure
ISSUE_CHUNK = 500  # issues written per bulk_create
HEAD_BYTES = 64 * 1024  # encoding detected on the first 64 KB
JSON_READ = 64 * 1024
JSON_MAX_ROW = 16 * 1024 * 1024  # one JSON row larger than this is refused
MAX_MESSAGE = 500
ROW_STATUSES = ("ok", "error", "to_confirm", "duplicate")


# --- errors --------------------------------------------------------------------------------------
class ImportFileError(Exception):
    """The file as a whole is refused (unreadable, wrong headers, already imported …).
    `code` is stable for tests and the API; `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


class CellError(ValueError):
    """Raised by a column's parser: the cell is refused, the row becomes an error row."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


# Parsers whose result depends on the cell's text alone (for the run: the active language and
# time zone do not change during one), returning an immutable value: a run parses each
# distinct text of their column once (dates, document types, court words repeat a lot).
_PURE_PARSERS: set[Callable[[str], Any]] = set()


_Parser = TypeVar("_Parser", bound=Callable[[str], Any])


def pure_parser(parse: _Parser) -> _Parser:
    """Mark a column parser as pure (see `_PURE_PARSERS`): the run may reuse its result for
    the same text. Errors are never reused: a refused text is parsed again each time."""
    _PURE_PARSERS.add(parse)
    return parse


def _is_pure(parse: Callable[[str], Any]) -> bool:
    try:
        return parse in _PURE_PARSERS
    except TypeError:  # an unhashable callable
        return False


# --- declarations ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """A column of a feed. The file's header matches `headers`, the label or the key
    (case-insensitive, spaces, BOM, full-width forms and a trailing * ignored)."""

    key: str
    label: str | Promise
    headers: tuple[str, ...] = ()
    required: bool = False
    parse: Callable[[str], Any] | None = None
    max_length: int | None = None
    # Personal data (an identity number): the preview's copy of a problem row keeps this
    # cell masked, so the issue table never holds the number in clear.
    personal: bool = False

    def names(self) -> set[str]:
        found = {normalise_header(self.key), normalise_header(str(self.label))}
        with translation.override("en"):
            found.add(normalise_header(str(self.label)))
        found.update(normalise_header(h) for h in self.headers)
        found.discard("")
        return found


@dataclass
class RowIssue:
    code: str
    message: str
    column: str = ""


@dataclass
class Row:
    """One data row: `number` is the row as the user sees it in Excel (the header is row 1
    when it is the first line), `raw` the file's cells (header → text), `values` the parsed
    values by column key (None for empty cells)."""

    number: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    duplicate_of: int | None = None  # the row number that first had this row key

    def error(self, code: str, message: str, column: str = "") -> None:
        """Refuse the row."""
        self.errors.append(RowIssue(code, str(message), column))

    def warn(self, code: str, message: str, column: str = "") -> None:
        """Hold the row "to confirm": stored only when an authorised user accepts it."""
        self.warnings.append(RowIssue(code, str(message), column))

    @property
    def status(self) -> str:
        if self.duplicate_of is not None:
            return "duplicate"
        if self.errors:
            return "error"
        if self.warnings:
            return "to_confirm"
        return "ok"


@dataclass
class Context:
    """What a feed sees during a run. `cache` is for lookups built once in `prepare()`;
    `mode` is "preview" or "confirm"."""

    batch: ImportBatch
    actor: Any
    options: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    mode: str = "preview"


@dataclass
class StoreResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: StoreResult) -> StoreResult:
        return StoreResult(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


class Feed:
    """A source of rows. Subclass, declare `name`, `label`, `columns`, and implement
    `row_key`, `store` and `may_import`; `clean_row` and `prepare` are optional."""

    name: ClassVar[str] = ""
    label: ClassVar[str | Promise] = ""
    columns: ClassVar[tuple[Column, ...]] = ()
    chunk_size: ClassVar[int] = CHUNK_SIZE
    # Whether a batch is seen by everyone who may import to the feed (a court's ledger,
    # kept by a team) or by its uploader only (a unit's own sheet, e.g. its matters' progress).
    shared_batches: ClassVar[bool] = True

    def row_key(self, values: dict[str, Any]) -> str:
        """The row's identity (a case number …): a later row with the same key in the same
        file is reported as a duplicate; `store` upserts by it. "" = no key."""
        return ""

    def prepare(self, context: Context) -> None:
        """Preload lookups once per run into `context.cache`."""

    def clean_row(self, row: Row, context: Context) -> None:
        """Cross-column checks and lookups; called only when every cell parsed."""

    def store(self, rows: list[Row], context: Context) -> StoreResult:
        """Write a chunk of good rows (inside the batch's one transaction); upsert by key."""
        raise NotImplementedError

    def may_import(self, user: Any) -> bool:
        return False

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def __repr__(self) -> str:
        return f"<Feed {self.name}>"


# --- registry ------------------------------------------------------------------------------------
_FEEDS: dict[str, Feed] = {}


def register(feed: Feed) -> Feed:
    """Register a feed instance (apps call this from AppConfig.ready via importers.py)."""
    if not feed.name:
        raise ValueError("A feed needs a name.")
    _FEEDS[feed.name] = feed
    return feed


_discovered = False


def discover() -> None:
    """Import the `importers` module of every installed app once (each registers its feeds
    there), so a feed is known to the worker and the API even when its app's `ready()` does
    not import it."""
    global _discovered
    if _discovered:
        return
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("importers")
    _discovered = True


def get(name: str) -> Feed:
    """The registered feed; KeyError when there is none."""
    if name not in _FEEDS:
        discover()
    return _FEEDS[name]


def feeds() -> list[Feed]:
    discover()
    return [_FEEDS[name] for name in sorted(_FEEDS)]


# --- cell parsers ---------------------------------------------------------------------------------
def _text(value: str) -> str:
    """NFKC (full-width digits, letters and punctuation to ASCII) and stripped."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def normalise_header(text: str) -> str:
    """How headers are compared: no BOM, quotes, spaces (full-width too) or trailing "*",
    NFKC, case-folded."""
    text = unicodedata.normalize("NFKC", str(text).replace("\ufeff", ""))
    text = re.sub(r"\s+", "", text)
    text = text.strip("\"'“”‘’`").rstrip("*")
    return text.casefold()


def case_number_key(values: dict[str, Any]) -> str:
    """The row key of the feeds of court cases: the normalised case number (column "number",
    parsed by core.case_numbers.parse_case_number), "" when it did not parse."""
    number = values.get("number")
    normalized = getattr(number, "normalized", "")
    return str(normalized or "")


def court_of_number(
    row: Row,
    number: Any,
    *,
    by_code: Callable[[str], Any],
    by_name: Callable[[str], Any],
    names: Callable[[Any], tuple[str, str | None, str]],
    unknown: str,
    mismatch: str,
) -> Any:
    """The court a case number (core.case_numbers.CaseNumber) belongs to, for the feeds of
    court files: by the court code in a current number, else — a pre-2016 number — by the
    court named in the row's "court_name" column; `by_code` and `by_name` are the feed's own
    lookups (None when there is no such court, or several), `names(court)` gives its name,
    short name and court code. An unknown court, or a court column naming another court than
    the number's, is a row error with the feed's codes `unknown` and `mismatch`; None then."""
    given = (row.values.get("court_name") or "").strip()
    if number.court_code:
        court = by_code(number.court_code)
        if court is None:
            row.error(
                unknown,
                _("No court with the court code %(code)s (from the number %(number)s).")
                % {"code": number.court_code, "number": number.normalized},
                "number",
            )
            return None
    else:
        court = by_name(given) if given else None
        if court is None:
            row.error(
                unknown,
                _(
                    "The old-form number %(number)s does not tell the court: give the court's "
                    "name in the court column."
                )
                % {"number": number.normalized},
                "court_name",
            )
            return None
    name, short_name, code = names(court)
    if given and normalise_header(given) not in {
        normalise_header(name),
        normalise_header(short_name or ""),
    }:
        row.error(
            mismatch,
            _("The number %(number)s belongs to %(court)s (%(code)s), not to %(given)s.")
            % {"number": number.normalized, "court": name, "code": code, "given": given},
            "court_name",
        )
        return None
    return court


_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
_DATETIME = re.compile(
    r"""^(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?
    (?:[\sT]*(?P<ampm>上午|中午|下午|晚上)?\s*(?P<H>\d{1,2})\s*(?::|时|点)\s*(?P<M>\d{1,2})?\s*分?
    (?::(?P<S>\d{1,2})(?:\.\d+)?)?\s*秒?)?$""",
    re.VERBOSE,
)
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")


def _date_error(text: str) -> CellError:
    return CellError(
        "import.date",
        _("“%(value)s” is not a date (write it as 2024-03-01).") % {"value": text},
    )


def _parse_moment(text: str) -> tuple[datetime.date, datetime.time | None]:
    s = _text(text)
    try:
        parsed = datetime.datetime.fromisoformat(s)
    except ValueError:
        pass
    else:
        if timezone.is_aware(parsed):
            parsed = timezone.localtime(parsed)
        has_time = len(s) > 10
        return parsed.date(), (parsed.time().replace(tzinfo=None) if has_time else None)
    try:
        m = _DATETIME.match(s)
        if m:
            day = datetime.date(int(m["y"]), int(m["m"]), int(m["d"]))
            if m["H"] is None:
                return day, None
            hour = int(m["H"])
            if m["ampm"] in ("下午", "晚上") and hour < 12:
                hour += 12
            return day, datetime.time(hour, int(m["M"] or 0), int(m["S"] or 0))
        m = _COMPACT.match(s)
        if m:
            return datetime.date(int(m["y"]), int(m["m"]), int(m["d"])), None
    except ValueError:
        raise _date_error(text) from None
    if _SERIAL.match(s) and 20000 <= float(s) < 80000:
        # An Excel serial date that reached a CSV as a number (1954–2119).
        moment = _EXCEL_EPOCH + datetime.timedelta(days=float(s))
        moment = moment.replace(microsecond=0)
        has_time = moment.time() != datetime.time(0)
        return moment.date(), (moment.time() if has_time else None)
    raise _date_error(text)


@pure_parser
def parse_date(text: str) -> datetime.date:
    """2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301, ISO date-times (the time is
    dropped), Excel dates (read from .xlsx as ISO) and Excel serial numbers."""
    return _parse_moment(text)[0]


def parse_datetime(text: str) -> datetime.datetime:
    """A date as parse_date with a time HH:MM[:SS] (also 9时30分, 下午3点); a date alone is
    midnight. Returns an aware datetime in the platform's time zone."""
    day, moment = _parse_moment(text)
    naive = datetime.datetime.combine(day, moment or datetime.time(0))
    return timezone.make_aware(naive)


_TRUE = {"是", "y", "yes", "1", "true", "t", "√", "✓", "✔", "对", "有", "涉企"}
_FALSE = {"否", "n", "no", "0", "false", "f", "×", "✗", "✘", "无", "不涉企", "非涉企"}


@pure_parser
def parse_bool(text: str) -> bool:
    """是/否, Y/N, yes/no, 1/0, true/false, √/×, 有/无, 涉企/不涉企/非涉企."""
    s = _text(text).casefold()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise CellError("import.bool", _("“%(value)s” is not yes or no (是/否).") % {"value": text})


@pure_parser
def parse_decimal(text: str) -> decimal.Decimal:
    """1234.5, 1,234.50, ¥1234, 1234元."""
    s = _text(text).replace(",", "").replace("¥", "").replace(" ", "")
    s = s.removesuffix("元")
    try:
        value = decimal.Decimal(s)
    except decimal.InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise CellError("import.decimal", _("“%(value)s” is not a number.") % {"value": text})
    return value


@pure_parser
def parse_int(text: str) -> int:
    """12, +12, -3, 1,234, and 12.0 (how Excel writes whole numbers)."""
    s = _text(text).replace(",", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?\d+(?:\.0*)?", s):
        raise CellError("import.int", _("“%(value)s” is not a whole number.") % {"value": text})
    return int(s.split(".")[0])


def choice(
    mapping: Mapping[str, str] | Iterable[tuple[str, Any]] | type[Any],
) -> Callable[[str], str]:
    """A parser accepting a label (Chinese or English) or a key and returning the key.
    `mapping` is {label: key}, or a Django Choices class / (key, label) pairs, whose keys and
    labels (in the active language and English) are all accepted."""
    pairs: list[tuple[Any, str]] = []  # (label, key)
    if isinstance(mapping, Mapping):
        pairs = [(label, key) for label, key in mapping.items()]
        pairs += [(key, key) for key in mapping.values()]
    else:
        items = mapping.choices if hasattr(mapping, "choices") else mapping
        for key, label in items:
            pairs += [(label, str(key)), (str(key), str(key))]

    def labels() -> dict[str, str]:
        found: dict[str, str] = {}
        for label, key in pairs:
            found.setdefault(normalise_header(str(label)), key)
            if isinstance(label, Promise):
                with translation.override("en"):
                    found.setdefault(normalise_header(str(label)), key)
        return found

    cache: dict[str, dict[str, str]] = {}

    def parse(text: str) -> str:
        language = translation.get_language() or ""
        known = cache.get(language)
        if known is None:
            known = cache[language] = labels()
        key = known.get(normalise_header(text))
        if key is None:
            shown = [str(label) for label, k in pairs if str(label) != k][:12]
            raise CellError(
                "import.choice",
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": text, "choices": "、".join(shown or sorted({k for _l, k in pairs}))},
            )
        return key

    return pure_parser(parse)


# --- reading files --------------------------------------------------------------------------------
class _Prefixed(io.RawIOBase):
    """Bytes already read (to sniff the format or the encoding) followed by the rest of the
    stream, without rewinding. Closing it leaves the underlying stream open."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        super().__init__()
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        if not data:
            return 0
        view[: len(data)] = data
        return len(data)


GZIP_MAX_EXPANDED = 2 * 1024**3  # a compressed file unpacking to more is refused while read


class _Bounded:
    """A decompressed stream that refuses to give more than `limit` bytes (a gzip bomb)."""

    def __init__(self, stream: Any, limit: int) -> None:
        self._stream = stream
        self._left = limit

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size if size is not None and size >= 0 else 1024 * 1024)
        self._left -= len(data)
        if self._left < 0:
            raise ImportFileError(
                "import.gzip_expands",
                _("The compressed file unpacks to more than %(size)s GB and is not read.")
                % {"size": GZIP_MAX_EXPANDED // 1024**3},
            )
        return data

    def close(self) -> None:
        self._stream.close()


def _peek(binary: IO[bytes], size: int) -> tuple[bytes, IO[bytes]]:
    head = binary.read(size)
    return head, io.BufferedReader(_Prefixed(head, binary))  # type: ignore[arg-type]


def _detect_encoding(head: bytes, complete: bool) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _open_text(binary: IO[bytes]) -> IO[str]:
    head, stream = _peek(binary, HEAD_BYTES)
    encoding = _detect_encoding(head, complete=len(head) < HEAD_BYTES)
    return io.TextIOWrapper(stream, encoding=encoding, newline="")


def _encoding_error() -> ImportFileError:
    return ImportFileError(
        "import.encoding",
        _("The file's text encoding cannot be read: save it as UTF-8 or GB18030 (GBK)."),
    )


def _empty_error() -> ImportFileError:
    return ImportFileError("import.empty", _("The file has no header row and no data."))


def _header_names(cells: Sequence[Any]) -> list[str]:
    """Header texts as the file has them (stripped, BOM removed); a repeated header gets
    "#2", "#3" so each cell keeps its own key; blank headers stay "" (their cells are
    ignored)."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for cell in cells:
        text = _cell_text(cell).replace("\ufeff", "").replace("\u3000", " ").strip()
        if text:
            seen[text] = seen.get(text, 0) + 1
            if seen[text] > 1:
                text = f"{text}#{seen[text]}"
        names.append(text)
    return names


def _cell_text(value: Any) -> str:
    """A spreadsheet or JSON value as text: dates ISO, 1.0 → "1", booleans true/false."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        spec = "minutes" if value.second == 0 and value.microsecond == 0 else "seconds"
        return value.isoformat(sep=" ", timespec=spec)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int | decimal.Decimal):
        return str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _row_dict(headers: list[str], cells: Sequence[Any]) -> dict[str, str]:
    return {
        h: _cell_text(c)
        for h, c in itertools.zip_longest(headers, cells, fillvalue=None)
        if h  # extra cells without a header, and blank headers, are ignored
    }


@dataclass
class Table:
    """An opened file: its header texts and an iterator of (row number, cells)."""

    headers: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]


HEADER_MAX_CHARS = 1024 * 1024  # a first line longer than this is no CSV header


def _csv_table(binary: IO[bytes]) -> Table:
    text = _open_text(binary)
    number = 0
    try:
        while True:
            line = text.readline(HEADER_MAX_CHARS)
            if not line:
                raise _empty_error()
            if len(line) >= HEADER_MAX_CHARS and not line.endswith(("\n", "\r")):
                raise ImportFileError(
                    "import.csv",
                    _(
                        "The first line of the file is over a million characters long: "
                        "it is not a CSV table."
                    ),
                )
            number += 1
            if line.strip().strip(",;\t"):
                break
        delimiter = "\t" if line.count("\t") > line.count(",") else ","
        reader = csv.reader(itertools.chain([line], text), delimiter=delimiter)
        headers = _header_names(next(reader))
    except UnicodeDecodeError:
        raise _encoding_error() from None
    except csv.Error as exc:
        raise ImportFileError("import.csv", _("The CSV file cannot be read: %s") % exc) from None

    # A record with a cell under each header (the usual one) is zipped as it is: the csv
    # module's cells are already text, and no header is blank.
    width = len(headers) if all(headers) else -1

    def rows(start: int) -> Iterator[tuple[int, dict[str, str]]]:
        # Each record is one row in Excel (a quoted cell may span lines), blank lines too.
        n = start
        try:
            for cells in reader:
                n += 1
                if len(cells) == width:
                    yield n, dict(zip(headers, cells, strict=True))
                elif cells:
                    yield n, _row_dict(headers, cells)
        except UnicodeDecodeError:
            raise _encoding_error() from None
        except csv.Error as exc:
            raise ImportFileError(
                "import.csv",
                _("Row %(row)s of the CSV file cannot be read: %(error)s")
                % {"row": n + 1, "error": exc},
            ) from None

    return Table(headers, rows(number))


# A spreadsheet is a zip: these limits refuse a "zip bomb" (a small file whose sheets expand to
# gigabytes) from the zip's directory alone, before a byte of it is decompressed. zipfile never
# yields more than a part's declared size, so a directory that lies only truncates the part.
XLSX_MAX_EXPANDED = 2 * 1024**3  # all parts together, decompressed
XLSX_MAX_SHARED_STRINGS = 256 * 1024**2  # sharedStrings.xml is read into memory whole
XLSX_MAX_RATIO = 200  # decompressed / compressed, checked once the parts pass 50 MB
XLSX_RATIO_FROM = 50 * 1024**2


def xlsx_expanded_size(binary: IO[bytes]) -> int:
    """The decompressed size of a spreadsheet's parts, from its zip directory; raises
    ImportFileError "import.xlsx_expands" for a zip bomb, "import.xlsx" for no zip at all.
    The stream is left where it was."""
    import zipfile

    start = binary.tell()
    try:
        with zipfile.ZipFile(binary) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportFileError(
            "import.xlsx", _("The spreadsheet cannot be opened: is it an .xlsx file?")
        ) from None
    finally:
        binary.seek(start)
    expanded = sum(p.file_size for p in parts)
    packed = max(sum(p.compress_size for p in parts), 1)
    shared = max(
        (p.file_size for p in parts if p.filename.endswith("sharedStrings.xml")), default=0
    )
    if (
        expanded > XLSX_MAX_EXPANDED
        or shared > XLSX_MAX_SHARED_STRINGS
        or (expanded > XLSX_RATIO_FROM and expanded / packed > XLSX_MAX_RATIO)
    ):
        raise ImportFileError(
            "import.xlsx_expands",
            _(
                "The spreadsheet expands to far more data than its file size (%(size)s MB once "
                "unpacked) and is not read: save the sheet again, or send it as CSV."
            )
            % {"size": expanded // 1024**2},
        )
    return expanded


def _xlsx_table(binary: IO[bytes], stack: contextlib.ExitStack) -> Table:
    import openpyxl

    if not binary.seekable():
        # openpyxl needs to seek: copy a pipe first (closed with the table by the stack).
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        stack.callback(spool.close)
        while chunk := binary.read(1024 * 1024):
            spool.write(chunk)
        spool.seek(0)
        binary = spool  # type: ignore[assignment]
    xlsx_expanded_size(binary)
    try:
        workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
    except Exception:
        raise ImportFileError(
            "import.xlsx", _("The spreadsheet cannot be opened: is it an .xlsx file?")
        ) from None
    stack.callback(workbook.close)
    if not workbook.worksheets:
        raise _empty_error()
    sheet = workbook.worksheets[0]
    # Some exporters write a wrong <dimension>: read every row there is.
    sheet.reset_dimensions()  # type: ignore[union-attr]
    cells = enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
    for _number, values in cells:
        if any(_cell_text(v).strip() for v in values):
            headers = _header_names(values)
            break
    else:
        raise _empty_error()

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for n, row in cells:
            if any(v is not None and v != "" for v in row):
                yield n, _row_dict(headers, row)

    return Table(headers, rows())


class _JsonReader:
    """A JSON document read piece by piece: the rows of a top-level list (or of the list
    under "data", "rows", "result", "records" or "items") are decoded one at a time, so a
    large file never sits in memory whole."""

    WRAPPERS = ("data", "rows", "result", "records", "items", "list")

    def __init__(self, text: IO[str]) -> None:
        self.text = text
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.text.read(JSON_READ)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def _peek(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos < JSON_MAX_ROW and self._fill():
                    continue
                raise ImportFileError(
                    "import.json", _("The JSON file cannot be read: %s") % exc.msg
                ) from None
            except RecursionError:
                raise ImportFileError(
                    "import.json",
                    _("The JSON file cannot be read: its values are nested too deeply."),
                ) from None
            if end == len(self.buf) and self._fill():
                continue  # a number may go on in the next piece
            self.pos = end
            return value

    def _expect(self, chars: str) -> str:
        c = self._peek()
        if c == "" or c not in chars:
            raise ImportFileError(
                "import.json",
                _("The JSON file cannot be read: expected “%(expected)s”.") % {"expected": chars},
            )
        self.pos += 1
        return c

    def _items(self) -> Iterator[Any]:
        if self._peek() == "]":
            self.pos += 1
            return
        while True:
            yield self._value()
            if self._expect(",]") == "]":
                return

    def rows(self) -> Iterator[Any]:
        c = self._peek()
        if c == "[":
            self.pos += 1
            yield from self._items()
            return
        if c == "{":
            self.pos += 1
            if self._find_list():
                yield from self._items()
                return
        raise ImportFileError(
            "import.json",
            _('The JSON file holds no list of rows (a list, or {"data": [...]}).'),
        )

    def _find_list(self) -> bool:
        """Inside an object: move to the start of the rows' list (True) or past the end."""
        if self._peek() == "}":
            self.pos += 1
            return False
        while True:
            key = self._value()
            self._expect(":")
            c = self._peek()
            wrapper = isinstance(key, str) and key.casefold() in self.WRAPPERS
            if wrapper and c == "[":
                self.pos += 1
                return True
            if wrapper and c == "{":
                self.pos += 1
                if self._find_list():
                    return True
            else:
                self._value()
            if self._expect(",}") == "}":
                return False


def _object_row(number: int, item: Any) -> dict[str, str]:
    if not isinstance(item, dict):
        raise ImportFileError(
            "import.json",
            _("Row %(row)s of the JSON file is not an object of named values.") % {"row": number},
        )
    return {str(k).strip(): _cell_text(v) for k, v in item.items() if str(k).strip()}


def _json_rows(items: Iterator[Any]) -> Table:
    numbered = enumerate(items, start=1)
    try:
        first = next(numbered)
    except StopIteration:
        raise _empty_error() from None
    except UnicodeDecodeError:
        raise _encoding_error() from None
    first_row = _object_row(*first)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        yield first[0], first_row
        try:
            for n, item in numbered:
                yield n, _object_row(n, item)
        except UnicodeDecodeError:
            raise _encoding_error() from None

    return Table(list(first_row), rows())


def _ndjson_items(text: IO[str]) -> Iterator[tuple[int, Any]]:
    n = 0
    # Lines are read up to JSON_MAX_ROW characters: a file without line breaks is refused
    # instead of being read whole into memory.
    while line := text.readline(JSON_MAX_ROW):
        n += 1
        if len(line) >= JSON_MAX_ROW and not line.endswith("\n"):
            raise ImportFileError(
                "import.json",
                _("Line %(row)s is longer than %(size)s MB.")
                % {"row": n, "size": JSON_MAX_ROW // (1024 * 1024)},
            )
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFileError(
                "import.json",
                _("Line %(row)s is not valid JSON: %(error)s") % {"row": n, "error": exc.msg},
            ) from None
        except RecursionError:
            raise ImportFileError(
                "import.json",
                _("The JSON file cannot be read: its values are nested too deeply."),
            ) from None


def _ndjson_table(binary: IO[bytes]) -> Table:
    items = _ndjson_items(_open_text(binary))
    try:
        first = next(items)
    except StopIteration:
        raise _empty_error() from None
    except UnicodeDecodeError:
        raise _encoding_error() from None
    first_row = _object_row(*first)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        yield first[0], first_row
        try:
            for n, item in items:
                yield n, _object_row(n, item)
        except UnicodeDecodeError:
            raise _encoding_error() from None

    return Table(list(first_row), rows())


def _kind(name: str, head: bytes) -> str:
    name = name.lower()
    if name.endswith((".xlsx", ".xlsm")) or head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if name.endswith((".xls", ".et")) or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if name.endswith((".ndjson", ".jsonl")):
        return "ndjson"
    if name.endswith(".json"):
        return "json"
    if name.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    start = head.lstrip(codecs.BOM_UTF8).lstrip()
    if start.startswith(b"["):
        return "json"
    if start.startswith(b"{"):
        return "ndjson"
    return "csv"


@contextlib.contextmanager
def open_table(fileobj: IO[bytes], filename: str) -> Iterator[Table]:
    """Open a file of rows by its name and content (see `read_table`). Use as a context
    manager: a spreadsheet is closed at the end."""
    with contextlib.ExitStack() as stack:
        name = os.path.basename(filename or "").lower()
        head, binary = (fileobj.read(8), fileobj)
        if fileobj.seekable():
            fileobj.seek(-len(head), os.SEEK_CUR)
        else:
            binary = io.BufferedReader(_Prefixed(head, fileobj))  # type: ignore[arg-type]
        if head.startswith(b"\x1f\x8b") or name.endswith(".gz"):
            name = name.removesuffix(".gz")
            gzipped = gzip.GzipFile(fileobj=binary, mode="rb")
            stack.callback(gzipped.close)
            unzipped = _Bounded(gzipped, GZIP_MAX_EXPANDED)
            try:
                head, binary = _peek(unzipped, 8)  # type: ignore[arg-type]
            except (OSError, EOFError, zlib.error):
                raise ImportFileError(
                    "import.gzip", _("The compressed file cannot be read.")
                ) from None
            kind = _kind(name, head)
            if kind in ("xlsx", "xls"):
                raise ImportFileError(
                    "import.format", _("Compress CSV, JSON or NDJSON files only.")
                )
            try:
                table = _guard_gzip(_open_kind(kind, binary, stack))
            except (OSError, EOFError, zlib.error):
                raise ImportFileError(
                    "import.gzip", _("The compressed file is damaged or incomplete.")
                ) from None
        else:
            table = _open_kind(_kind(name, head), binary, stack)
        yield table


def _open_kind(kind: str, binary: IO[bytes], stack: contextlib.ExitStack) -> Table:
    if kind == "xls":
        raise ImportFileError(
            "import.format",
            _("Old Excel files (.xls) are not read: save the sheet as .xlsx or CSV."),
        )
    if kind == "xlsx":
        return _xlsx_table(binary, stack)
    if kind == "json":
        return _json_rows(_JsonReader(_open_text(binary)).rows())
    if kind == "ndjson":
        return _ndjson_table(binary)
    return _csv_table(binary)


def _guard_gzip(table: Table) -> Table:
    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            yield from table.rows
        except (OSError, EOFError, zlib.error):
            raise ImportFileError(
                "import.gzip", _("The compressed file is damaged or incomplete.")
            ) from None

    return Table(table.headers, rows())


def read_table(fileobj: IO[bytes], filename: str) -> Iterator[dict[str, str]]:
    """The rows of a file as {header: text}, streamed. Format from the name and the content:
    .csv (UTF-8 with or without BOM, else GB18030; comma or tab), .csv.gz/.gz, .xlsx (first
    sheet, first non-empty row is the header), .json (a list of objects, or {"data"/"rows"/
    "result": [...]}), .ndjson/.jsonl. Raises ImportFileError."""
    with open_table(fileobj, filename) as table:
        for _number, cells in table.rows:
            yield cells


# --- one pass over a file ------------------------------------------------------------------------
class _Run:
    """Parses and checks every row of a file for one feed, streaming; tracks counts and the
    keys seen (their hashes only)."""

    def __init__(self, feed: Feed, context: Context, table: Table) -> None:
        self.feed = feed
        self.context = context
        self.table = table
        self.names = {c.key: c.names() for c in feed.columns}
        self.mapping: dict[str, str] = {}  # column key -> file header
        self.header_map: dict[str, str] = {}  # file header -> column key ("" = ignored)
        # Keys already seen → their first row, by the key's 64-bit hash: a few dozen bytes
        # a row instead of the key's text (a 100,000-row file keeps ~10 MB, not ~30 MB).
        # Two different keys sharing a hash (odds ~1e-9 in a million rows) would report the
        # second row as repeated, never store it twice.
        self.seen: dict[int, int] = {}
        self.counts = dict.fromkeys(ROW_STATUSES, 0)
        # What `_check` does per column, worked out once (and again when JSON adds headers):
        # (key, file header, required, max length, parser, label, cache of parsed texts).
        self.plan: list[
            tuple[
                str,
                str,
                bool,
                int | None,
                Callable[[str], Any] | None,
                str | Promise,
                dict[str, Any] | None,
            ]
        ] = []
        self.parsed: dict[str, dict[str, Any]] = {
            c.key: {} for c in feed.columns if c.parse is not None and _is_pure(c.parse)
        }
        self._map_headers(table.headers, strict=True)

    def _match(self, header: str) -> str:
        norm = normalise_header(re.sub(r"#\d+$", "", header))  # "案号#2": a repeated header
        for col in self.feed.columns:
            if norm in self.names[col.key]:
                return col.key
        return ""

    def _map_headers(self, headers: Iterable[str], strict: bool) -> None:
        for header in headers:
            if header in self.header_map:
                continue
            key = self._match(header)
            if key and key in self.mapping:
                if strict:
                    column = self.feed.column(key)
                    raise ImportFileError(
                        "import.headers",
                        _("The columns “%(a)s” and “%(b)s” both mean “%(label)s”: keep one.")
                        % {"a": self.mapping[key], "b": header, "label": column and column.label},
                    )
                key = ""
            self.header_map[header] = key
            if key:
                self.mapping[key] = header
        self.plan = [
            (
                c.key,
                self.mapping.get(c.key, ""),
                c.required,
                c.max_length,
                c.parse,
                c.label,
                self.parsed.get(c.key),
            )
            for c in self.feed.columns
        ]
        if not strict:
            return
        missing = [c for c in self.feed.columns if c.required and c.key not in self.mapping]
        if missing or not self.mapping:
            found = "、".join(h for h in self.table.headers if h) or "—"
            wanted = missing or [c for c in self.feed.columns if c.required] or self.feed.columns
            raise ImportFileError(
                "import.headers",
                _("Required columns are missing: %(columns)s. Columns found: %(found)s.")
                % {"columns": "、".join(_column_names(c) for c in wanted), "found": found},
            )

    def rows(self) -> Iterator[Row]:
        header_map = self.header_map
        for number, cells in self.table.rows:
            if not "".join(cells.values()).strip():  # every cell blank
                continue
            if not header_map.keys() >= cells.keys():
                self._map_headers(cells, strict=False)  # JSON objects may add keys later
            row = self._check(number, cells)
            self.counts[row.status] += 1
            yield row

    def _check(self, number: int, cells: dict[str, str]) -> Row:
        row = Row(number=number, raw=cells)
        values = row.values
        for key, header, required, max_length, parse, label, parsed in self.plan:
            text = (cells.get(header) or "") if header else ""
            if text:
                if not text.isascii():  # ideographic and no-break spaces count as spaces
                    text = text.replace("\u3000", " ").replace("\xa0", " ")
                text = text.strip()
            if not text:
                values[key] = None
                if required:
                    row.error(
                        "import.required",
                        _("“%(label)s” is required.") % {"label": label},
                        key,
                    )
                continue
            if max_length is not None and len(text) > max_length:
                values[key] = None
                row.error(
                    "import.too_long",
                    _("“%(label)s” is longer than %(max)s characters.")
                    % {"label": label, "max": max_length},
                    key,
                )
                continue
            if parse is None:
                values[key] = text
                continue
            if parsed is not None and text in parsed:
                values[key] = parsed[text]
                continue
            try:
                value = parse(text)
            except (CellError, ValueError) as exc:
                values[key] = None
                code = getattr(exc, "code", "") or "import.invalid"
                message = getattr(exc, "message", "") or str(exc)
                row.error(code, f"{label}: {message}", key)
                continue
            values[key] = value
            if parsed is not None and len(parsed) < PARSE_CACHE:
                parsed[text] = value
        if row.errors:
            return row
        try:
            self.feed.clean_row(row, self.context)
            if not row.errors:
                row.key = str(self.feed.row_key(row.values) or "")
        except (CellError, ValueError) as exc:
            row.error(
                getattr(exc, "code", "") or "import.invalid",
                getattr(exc, "message", "") or str(exc),
            )
        if row.key and not row.errors:
            hashed = hash(row.key)
            first = self.seen.get(hashed)
            if first is None:
                self.seen[hashed] = number
            else:
                row.duplicate_of = first
        return row


def _column_names(column: Column) -> str:
    return f"“{column.label}”" + (f"（{column.headers[0]}）" if column.headers else "")


def _stored_cells(row: Row, personal_headers: set[str]) -> list[list[str]]:
    from .masking import mask_id_number

    return [
        [header, mask_id_number(text) if header in personal_headers and text else text]
        for header, text in row.raw.items()
    ]


def _issues_of(
    batch: ImportBatch, row: Row, personal_headers: set[str] | None = None
) -> list[ImportIssue]:
    def issue(level: str, item: RowIssue) -> ImportIssue:
        return ImportIssue(
            batch=batch,
            row_number=row.number,
            row_key=row.key[:200],
            level=level,
            column=item.column[:60],
            code=item.code[:60],
            message=item.message[:MAX_MESSAGE],
            # Pairs, not an object: PostgreSQL's jsonb does not keep the keys' order.
            raw=_stored_cells(row, personal_headers or set()),
        )

    if row.duplicate_of is not None:
        message = _("The same key as row %(row)s: this row is not imported.") % {
            "row": row.duplicate_of
        }
        return [issue(IssueLevel.DUPLICATE, RowIssue("import.duplicate_row", message))]
    return [issue(IssueLevel.ERROR, e) for e in row.errors] + [
        issue(IssueLevel.WARNING, w) for w in row.warnings
    ]


def _scan(batch: ImportBatch, run: _Run, keep: Callable[[Row], None] | None = None) -> None:
    """Go through every row, writing issues in chunks; `keep` receives every row."""
    pending: list[ImportIssue] = []
    # The file's columns are known to the feed from the first row on (`_present` in feeds:
    # a column missing from the file keeps a stored value), in the preview as in the import.
    batch.header_map = run.header_map
    personal_keys = {c.key for c in run.feed.columns if c.personal}
    personal: set[str] = set()
    known = -1  # the header map's size when `personal` was computed (JSON may add keys)
    for row in run.rows():
        if len(run.header_map) != known:
            known = len(run.header_map)
            personal = {h for h, key in run.header_map.items() if key in personal_keys}
        found = _issues_of(batch, row, personal)
        if found:
            pending += found
            if len(pending) >= ISSUE_CHUNK:
                ImportIssue.objects.bulk_create(pending)
                pending = []
        if keep is not None:
            keep(row)
    if pending:
        ImportIssue.objects.bulk_create(pending)
    batch.total_rows = sum(run.counts.values())
    batch.ok_rows = run.counts["ok"]
    batch.error_rows = run.counts["error"]
    batch.held_rows = run.counts["to_confirm"]
    batch.duplicate_rows = run.counts["duplicate"]
    batch.header_map = run.header_map


COUNT_FIELDS = ["total_rows", "ok_rows", "error_rows", "held_rows", "duplicate_rows", "header_map"]


# --- the bulk path -------------------------------------------------------------------------------
BULK_BATCH = 1000  # rows per INSERT of bulk_create (databases without COPY)
AUTO_FIELDS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def _copy_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns a bulk insert writes: the model's concrete local fields without an
    auto-incremented primary key (the database numbers the rows) or a generated column."""
    fields: list[models.Field[Any, Any]] = []
    for f in model._meta.local_concrete_fields:
        if f.primary_key and isinstance(f, AUTO_FIELDS):
            continue
        if getattr(f, "generated", False):
            continue
        fields.append(f)
    return fields


def bulk_insert(
    model: type[models.Model],
    objects: Sequence[models.Model] | Sequence[Mapping[str, Any]],
    *,
    batch_size: int = BULK_BATCH,
) -> int:
    """Insert new rows fast, inside the caller's transaction; returns how many. On
    PostgreSQL through `COPY table (columns) FROM STDIN` (psycopg 3, one row at a time),
    elsewhere through `bulk_create(batch_size=…)`. Each value goes through the field's
    `pre_save(add=True)` and `get_db_prep_save`, as an INSERT would, so encrypted fields are
    stored encrypted and blind indexes computed. The objects do NOT get their ids on
    PostgreSQL: use it for rows nobody needs the id of right away (fetch them afterwards by
    a key if needed). Not for models with parents (multi-table inheritance).
    `objects` may also be mappings of prepared column values by attribute name (`court_id`,
    encrypted text already encrypted, blind indexes already computed): no model instance and
    no per-field `pre_save` / `get_db_prep_save` — the fast path of a feed that prepares its
    rows itself; a column left out takes its field's default (created_at / updated_at: now),
    dates and times are adapted for the database, every other value is written as it is.
    """
    if not objects:
        return 0
    meta = model._meta
    if meta.parents:
        raise ValueError(f"bulk_insert cannot write {meta.label}: it has parent models.")
    alias = router.db_for_write(model)
    connection = connections[alias]
    if isinstance(objects[0], Mapping):
        return _insert_values(model, objects, alias, batch_size)  # type: ignore[arg-type]
    instances: Sequence[models.Model] = objects  # type: ignore[assignment]
    if connection.vendor != "postgresql":
        model._default_manager.using(alias).bulk_create(list(instances), batch_size=batch_size)
        return len(instances)
    fields = _copy_fields(model)
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(
        quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    count = 0
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for obj in instances:
            if not isinstance(obj, model):
                raise TypeError(f"bulk_insert({meta.label}) was given {type(obj).__name__}.")
            obj._prepare_related_fields_for_save(  # type: ignore[attr-defined]
                operation_name="bulk_insert"
            )
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
            count += 1
    return count


_SOME_DAY = datetime.date(2000, 1, 1)


def _unless_identity(adapt: Callable[[Any], Any], probe: Any) -> Callable[[Any], Any] | None:
    """None when the backend's adapter gives the value back as it is (PostgreSQL: the driver
    adapts dates itself), so the rows skip the call; else the adapter."""
    try:
        return None if adapt(probe) is probe else adapt
    except Exception:  # an adapter that refuses the probe is kept: it decides per value
        return adapt


def _insert_values(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], alias: str, batch_size: int
) -> int:
    """`bulk_insert` of rows given as prepared values (see there)."""
    connection = connections[alias]
    ops = connection.ops
    now = timezone.now()
    plan: list[tuple[str, Callable[[Any], Any] | None, Any]] = []
    for f in _copy_fields(model):
        internal = f.get_internal_type()
        adapt: Callable[[Any], Any] | None = None
        if internal == "DateTimeField":
            adapt = _unless_identity(ops.adapt_datetimefield_value, now)
        elif internal == "DateField":
            adapt = _unless_identity(ops.adapt_datefield_value, _SOME_DAY)
        default = now if f.name in ("created_at", "updated_at") else f.get_default()
        plan.append((f.attname, adapt, default))
    known = {attname for attname, _adapt, _default in plan}
    for row in rows:
        if not isinstance(row, Mapping) or not known.issuperset(row):
            raise TypeError(f"bulk_insert({model._meta.label}) was given {row!r:.80}.")
    adapted = [(i, adapt) for i, (_name, adapt, _default) in enumerate(plan) if adapt is not None]
    pairs = [(attname, default) for attname, _adapt, default in plan]

    def values(row: Mapping[str, Any]) -> tuple[Any, ...]:
        get = row.get
        out = [get(attname, default) for attname, default in pairs]
        for i, adapt in adapted:
            if out[i] is not None:
                out[i] = adapt(out[i])
        return tuple(out)

    quote = ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(attname) for attname, _adapt, _default in plan)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
        else:
            sql = "INSERT INTO {} ({}) VALUES ({})".format(
                table, names, ", ".join(["%s"] * len(plan))
            )
            for start in range(0, len(rows), max(1, batch_size)):
                cursor.executemany(sql, [values(row) for row in rows[start : start + batch_size]])
    return len(rows)


def existing_keys(model: type[models.Model], field_name: str, keys: Sequence[str]) -> set[str]:
    """Which of `keys` a row of `model` already has in `field_name` (a feed's upsert by key):
    one query with the keys as one array parameter on PostgreSQL (no statement of 1,000
    placeholders to build and parse), the ORM's `__in` elsewhere."""
    if not keys:
        return set()
    alias = router.db_for_read(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        found = model._default_manager.using(alias).filter(**{f"{field_name}__in": keys})
        return set(found.values_list(field_name, flat=True))
    quote = connection.ops.quote_name
    field = model._meta.get_field(field_name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model._meta.label}.{field_name} is not a column.")
    column = quote(field.column)
    sql = f"SELECT {column} FROM {quote(model._meta.db_table)} WHERE {column} = ANY(%s)"
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(keys)])
        return {key for (key,) in cursor.fetchall()}


# --- preview and confirm -------------------------------------------------------------------------
def _feed_for(name: str) -> Feed:
    try:
        return get(name)
    except KeyError:
        raise ImportFileError("import.feed", _("There is no import called “%s”.") % name) from None


def _as_file(uploaded: Any) -> File[Any]:
    return uploaded if isinstance(uploaded, File) else File(uploaded)


def _digest(upload: File[Any]) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        sha.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return sha.hexdigest(), size


def _storage_name(name: str) -> str:
    base = os.path.basename(name or "") or "upload"
    stem, dot, ext = base.partition(".")
    return f"{stem[:80]}{dot}{ext[:20]}"


def preview(
    feed_name: str,
    uploaded_file: Any,
    actor: Any,
    *,
    options: dict[str, Any] | None = None,
    batch_id: str | None = None,
) -> ImportBatch:
    """Store the file and check every row without storing any: a batch "previewed" with an
    issue per bad, held or repeated row. A file the feed already imported gives a new batch
    "duplicate_file" pointing to the earlier one. A `batch_id` already used for the feed
    returns that earlier batch unchanged (pushes retried by a client).
    Raises PermissionDenied, ImportFileError (headers, format, encoding …)."""
    feed = _feed_for(feed_name)
    if not feed.may_import(actor):
        raise PermissionDenied(f"import.{feed.name}")
    if batch_id:
        earlier_push = ImportBatch.objects.filter(feed=feed.name, batch_id=batch_id).first()
        if earlier_push is not None:
            return earlier_push
    upload = _as_file(uploaded_file)
    name = os.path.basename(upload.name or "") or "upload"
    sha, size = _digest(upload)
    batch = ImportBatch(
        feed=feed.name,
        name=name[:255],
        size=size,
        sha256=sha,
        batch_id=batch_id or "",
        options=dict(options or {}),
        uploaded_by=actor,
    )
    earlier = (
        ImportBatch.objects.filter(feed=feed.name, sha256=sha, state=ImportState.IMPORTED)
        .order_by("imported_at", "pk")
        .first()
    )
    if earlier is not None:
        batch.state = ImportState.DUPLICATE_FILE
        batch.duplicate_of = earlier
        _save_new(batch)
        return batch
    batch.file.save(_storage_name(name), upload, save=False)
    try:
        with transaction.atomic():
            _save_new(batch)
            context = Context(batch=batch, actor=actor, options=batch.options, mode="preview")
            batch.file.open("rb")
            try:
                with open_table(batch.file, name) as table:
                    run = _Run(feed, context, table)
                    feed.prepare(context)
                    _scan(batch, run)
            finally:
                batch.file.close()
            batch.save(update_fields=COUNT_FIELDS)
    except BaseException:
        batch.file.delete(save=False)
        raise
    return batch


def _save_new(batch: ImportBatch) -> None:
    try:
        with transaction.atomic():
            batch.save()
    except IntegrityError:
        raise ImportFileError(
            "import.batch_conflict",
            _("A batch with this id is being imported at the same moment."),
        ) from None


def _refuse_if_done(batch: ImportBatch) -> None:
    if batch.state in (ImportState.IMPORTED, ImportState.DUPLICATE_FILE):
        raise ImportFileError("import.already_imported", _("This file has already been imported."))
    other = (
        ImportBatch.objects.filter(feed=batch.feed, sha256=batch.sha256, state=ImportState.IMPORTED)
        .exclude(pk=batch.pk)
        .exists()
    )
    if other:
        raise ImportFileError(
            "import.already_imported",
            _("The same file has already been imported in another batch."),
        )


class _StoreFailed(Exception):
    def __init__(self, error: BaseException) -> None:
        self.error = error
        super().__init__(str(error))


def _failure_code(exc: BaseException) -> str:
    if isinstance(exc, ImportFileError | CellError):
        return exc.code[:60]
    if isinstance(exc, ValidationError):
        found = exc.error_list if hasattr(exc, "error_list") else []
        if hasattr(exc, "error_dict"):
            found = [e for errors in exc.error_dict.values() for e in errors]
        codes = [str(e.code) for e in found if getattr(e, "code", None)]
        return (codes[0] if codes else "import.invalid")[:60]
    return "import.store"


def _failure_message(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        text = "；".join(str(m) for m in exc.messages)
    elif isinstance(exc, ImportFileError | CellError):
        text = exc.message
    else:
        text = str(exc) or type(exc).__name__
    return text[:2000]


def confirm(
    batch: ImportBatch, actor: Any, *, accept_held: bool = False, reason: str = ""
) -> ImportBatch:
    """Read the stored file again and store the good rows (and, with `accept_held` and a
    reason, the rows held "to confirm") through `feed.store` in chunks, all in ONE
    transaction, with ONE audit entry `import.<feed>`. If storing fails nothing is stored
    and the batch is left "failed" with the message (returned, not raised).
    Raises PermissionDenied, ImportFileError("import.already_imported"),
    ImportFileError("import.reason_required")."""
    feed = _feed_for(batch.feed)
    if not feed.may_import(actor):
        raise PermissionDenied(f"import.{feed.name}")
    reason = (reason or "").strip()
    if accept_held and not reason:
        raise ImportFileError(
            "import.reason_required",
            _("Give the reason for accepting the rows to confirm."),
        )
    batch.refresh_from_db()
    _refuse_if_done(batch)
    return _import(feed, batch, actor, accept_held=accept_held, reason=reason)


def _import(
    feed: Feed,
    batch: ImportBatch,
    actor: Any,
    *,
    accept_held: bool = False,
    reason: str = "",
    only_state: str | None = None,
) -> ImportBatch:
    """The import itself, shared by `confirm` (a person) and `process` (the worker): claim
    the batch under a row lock, store every good row through `feed.store` in ONE
    transaction with ONE audit entry. A batch no longer in `only_state` (when given) is
    returned untouched. A store failure rolls everything back and leaves the batch
    "failed" (returned); ImportFileError("import.already_imported") is raised when the
    batch or its file was imported already."""
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if only_state is not None and locked.state != only_state:
                return locked
            _refuse_if_done(locked)
            locked.state = ImportState.IMPORTED
            locked.imported_at = timezone.now()
            locked.imported_by = actor
            locked.accepted_held = bool(accept_held and reason)
            locked.held_reason = reason if accept_held else ""
            locked.failure = ""
            locked.failure_code = ""
            try:
                # Claims the file: the partial unique constraint lets one batch of the same
                # file be imported, even when two people confirm at once.
                with transaction.atomic():
                    locked.save(
                        update_fields=[
                            "state",
                            "imported_at",
                            "imported_by",
                            "accepted_held",
                            "held_reason",
                            "failure",
                            "failure_code",
                        ]
                    )
            except IntegrityError:
                raise ImportFileError(
                    "import.already_imported",
                    _("The same file has already been imported in another batch."),
                ) from None
            try:
                result = _store_all(feed, locked, actor, accept_held=locked.accepted_held)
            except Exception as exc:
                raise _StoreFailed(exc) from exc
            _audit(actor, feed, locked, result)
    except _StoreFailed as failed:
        logger.warning("Import batch %s (%s) failed", batch.pk, feed.name, exc_info=failed.error)
        message = _failure_message(failed.error)
        with transaction.atomic():
            batch.refresh_from_db()
            batch.state = ImportState.FAILED
            batch.failure = message
            batch.failure_code = _failure_code(failed.error)
            batch.save(update_fields=["state", "failure", "failure_code"])
            _audit(actor, feed, batch, None, error=message)
        return batch
    batch.refresh_from_db()
    return batch


# --- pushes and drops: stored now, imported by the worker ----------------------------------------
def submit(
    feed_name: str,
    uploaded_file: Any,
    actor: Any,
    *,
    batch_id: str = "",
    options: dict[str, Any] | None = None,
    channel: str = ImportChannel.PUSH,
) -> tuple[ImportBatch, bool]:
    """Store the file as a batch "queued" for the worker (`process`); no row is read yet.
    Returns (batch, created). A `batch_id` already used for the feed by the same sender
    returns (that earlier batch, False) unchanged, whatever its state (used by another
    sender: ImportFileError("import.batch_conflict")). Two submits with one batch id at the same
    moment: the unique constraint on (feed, batch_id) lets one create the batch, the other
    gets ImportFileError("import.batch_conflict").
    Raises PermissionDenied (feed.may_import), ImportFileError."""
    feed = _feed_for(feed_name)
    if not feed.may_import(actor):
        raise PermissionDenied(f"import.{feed.name}")
    if channel not in ImportChannel.values:
        raise ValueError(f"Unknown import channel {channel!r}.")
    batch_id = (batch_id or "").strip()
    if len(batch_id) > ImportBatch._meta.get_field("batch_id").max_length:  # type: ignore[operator]
        raise ImportFileError("import.batch_id", _("The batch id is longer than 100 characters."))
    if batch_id:
        earlier = ImportBatch.objects.filter(feed=feed.name, batch_id=batch_id).first()
        if earlier is not None:
            if earlier.uploaded_by_id != getattr(actor, "pk", None):
                # Another sender's batch: neither its result nor its file is this one's.
                raise ImportFileError(
                    "import.batch_conflict",
                    _("This batch id was already used by another sender for this import."),
                )
            return earlier, False
    upload = _as_file(uploaded_file)
    name = os.path.basename(upload.name or "") or "upload"
    sha, size = _digest(upload)
    if not size:
        raise _empty_error()
    batch = ImportBatch(
        feed=feed.name,
        name=name[:255],
        size=size,
        sha256=sha,
        batch_id=batch_id,
        options=dict(options or {}),
        channel=channel,
        state=ImportState.QUEUED,
        uploaded_by=actor,
    )
    batch.file.save(_storage_name(name), upload, save=False)
    try:
        _save_new(batch)
    except BaseException:
        batch.file.delete(save=False)
        raise
    return batch, True


def process(batch: ImportBatch, actor: Any = None) -> ImportBatch:
    """The worker's side of `submit`: import a "queued" batch (any other batch is returned
    unchanged, so running it twice imports once). Reads the stored file, stores the good
    rows in ONE transaction through `feed.store` (rows held "to confirm" are not stored:
    they and the bad rows are kept as ImportIssue rows), with one audit entry by `actor`
    (default: the uploader). A file the feed already imported → "duplicate_file" with
    `duplicate_of`; a file-level error (headers, encoding, format) or a store failure →
    "failed" with `failure`, nothing stored. A worker killed half-way rolls back and leaves
    the batch "queued" for the next run. The uploader's right to import was checked by
    `submit`."""
    batch.refresh_from_db()
    if batch.state != ImportState.QUEUED:
        return batch
    feed = _feed_for(batch.feed)
    actor = actor if actor is not None else batch.uploaded_by
    try:
        return _import(feed, batch, actor, only_state=ImportState.QUEUED)
    except ImportFileError as exc:
        if exc.code != "import.already_imported":
            raise
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != ImportState.QUEUED:
            return locked
        locked.state = ImportState.DUPLICATE_FILE
        locked.duplicate_of = (
            ImportBatch.objects.filter(
                feed=locked.feed, sha256=locked.sha256, state=ImportState.IMPORTED
            )
            .exclude(pk=locked.pk)
            .order_by("imported_at", "pk")
            .first()
        )
        locked.save(update_fields=["state", "duplicate_of"])
    return locked


def _store_all(feed: Feed, batch: ImportBatch, actor: Any, *, accept_held: bool) -> StoreResult:
    context = Context(batch=batch, actor=actor, options=dict(batch.options or {}), mode="confirm")
    batch.issues.all().delete()  # written again from this pass: what was stored, and why not
    total = StoreResult()
    chunk: list[Row] = []
    size = max(1, feed.chunk_size)

    def keep(row: Row) -> None:
        nonlocal total, chunk
        if row.status == "ok" or (accept_held and row.status == "to_confirm"):
            chunk.append(row)
            if len(chunk) >= size:
                total += feed.store(chunk, context) or StoreResult()
                chunk = []

    batch.file.open("rb")
    try:
        with open_table(batch.file, batch.name) as table:
            run = _Run(feed, context, table)
            feed.prepare(context)
            _scan(batch, run, keep)
    finally:
        batch.file.close()
    if chunk:
        total += feed.store(chunk, context) or StoreResult()
    batch.created_rows = total.created
    batch.updated_rows = total.updated
    batch.unchanged_rows = total.unchanged
    batch.save(update_fields=[*COUNT_FIELDS, "created_rows", "updated_rows", "unchanged_rows"])
    return total


def _audit(
    actor: Any, feed: Feed, batch: ImportBatch, result: StoreResult | None, error: str = ""
) -> None:
    # core is layer 1 and imports nothing of the project at module level; the audit trail
    # is reached through a lazy import, as the architecture allows for this one call.
    from fuyuan.audit.record import record

    detail: dict[str, Any] = {
        "feed": feed.name,
        "file": batch.name,
        "sha256": batch.sha256,
        "size": batch.size,
        "batch_id": batch.batch_id,
        "counts": {
            "total": batch.total_rows,
            "ok": batch.ok_rows,
            "error": batch.error_rows,
            "held": batch.held_rows,
            "duplicate": batch.duplicate_rows,
        },
    }
    if result is not None:
        detail["stored"] = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        detail["accepted_held"] = batch.accepted_held
        if batch.accepted_held:
            detail["held_reason"] = batch.held_reason
        record(actor, f"import.{feed.name}", batch, detail=detail)
    else:
        detail["error"] = error
        record(actor, f"import.{feed.name}", batch, detail=detail, outcome="failed")


# --- the preview page's data ---------------------------------------------------------------------
def issues_page(
    batch: ImportBatch, page: Any, per_page: int = 50, *, level: str = ""
) -> Page[ImportIssue]:
    """A page of the batch's issues in row order; each issue also carries `column_label`
    and `cells` [(header, text, is_the_issue's_column)] for the table."""
    issues = batch.issues.order_by("row_number", "pk")
    if level:
        issues = issues.filter(level=level)
    result = Paginator(issues, per_page).get_page(page)
    try:
        feed: Feed | None = get(batch.feed)
    except KeyError:
        feed = None
    header_map = batch.header_map or {}
    items = list(result.object_list)
    for issue in items:
        column = feed.column(issue.column) if feed and issue.column else None
        issue.column_label = str(column.label) if column else issue.column  # type: ignore[attr-defined]
        issue.cells = [  # type: ignore[attr-defined]
            (header, text, bool(issue.column) and header_map.get(header) == issue.column)
            for header, text in (issue.raw or [])
        ]
    result.object_list = items
    return result
