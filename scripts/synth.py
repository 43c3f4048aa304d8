"""Deterministic synthetic retail data with planted customer segments.

Usage::

    python scripts/synth.py --customers N [--orders M] --seed S \\
        --format csv|parquet --out DIR [--truth PATH] [--dirty-rows K]

Writes three files:

* ``DIR/demo_customers.<ext>``: customer_id, gender, age, annual_income_k, spending_score,
  signup_date, email, marketing_opt_in
* ``DIR/demo_orders.<ext>``: order_id, customer_id, order_date, amount, category, channel
* the truth file (``--truth PATH``, default ``DIR/demo_truth.<ext>``): customer_id,
  planted_segment. The planted persona is never written into the customers or orders files.

Every customer is drawn from one of six personas (:data:`PERSONAS`) that differ in age,
income, spending score, gender mix, opt-in rate, order frequency, basket size, recency
(some personas lapse), preferred categories and channel. The personas overlap, as real
segments do, but are separable enough on standardised (age, annual_income_k,
spending_score) that K-Means recovers them with an adjusted Rand index of roughly 0.8.

Determinism: all randomness comes from one ``numpy.random.Generator(PCG64(seed))`` drawn
in a fixed order, and the order window ends at the fixed as-of date :data:`AS_OF`
(2026-06-30), never today. The same arguments therefore give byte-identical files. The
clean rows are drawn before any dirty row, so ``--dirty-rows`` never changes them.

Dirty rows (``--dirty-rows K``, default 0): K customer rows are *appended* after the N
clean customers, cycling through :data:`DIRTY_CUSTOMER_KINDS` (missing id, duplicate id,
age 150, age -3, negative income, spending score 0 and 101, unparseable age/income, and
four gender spellings to normalise). When K > 0 three bad orders are appended after the M
clean orders (:data:`DIRTY_ORDER_KINDS`: negative amount, unknown customer id, missing
order_date). Dirty customer rows are **not** in the truth file: the truth lists exactly
the N clean customers (the duplicate-id row shares its id with a clean customer, whose
persona the truth gives). So the customers file has N + K rows, the orders file M + 3
rows when K > 0 (M otherwise), and the truth file N rows.

CSV files hold every value as text exactly as planted ("thirty" stays "thirty", age 150 stays
150), with a header row, LF line ends, ISO dates, ``true``/``false`` booleans, amounts with
two decimals, no quoting and empty fields for missing values. Parquet files are typed
(int32 numbers, date32 dates, decimal(12,2) amounts), so a value a typed export cannot
hold ("thirty", an empty income) is written as null there.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

AS_OF = date(2026, 6, 30)
"""Last day of the order window; fixed so that output never depends on today's date."""
WINDOW_DAYS = 730
"""Orders fall in the WINDOW_DAYS days ending on AS_OF (2024-07-01 .. 2026-06-30)."""
ORDERS_PER_CUSTOMER = 8
"""Default --orders is this many orders per customer."""
CHUNK_ROWS = 2_000_000
"""Rows per written chunk (one Parquet row group), which bounds the memory of string columns."""

CATEGORIES = ("apparel", "beauty", "electronics", "home", "grocery", "sports")
CHANNELS = ("online", "store")
CATEGORY_PRICE = np.array([1.0, 0.7, 2.4, 1.3, 0.45, 1.1])
"""Basket-size multiplier per category, in CATEGORIES order (electronics cost more)."""

CUSTOMER_COLUMNS = (
    "customer_id",
    "gender",
    "age",
    "annual_income_k",
    "spending_score",
    "signup_date",
    "email",
    "marketing_opt_in",
)
ORDER_COLUMNS = ("order_id", "customer_id", "order_date", "amount", "category", "channel")
TRUTH_COLUMNS = ("customer_id", "planted_segment")

