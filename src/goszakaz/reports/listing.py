"""Staff lists (issue 12): one definition per list (its rows, search, filters, sortable columns)
read by the page, 100 rows a page with the total, and by its XLSX export, so that the file holds
exactly the rows the filters select, in the page's order.

A list is a `StaffList`; `select(spec, scope, params)` reads a request's query (`q`, each
filter's key, `sort` = a column key, "-" first for descending) into a `Selection`, keeping only
known filters, known choices and sortable columns; `page()` cuts it into pages; `write_xlsx()`
writes it whole (every text cell through `files.safe_cell`). `REGISTRY` finds a list by its key,
for the background export of a large selection (`workflows.jobs`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import F, Model, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from goszakaz.files import safe_cell
from goszakaz.registry.models import City

PAGE_SIZE = 100
EXPORT_NOW = 5_000  # a larger selection is exported by a background job
Text = str | Promise


@dataclass(frozen=True)
class Scope:
    """Whose rows: a city's (EDU, or the operator's city filter) or every city's (None); a
    bank's own (BANK); `within` the record a list belongs to (a funding request's lines, an
    allocation run's seats), by its id."""

    city: City | None = None
    bank: str = ""
    within: int | None = None


@dataclass(frozen=True)
class Column:
    """A column: its title, the cell's value from a row (`kind` says how it is written: text,
    number, money in tiyn, date, datetime), and the ordering it sorts by ("" when it does not)."""

    key: str
    title: Text
    value: Callable[[Any], object]
    kind: str = "text"
    sort: str | Sequence[str] = ""
    link: Callable[[Any], str | None] | None = None

    @property
    def orders(self) -> tuple[str, ...]:
        if isinstance(self.sort, str):
            return (self.sort,) if self.sort else ()
        return tuple(self.sort)


@dataclass(frozen=True)
class Filter:
    """A filter: its title, its choices for the scope (value, label), and how a chosen value
    narrows the rows. `scoped`: shown only when the scope has no city (the operator's city)."""

    key: str
    title: Text
    choices: Callable[[Scope], Sequence[tuple[str, Text]]]
    apply: Callable[[QuerySet[Any], str], QuerySet[Any]]
    all_cities_only: bool = False
    default: Callable[[Scope], str] | None = None  # the choice a list opens with ("all": "")


@dataclass(frozen=True)
class StaffList:
    """A staff list: `rows(scope)` the queryset of everything the scope may see, `search(rows,
    text)` what a search box finds, `child(row)` which child a row shows (its reads are
    audited), `default_sort` a column key."""

    key: str
    title: Text
    rows: Callable[[Scope], QuerySet[Any]]
    columns: tuple[Column, ...]
    search: Callable[[QuerySet[Any], str], QuerySet[Any]] | None = None
    search_hint: Text = ""
    filters: tuple[Filter, ...] = ()
    default_sort: str = ""
    child: Callable[[Any], int | None] | None = None
    # what the rows need beside their own fields, read once for a page (or an export's chunk)
    prepare: Callable[[list[Any]], None] | None = None

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key and c.orders), None)

    def filters_for(self, scope: Scope) -> tuple[Filter, ...]:
        return tuple(f for f in self.filters if scope.city is None or not f.all_cities_only)


@dataclass(frozen=True)
class Selection:
    """A list as a request selects it: the search text, the chosen filters, the sort."""

    spec: StaffList
    scope: Scope
    search: str = ""
    chosen: Mapping[str, str] = field(default_factory=dict)
    sort: str = ""

    def queryset(self) -> QuerySet[Any]:
        rows = self.spec.rows(self.scope)
        if self.search and self.spec.search is not None:
            rows = self.spec.search(rows, self.search)
        for f in self.spec.filters_for(self.scope):
            if self.chosen.get(f.key):
                rows = f.apply(rows, self.chosen[f.key])
        key = self.sort.lstrip("-")
        column = self.spec.column(key) or self.spec.column(self.spec.default_sort.lstrip("-"))
        descending = self.sort.startswith("-") if self.spec.column(key) else \
            self.spec.default_sort.startswith("-")
        # a blank sorts as the largest value, in both databases and both directions: so that
        # PostgreSQL reads an ascending order from its index forwards and a descending one
        # backwards (its own default), and the last page reversed (`Pages`)
        orders = [F(o).desc(nulls_first=True) if descending else F(o).asc(nulls_last=True)
                  for o in column.orders] if column else []
        return rows.order_by(*orders, "-pk" if descending else "pk")

    def params(self, **changes: str) -> dict[str, str]:
        """The selection as query parameters (what a job needs to export it again); a filter
        with a default is kept even at "all" (empty), so that it stays "all"."""
        keep = {f.key for f in self.spec.filters if f.default is not None}
        out = {"q": self.search, **dict.fromkeys(keep, ""), **self.chosen, "sort": self.sort}
        out.update(changes)
        return {k: v for k, v in out.items() if v or k in keep}

    def query(self, **changes: str) -> str:
        """The selection's query string with `changes` (a page, a sort), for links."""
        return urlencode(self.params(**changes))

    def sort_link(self, key: str) -> str:
        """The query that sorts by a column, or reverses it when it is the current sort."""
        current = self.sort or self.spec.default_sort
        return self.query(sort=("" if current == "-" + key else "-") + key
                          if current.lstrip("-") == key else key)