CUSTOMER_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("gender", pa.string()),
        ("age", pa.int32()),
        ("annual_income_k", pa.int32()),
        ("spending_score", pa.int32()),
        ("signup_date", pa.date32()),
        ("email", pa.string()),
        ("marketing_opt_in", pa.bool_()),
    ]
)
ORDER_SCHEMA = pa.schema(
    [
        ("order_id", pa.string()),
        ("customer_id", pa.string()),
        ("order_date", pa.date32()),
        ("amount", pa.decimal128(12, 2)),
        ("category", pa.string()),
        ("channel", pa.string()),
    ]
)
TRUTH_SCHEMA = pa.schema([("customer_id", pa.string()), ("planted_segment", pa.string())])

FORMATS = {"csv": "csv", "parquet": "parquet"}
"""--format value -> file extension."""


@dataclass(frozen=True)
class Persona:
    """One planted customer segment: how its customers look and how they shop."""

    name: str
    share: float
    age: tuple[float, float]  # mean, standard deviation (years)
    income: tuple[float, float]  # mean, sd (thousands)
    score: tuple[float, float]  # mean, sd (1-100)
    p_female: float
    p_opt_in: float
    order_rate: float  # relative order frequency
    amount_median: float  # median basket before the category multiplier
    amount_sigma: float  # lognormal sigma of the basket
    p_online: float
    p_lapsed: float  # share whose last order was 4-18 months before AS_OF
    categories: tuple[float, float, float, float, float, float]  # CATEGORIES order


# Columns: name, share, age, income, score (mean, sd), p_female, p_opt_in,
#          order_rate, amount_median, amount_sigma, p_online, p_lapsed, category preferences
PERSONAS: tuple[Persona, ...] = (
    Persona(
        "Young High Spenders", 0.14, (26, 5.0), (84, 14), (83, 10), 0.60, 0.92,
        1.9, 62.0, 0.55, 0.78, 0.05, (0.34, 0.24, 0.20, 0.05, 0.05, 0.12),
    ),
    Persona(
        "Affluent Careful Buyers", 0.12, (47, 9.0), (112, 16), (18, 10), 0.44, 0.74,
        0.55, 95.0, 0.50, 0.35, 0.22, (0.14, 0.05, 0.30, 0.36, 0.10, 0.05),
    ),
    Persona(
        "Budget Seniors", 0.16, (67, 7.5), (32, 11), (38, 12), 0.57, 0.80,
        0.75, 24.0, 0.45, 0.14, 0.35, (0.06, 0.06, 0.04, 0.24, 0.55, 0.05),
    ),
    Persona(
        "Average Regulars", 0.26, (43, 9.0), (58, 12), (50, 10), 0.50, 0.87,
        1.0, 42.0, 0.55, 0.46, 0.12, (0.20, 0.10, 0.15, 0.20, 0.25, 0.10),
    ),
    Persona(
        "Young Budget Browsers", 0.18, (23, 4.5), (28, 10), (72, 11), 0.55, 0.90,
        0.6, 21.0, 0.50, 0.82, 0.42, (0.36, 0.22, 0.18, 0.04, 0.10, 0.10),
    ),
    Persona(
        "Loyal Families", 0.14, (37, 6.0), (92, 12), (58, 10), 0.62, 0.93,
        1.45, 55.0, 0.45, 0.50, 0.04, (0.16, 0.05, 0.10, 0.24, 0.30, 0.15),
    ),
)  # fmt: skip

DIRTY_CUSTOMER_KINDS: tuple[tuple[str, str, str | None], ...] = (
    ("missing_customer_id", "customer_id", None),
    ("duplicate_customer_id", "customer_id", "<id of an existing clean customer>"),
    ("age_too_high", "age", "150"),
    ("age_negative", "age", "-3"),
    ("income_negative", "annual_income_k", "-40"),
    ("score_zero", "spending_score", "0"),
    ("score_too_high", "spending_score", "101"),
    ("unparseable_numbers", "age, annual_income_k", "age 'thirty', annual_income_k ''"),
    ("gender_M", "gender", "M"),
    ("gender_f", "gender", "f"),
    ("gender_padded", "gender", " Female "),
    ("gender_MALE", "gender", "MALE"),
)
"""(kind, column, planted value) of each dirty customer row; row i is kind i mod 12."""