def select(spec: StaffList, scope: Scope, params: Mapping[str, str]) -> Selection:
    """Read a request's query: unknown filters, choices outside a filter's own and sorts by an
    unsortable column are dropped (never an error page, never a raw query)."""
    search = " ".join(str(params.get("q", "")).split())[:100]
    chosen: dict[str, str] = {}
    for f in spec.filters_for(scope):
        if f.key not in params and f.default is not None:  # never chosen, not even "all"
            value = f.default(scope)
        else:
            value = str(params.get(f.key, ""))
        if value and value in {str(v) for v, _label in f.choices(scope)}:
            chosen[f.key] = value
    sort = str(params.get("sort", ""))
    if spec.column(sort.lstrip("-")) is None:
        sort = ""
    return Selection(spec, scope, search, chosen, sort)


class Pages(Paginator):  # type: ignore[type-arg]
    """Django's Paginator, but a page in the second half of the list is read from its end: the
    rows in the reversed order, then turned back, so that the last page costs what the first
    does (an OFFSET of 199,900 rows reads them all)."""

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows = self.object_list
        if bottom > self.count // 2 and isinstance(rows, QuerySet) and rows.ordered:
            from_end = rows.reverse()[self.count - top:self.count - bottom]
            return Page(list(reversed(list(from_end))), number, self)
        return Page(rows[bottom:top], number, self)


def page(selection: Selection, number: str | int | None) -> Page[Any]:
    """One page of 100 rows (the last one when `number` is beyond it, the first when it is not a
    number); `page.paginator.count` is the total."""
    return Pages(selection.queryset(), PAGE_SIZE).get_page(number)


def children_of(spec: StaffList, rows: Iterable[Any]) -> list[int]:
    """The children the rows show (for the audited read)."""
    if spec.child is None:
        return []
    return [c for c in map(spec.child, rows) if c]


# Searching by a child's number or name
DIGITS = re.compile(r"\d{1,12}")


def iin_or_name(iin: str, name: str) -> Callable[[QuerySet[Any], str], QuerySet[Any]]:
    """A search box for children: twelve digits find that IIN, fewer its beginning (the birth
    date: 2102 finds those born in February 2021), anything else every word in the name."""
    def search(rows: QuerySet[Any], text: str) -> QuerySet[Any]:
        compact = text.replace(" ", "")
        if DIGITS.fullmatch(compact):
            return rows.filter(**{iin if len(compact) == 12 else f"{iin}__startswith": compact})
        condition = Q()
        for word in text.split():  # LOWER() folds every alphabet (registry.apps on SQLite)
            condition &= Q(_folded__contains=word.lower())
        found: QuerySet[Any] = rows.annotate(_folded=Lower(name)).filter(condition)
        return found
    return search


# The export
def cell_value(column: Column, row: Any) -> object:
    """A cell for the file: money as tenge with two decimals (exact), text made formula-safe."""
    value = column.value(row)
    if value is None:
        return None
    if column.kind == "money":
        return Decimal(int(value)) / 100  # type: ignore[call-overload]
    if column.kind == "datetime" and isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, Promise):
        value = str(value)
    return safe_cell(value)


FORMATS = {"money": "# ##0.00", "date": "DD.MM.YYYY", "datetime": "DD.MM.YYYY HH:MM"}


def write_xlsx(selection: Selection, out: IO[bytes], *,
               progress: Callable[[int], None] | None = None, chunk: int = 2000) -> int:
    """The whole selection as one sheet (a header row, then a row per list row, in the page's
    order) into `out`; returns the number of rows. `progress(n)` is told every `chunk` rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", str(selection.spec.title))[:31])
    header = []
    for c in selection.spec.columns:
        head = WriteOnlyCell(sheet, value=safe_cell(str(c.title)))
        head.font = Font(bold=True)
        header.append(head)
    sheet.append(header)
    n = 0
    for row in _iterate(selection.queryset(), chunk, selection.spec.prepare):
        cells = []
        for c in selection.spec.columns:
            cell = WriteOnlyCell(sheet, value=cell_value(c, row))
            if c.kind in FORMATS:
                cell.number_format = FORMATS[c.kind]
            cells.append(cell)
        sheet.append(cells)
        n += 1
        if progress is not None and n % chunk == 0:
            progress(n)
    book.save(out)
    return n


def xlsx_bytes(selection: Selection) -> bytes:
    """`write_xlsx` into memory (a selection small enough to answer at once)."""
    out = io.BytesIO()
    write_xlsx(selection, out)
    return out.getvalue()


def _iterate(rows: QuerySet[Any], chunk: int,
             prepare: Callable[[list[Any]], None] | None = None) -> Iterator[Model]:
    """The rows in their order, a chunk at a time, each chunk prepared (StaffList.prepare)."""
    batch: list[Any] = []
    for row in rows.iterator(chunk_size=chunk):
        batch.append(row)
        if len(batch) == chunk:
            if prepare is not None:
                prepare(batch)
            yield from batch
            batch = []
    if prepare is not None and batch:
        prepare(batch)
    yield from batch


# The lists, by key (filled by reports.lists)
REGISTRY: dict[str, StaffList] = {}


def register(spec: StaffList) -> StaffList:
    """Make a list findable by its key (a background export names it)."""
    REGISTRY[spec.key] = spec
    return spec


def yes_no(value: bool) -> Text:
    """A flag in words."""
    return _("yes") if value else _("no")