DIRTY_ORDER_KINDS: tuple[tuple[str, str], ...] = (
    ("negative_amount", "amount"),
    ("unknown_customer_id", "customer_id"),
    ("missing_order_date", "order_date"),
)
"""(kind, column) of the bad orders appended when --dirty-rows > 0, in file order."""


class UsageError(Exception):
    """A bad command-line argument; the message names the problem and the fix."""


@dataclass(frozen=True)
class Config:
    """Validated generator arguments."""

    customers: int
    orders: int
    seed: int
    fmt: str
    out: Path
    truth: Path
    truth_fmt: str
    dirty_rows: int


@dataclass(frozen=True)
class CustomerDraw:
    """Vectorised attributes of the clean customers (index i is customer number i + 1)."""

    persona: np.ndarray  # int8 index into PERSONAS
    female: np.ndarray  # bool
    age: np.ndarray  # int32
    income: np.ndarray  # int32
    score: np.ndarray  # int32
    opt_in: np.ndarray  # bool
    signup: np.ndarray  # int32 days since 1970-01-01
    first_day: np.ndarray  # int32, earliest possible order day
    last_day: np.ndarray  # int32, latest possible order day


@dataclass(frozen=True)
class OrderDraw:
    """Vectorised clean orders, already in order_id (chronological) order."""

    customer: np.ndarray  # int32 customer index
    day: np.ndarray  # int32 days since 1970-01-01
    cents: np.ndarray  # int64 amount in cents
    category: np.ndarray  # int8 index into CATEGORIES
    online: np.ndarray  # bool


# ---------------------------------------------------------------------------------------------
# numeric draws


def as_of_day() -> int:
    """Return AS_OF as days since 1970-01-01."""
    return int(np.datetime64(AS_OF.isoformat(), "D").astype(np.int64))


def _persona_params(attr: str) -> np.ndarray:
    """Return one persona attribute as a float array indexed by persona number (2-D for tuples)."""
    return np.array([getattr(p, attr) for p in PERSONAS], dtype=np.float64)


def _normal_int(
    rng: np.random.Generator, persona: np.ndarray, attr: str, low: int, high: int
) -> np.ndarray:
    """Return int32 draws of Normal(persona mean, persona sd), rounded, clipped to [low, high]."""
    params = _persona_params(attr)  # shape (personas, 2): mean, sd
    values = params[persona, 0] + params[persona, 1] * rng.standard_normal(persona.size)
    return np.clip(np.rint(values), low, high).astype(np.int32)


def draw_personas(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return n persona indices (int8) drawn with the persona shares."""
    shares = _persona_params("share")
    return rng.choice(len(PERSONAS), size=n, p=shares / shares.sum()).astype(np.int8)


def draw_customers(rng: np.random.Generator, n: int) -> CustomerDraw:
    """Return the attributes and order windows of n clean customers.

    Each customer gets a last possible order day (0-60 days before AS_OF, or 4-18 months
    before it for lapsed customers), a signup day at least 14 days before that, and a
    first possible order day of max(signup + 1, start of the window).
    """
    persona = draw_personas(rng, n)
    female = rng.random(n) < _persona_params("p_female")[persona]
    age = _normal_int(rng, persona, "age", 18, 90)
    income = _normal_int(rng, persona, "income", 15, 140)
    score = _normal_int(rng, persona, "score", 1, 100)
    opt_in = rng.random(n) < _persona_params("p_opt_in")[persona]
    lapsed = rng.random(n) < _persona_params("p_lapsed")[persona]
    recent_gap = np.minimum(rng.exponential(12.0, n), 60.0)
    lapsed_gap = rng.uniform(120.0, 540.0, n)
    end_gap = np.where(lapsed, lapsed_gap, recent_gap).astype(np.int32)
    tenure = (14 + rng.integers(0, 1800, n)).astype(np.int32)
    end = as_of_day()
    last_day = (end - end_gap).astype(np.int32)
    signup = (last_day - tenure).astype(np.int32)
    first_day = np.maximum(signup + 1, end - WINDOW_DAYS + 1).astype(np.int32)
    return CustomerDraw(persona, female, age, income, score, opt_in, signup, first_day, last_day)


def draw_orders(rng: np.random.Generator, customers: CustomerDraw, n_orders: int) -> OrderDraw:
    """Return exactly n_orders clean orders sorted by date (the order_id order).

    Orders are spread over customers by a multinomial draw whose weights are the persona
    order rate times a Gamma(2) individual propensity (lapsed customers, with a shorter
    active span, get proportionally fewer). Dates are uniform in each customer's window,
    categories and channel follow the persona preferences and amounts are lognormal around
    the persona median times the category price multiplier.
    """
    persona = customers.persona
    span = (customers.last_day - customers.first_day + 1).astype(np.float64)
    weight = _persona_params("order_rate")[persona] * rng.gamma(2.0, 0.5, persona.size)
    weight *= 0.4 + 0.6 * span / WINDOW_DAYS
    counts = rng.multinomial(n_orders, weight / weight.sum())
    cust = np.repeat(np.arange(persona.size, dtype=np.int32), counts)
    order_persona = persona[cust]
    first = customers.first_day[cust]
    width = customers.last_day[cust] - first + 1
    day = first + (rng.random(n_orders) * width).astype(np.int32)
    category = _draw_categories(rng, order_persona)
    online = rng.random(n_orders) < _persona_params("p_online")[order_persona]
    log_amount = np.log(_persona_params("amount_median")[order_persona] * CATEGORY_PRICE[category])
    log_amount += _persona_params("amount_sigma")[order_persona] * rng.standard_normal(n_orders)
    cents = np.maximum(np.rint(np.exp(log_amount) * 100.0), 1).astype(np.int64)
    offset = (day - (as_of_day() - WINDOW_DAYS + 1)).astype(np.int16)  # 0..729: radix sort
    perm = np.argsort(offset, kind="stable")
    return OrderDraw(cust[perm], day[perm], cents[perm], category[perm], online[perm])


def _draw_categories(rng: np.random.Generator, order_persona: np.ndarray) -> np.ndarray:
    """Return an int8 category index per order from its persona's category preferences."""
    u = rng.random(order_persona.size)
    category = np.empty(order_persona.size, dtype=np.int8)
    for index, persona in enumerate(PERSONAS):
        mask = order_persona == index
        cdf = np.cumsum(persona.categories)
        cdf /= cdf[-1]
        category[mask] = np.minimum(np.searchsorted(cdf, u[mask], side="right"), len(cdf) - 1)
    return category


# ---------------------------------------------------------------------------------------------
# arrow columns


def id_width(prefix: str, largest: int) -> int:
    """Return the zero-padded digit count for ids up to `largest` (at least 6 for C, 7 for O)."""
    minimum = 6 if prefix == "C" else 7
    return max(minimum, len(str(largest)))


def make_ids(prefix: str, start: int, count: int, width: int) -> pa.Array:
    """Return a string array prefix + zero-padded numbers start .. start + count - 1."""
    digits = pc.cast(pa.array(np.arange(start, start + count, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(digits, width=width, padding="0"), "")


def _days(values: np.ndarray) -> pa.Array:
    """Return a date32 array from int32 days since 1970-01-01."""
    return pa.array(values.astype(np.int32), type=pa.int32()).cast(pa.date32())


def _decimal_cents(cents: np.ndarray) -> pa.Array:
    """Return a decimal128(12, 2) array holding int64 cents exactly (no float rounding)."""
    words = np.empty((cents.size, 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension into the high 64 bits
    return pa.Array.from_buffers(pa.decimal128(12, 2), cents.size, [None, pa.py_buffer(words)])


def customer_table(draw: CustomerDraw, ids: pa.Array, lo: int, hi: int) -> pa.Table:
    """Return the clean customers lo .. hi - 1 as a table with CUSTOMER_SCHEMA."""
    chunk_ids = ids.slice(lo, hi - lo)
    gender = pa.array(["Male", "Female"]).take(pa.array(draw.female[lo:hi].astype(np.int8)))
    email = pc.binary_join_element_wise(pc.utf8_lower(chunk_ids), "@example.com", "")
    columns = [
        chunk_ids,
        gender,
        pa.array(draw.age[lo:hi]),
        pa.array(draw.income[lo:hi]),
        pa.array(draw.score[lo:hi]),
        _days(draw.signup[lo:hi]),
        email,
        pa.array(draw.opt_in[lo:hi]),
    ]
    return pa.Table.from_arrays(columns, schema=CUSTOMER_SCHEMA)


def order_table(draw: OrderDraw, customer_ids: pa.Array, lo: int, hi: int, width: int) -> pa.Table:
    """Return the clean orders lo .. hi - 1 (order ids O lo+1 ..) with ORDER_SCHEMA."""
    columns = [
        make_ids("O", lo + 1, hi - lo, width),
        customer_ids.take(pa.array(draw.customer[lo:hi])),
        _days(draw.day[lo:hi]),
        _decimal_cents(draw.cents[lo:hi]),
        pa.array(CATEGORIES).take(pa.array(draw.category[lo:hi])),
        pa.array(CHANNELS).take(pa.array((~draw.online[lo:hi]).astype(np.int8))),
    ]
    return pa.Table.from_arrays(columns, schema=ORDER_SCHEMA)


def truth_table(draw: CustomerDraw, ids: pa.Array) -> pa.Table:
    """Return customer_id, planted_segment for every clean customer."""
    names = pa.array([p.name for p in PERSONAS]).take(pa.array(draw.persona))
    return pa.Table.from_arrays([ids, names], schema=TRUTH_SCHEMA)


# ---------------------------------------------------------------------------------------------
# dirty rows


def dirty_customer_rows(
    rng: np.random.Generator, draw: CustomerDraw, ids: pa.Array, k: int, width: int
) -> list[dict[str, str | None]]:
    """Return k dirty customer rows as text values (None = missing), kinds cycling in order.

    Base values come from a freshly drawn plausible customer; then the one planted defect
    of the kind is applied. Rows other than the missing/duplicate-id kinds get new ids
    following the clean ones.
    """
    n = draw.persona.size
    base = draw_customers(rng, k)
    dups = rng.integers(0, n, size=k)  # duplicated clean customer, one per duplicate row
    rows: list[dict[str, str | None]] = []
    next_id = n + 1
    for i in range(k):
        kind = DIRTY_CUSTOMER_KINDS[i % len(DIRTY_CUSTOMER_KINDS)][0]
        src, index = (draw, int(dups[i])) if kind == "duplicate_customer_id" else (base, i)
        customer_id = f"C{next_id:0{width}d}"
        if kind == "duplicate_customer_id":
            customer_id = ids[index].as_py()
        else:
            next_id += 1
        row = {
            "customer_id": customer_id,
            "gender": "Female" if src.female[index] else "Male",
            "age": str(src.age[index]),
            "annual_income_k": str(src.income[index]),
            "spending_score": str(src.score[index]),
            "signup_date": str(np.datetime64(int(src.signup[index]), "D")),
            "email": f"{customer_id.lower()}@example.com",
            "marketing_opt_in": "true" if src.opt_in[index] else "false",
        }
        _apply_customer_defect(row, kind)
        rows.append(row)
    return rows


def _apply_customer_defect(row: dict[str, str | None], kind: str) -> None:
    """Plant the defect `kind` into one text row in place."""
    patches: dict[str, dict[str, str | None]] = {
        "missing_customer_id": {"customer_id": None},
        "duplicate_customer_id": {"marketing_opt_in": _flip(row["marketing_opt_in"])},
        "age_too_high": {"age": "150"},
        "age_negative": {"age": "-3"},
        "income_negative": {"annual_income_k": "-40"},
        "score_zero": {"spending_score": "0"},
        "score_too_high": {"spending_score": "101"},
        "unparseable_numbers": {"age": "thirty", "annual_income_k": ""},
        "gender_M": {"gender": "M"},
        "gender_f": {"gender": "f"},
        "gender_padded": {"gender": " Female "},
        "gender_MALE": {"gender": "MALE"},
    }
    row.update(patches[kind])


def _flip(flag: str | None) -> str:
    """Return the opposite boolean text ('true' <-> 'false')."""
    return "false" if flag == "true" else "true"


def dirty_order_rows(
    rng: np.random.Generator,
    customers: CustomerDraw,
    ids: pa.Array,
    n_orders: int,
    unknown_id: str,
    width: int,
) -> list[dict[str, str | None]]:
    """Return the three bad orders (DIRTY_ORDER_KINDS) as text rows with ids after n_orders.

    The negative-amount and missing-date orders belong to real clean customers; the
    unknown-customer order points at `unknown_id`, which no customer row has.
    """
    picks = rng.integers(0, customers.persona.size, 3)
    rows: list[dict[str, str | None]] = []
    for offset, (kind, _column) in enumerate(DIRTY_ORDER_KINDS):
        c = int(picks[offset])
        day = int(customers.last_day[c])
        row = {
            "order_id": f"O{n_orders + offset + 1:0{width}d}",
            "customer_id": unknown_id if kind == "unknown_customer_id" else ids[c].as_py(),
            "order_date": None if kind == "missing_order_date" else str(np.datetime64(day, "D")),
            "amount": "-49.90" if kind == "negative_amount" else "35.00",
            "category": CATEGORIES[offset],
            "channel": CHANNELS[offset % 2],
        }
        rows.append(row)
    return rows


def text_rows_table(rows: list[dict[str, str | None]], columns: Sequence[str]) -> pa.Table:
    """Return text rows as an all-string table (for CSV, where values stay verbatim)."""
    return pa.table({c: pa.array([r[c] for r in rows], type=pa.string()) for c in columns})


def typed_rows_table(rows: list[dict[str, str | None]], schema: pa.Schema) -> pa.Table:
    """Return text rows cast to `schema`; text the type cannot hold ('thirty', '') becomes null."""
    arrays = []
    for field in schema:
        values = [_parse(r[field.name], field.type) for r in rows]
        arrays.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _parse(text: str | None, type_: pa.DataType) -> object:
    """Return text as a Python value of the arrow type, or None when it does not parse."""
    if text is None:
        return None
    if pa.types.is_string(type_):
        return text
    try:
        if pa.types.is_integer(type_):
            return int(text)
        if pa.types.is_date(type_):
            return date.fromisoformat(text)
        if pa.types.is_boolean(type_):
            return {"true": True, "false": False}[text]
        if pa.types.is_decimal(type_):
            return pa.scalar(text).cast(type_).as_py()
    except (ValueError, KeyError, pa.ArrowInvalid):
        return None
    raise TypeError(f"unsupported type {type_}")


# ---------------------------------------------------------------------------------------------
# writing


class TableSink:
    """Chunked writer of one CSV or Parquet file; writes to a temp name, renamed on close."""

    def __init__(self, path: Path, fmt: str, schema: pa.Schema) -> None:
        """Open `path` for writing tables of `schema` (CSV: every column written as text)."""
        self.path = path
        self.fmt = fmt
        self.tmp = path.with_name(f".{path.name}.tmp")
        if fmt == "parquet":
            self.schema = schema
            self.writer = pq.ParquetWriter(self.tmp, schema, compression="zstd")
        else:
            self.schema = pa.schema([(f.name, pa.string()) for f in schema])
            self.stream = open(self.tmp, "wb")  # noqa: SIM115 - closed in close()/abort()
            self.stream.write((",".join(schema.names) + "\n").encode())  # pyarrow quotes headers
            options = pacsv.WriteOptions(include_header=False, quoting_style="none")
            self.writer = pacsv.CSVWriter(self.stream, self.schema, write_options=options)
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        """Append `table` (typed, or all-string for CSV dirty rows) to the file."""
        if self.fmt == "csv":
            table = _as_text(table)
            _check_csv_safe(table)
        table = table.cast(self.schema)
        if self.fmt == "parquet":
            self.writer.write_table(table, row_group_size=CHUNK_ROWS)
        else:
            self.writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        """Finish the file and move it to its final name."""
        self.writer.close()
        if self.fmt == "csv":
            self.stream.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        """Close and remove the partial temp file."""
        try:
            self.writer.close()
            if self.fmt == "csv":
                self.stream.close()
        finally:
            self.tmp.unlink(missing_ok=True)


def _as_text(table: pa.Table) -> pa.Table:
    """Return `table` with every column cast to string (dates ISO, booleans true/false)."""
    return pa.Table.from_arrays(
        [pc.cast(col, pa.string()) for col in table.columns], names=table.column_names
    )


def _check_csv_safe(table: pa.Table) -> None:
    """Raise ValueError if any value would need CSV quoting (we write unquoted)."""
    for name, col in zip(table.column_names, table.columns, strict=True):
        if pc.any(pc.match_substring_regex(col, r'[,"\r\n]')).as_py():
            raise ValueError(f"column {name} holds a value that would need CSV quoting")


def write_chunks(
    path: Path, fmt: str, schema: pa.Schema, total: int, make: Callable[[int, int], pa.Table]
) -> TableSink:
    """Write make(lo, hi) for consecutive CHUNK_ROWS slices of 0 .. total; return the open sink.

    The caller may append more rows and must close (or abort) the returned sink.
    """
    sink = TableSink(path, fmt, schema)
    try:
        for lo in range(0, max(total, 1), CHUNK_ROWS):
            hi = min(lo + CHUNK_ROWS, total)
            sink.write(make(lo, hi))
    except BaseException:
        sink.abort()
        raise
    return sink


def _finish(sink: TableSink, extra: pa.Table | None) -> int:
    """Append `extra` rows if any, close the sink and return the number of rows written."""
    try:
        if extra is not None and extra.num_rows:
            sink.write(extra)
    except BaseException:
        sink.abort()
        raise
    sink.close()
    return sink.rows


# ---------------------------------------------------------------------------------------------
# orchestration


@dataclass(frozen=True)
class Result:
    """What generate() wrote: paths and row counts."""

    customers_path: Path
    orders_path: Path
    truth_path: Path
    customer_rows: int
    order_rows: int
    truth_rows: int


def _log(message: str) -> None:
    """Print one progress line to stderr."""
    print(message, file=sys.stderr, flush=True)


def generate(config: Config, log: Callable[[str], None] = _log) -> Result:
    """Draw and write the customers, orders and truth files; return paths and row counts."""
    started = time.perf_counter()
    ext = FORMATS[config.fmt]
    rng = np.random.Generator(np.random.PCG64(config.seed))
    n, k = config.customers, config.dirty_rows
    c_width = id_width("C", n + k + 1)
    o_width = id_width("O", config.orders + len(DIRTY_ORDER_KINDS))
    customers = draw_customers(rng, n)
    orders = draw_orders(rng, customers, config.orders)
    ids = make_ids("C", 1, n, c_width)
    dirty_customers = dirty_customer_rows(rng, customers, ids, k, c_width)
    unknown_id = f"C{n + k + 1:0{c_width}d}"
    bad_orders = (
        dirty_order_rows(rng, customers, ids, config.orders, unknown_id, o_width) if k else []
    )
    log(f"drew {n:,} customers and {config.orders:,} orders in {_since(started)}")

    out_customers = config.out / f"demo_customers.{ext}"
    sink = write_chunks(
        out_customers,
        config.fmt,
        CUSTOMER_SCHEMA,
        n,
        lambda lo, hi: customer_table(customers, ids, lo, hi),
    )
    n_customers = _finish(sink, _extra(dirty_customers, CUSTOMER_SCHEMA, config.fmt))
    log(f"wrote {n_customers:,} customers ({k} dirty) to {out_customers} in {_since(started)}")

    out_orders = config.out / f"demo_orders.{ext}"
    sink = write_chunks(
        out_orders,
        config.fmt,
        ORDER_SCHEMA,
        config.orders,
        lambda lo, hi: order_table(orders, ids, lo, hi, o_width),
    )
    n_orders = _finish(sink, _extra(bad_orders, ORDER_SCHEMA, config.fmt))
    log(f"wrote {n_orders:,} orders ({len(bad_orders)} bad) to {out_orders} in {_since(started)}")

    sink = TableSink(config.truth, config.truth_fmt, TRUTH_SCHEMA)
    n_truth = _finish(sink, truth_table(customers, ids))
    log(f"wrote {n_truth:,} truth rows to {config.truth}; done in {_since(started)}")
    return Result(out_customers, out_orders, config.truth, n_customers, n_orders, n_truth)


def _extra(rows: list[dict[str, str | None]], schema: pa.Schema, fmt: str) -> pa.Table | None:
    """Return dirty text rows as a table for `fmt` (verbatim text for CSV, typed for Parquet)."""
    if not rows:
        return None
    if fmt == "csv":
        return text_rows_table(rows, schema.names)
    return typed_rows_table(rows, schema)


def _since(started: float) -> str:
    """Return the elapsed seconds since `started` formatted like '1.2 s'."""
    return f"{time.perf_counter() - started:.1f} s"


# ---------------------------------------------------------------------------------------------
# command line


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the CLI."""
    parser = argparse.ArgumentParser(
        prog="python scripts/synth.py",
        description="Generate deterministic synthetic retail customers and orders with "
        "planted segments (and a separate truth file).",
    )
    parser.add_argument("--customers", type=int, required=True, help="number of clean customers")
    parser.add_argument(
        "--orders",
        type=int,
        default=None,
        help=f"exact number of clean orders (default {ORDERS_PER_CUSTOMER} per customer)",
    )
    parser.add_argument("--seed", type=int, required=True, help="random seed (>= 0)")
    parser.add_argument("--format", choices=sorted(FORMATS), required=True, dest="fmt")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--truth", type=Path, default=None, help="truth file path (default OUT/demo_truth.<ext>)"
    )
    parser.add_argument(
        "--dirty-rows",
        type=int,
        default=0,
        help="dirty customer rows to append (plus 3 bad orders when > 0)",
    )
    return parser


def make_config(args: argparse.Namespace) -> Config:
    """Return a validated Config from parsed arguments; raise UsageError naming the fix."""
    if args.customers < 1:
        raise UsageError(
            f"--customers must be at least 1 (got {args.customers}); pass e.g. --customers 3000"
        )
    orders = ORDERS_PER_CUSTOMER * args.customers if args.orders is None else args.orders
    if orders < 0:
        raise UsageError(f"--orders must be 0 or more (got {orders}); omit it for the default")
    if args.seed < 0:
        raise UsageError(f"--seed must be 0 or more (got {args.seed}); pass e.g. --seed 7")
    if args.dirty_rows < 0:
        raise UsageError(f"--dirty-rows must be 0 or more (got {args.dirty_rows}); use 0 for none")
    truth = args.truth or args.out / f"demo_truth.{FORMATS[args.fmt]}"
    truth_fmt = {".csv": "csv", ".parquet": "parquet"}.get(truth.suffix.lower())
    if truth_fmt is None:
        raise UsageError(
            f"--truth {truth} must end in .csv or .parquet; e.g. --truth tests/data/demo_truth.csv"
        )
    _ensure_writable_dir(args.out, "--out")
    _ensure_writable_dir(truth.parent, "--truth")
    return Config(args.customers, orders, args.seed, args.fmt, args.out, truth, truth_fmt,
                  args.dirty_rows)  # fmt: skip


def _ensure_writable_dir(directory: Path, flag: str) -> None:
    """Create `directory` if needed; raise UsageError if it cannot be created or written."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"{flag}: cannot create directory {directory} ({exc.strerror}); "
            "choose a writable location"
        ) from exc
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(
            f"{flag}: directory {directory} is not writable; choose a writable location"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return 0 on success, 2 on a bad argument or an unwritable output."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = make_config(args)
        generate(config)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"{parser.prog}: error: cannot write output ({exc}); check --out/--truth "
            "point to a writable location with free space",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
