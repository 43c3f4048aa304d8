"""The one schema of every dbt var: type, allowed values or range, default, example, meaning.

Both validators read it: :func:`check` here (used by :mod:`customer_segmentation.params` and the
tests) and the Jinja macro ``validate_vars()``, which reads ``macros/config/var_schema.sql``
generated from this module (``python -m customer_segmentation.settings_schema --write-macro``).
A wrong value gives one line naming the var, the value, what is allowed and an example.

Kinds (each implemented once here and once in ``macros/config/validate_vars.sql``):
``integer``, ``number`` (finite, with ``minimum``/``maximum``, ``exclusive_minimum``), ``choice``,
``text`` (a short string: ``choices`` words or up to ``max_length`` characters), ``date``
(YYYY-MM-DD), ``path``, ``relation`` (``table``, ``schema.table`` or ``db.schema.table``),
``mapping`` (``{name: text}``; ``value_choices`` restricts the values), ``name_list`` (a list of
names, or a comma-separated string). ``specials`` are words accepted as themselves (``auto``),
``nullable`` allows null.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NUMBER_PATTERN = r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
DATE_PATTERN = r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"
# No control characters (NUL, newline, tab, ...) in a path, a relation or a name.
PRINTABLE_PATTERN = r"^[^\x00-\x1f\x7f]+$"
RELATION_PATTERN = r"^[^.\x00-\x1f\x7f]+([.][^.\x00-\x1f\x7f]+){0,2}$"
MAX_TEXT_LENGTH = 4096
MAX_NODE_NAME_LENGTH = 128


@dataclass(frozen=True)
class Setting:
    """One var: its kind, constraints, default, an example value and what it means."""

    name: str
    kind: str
    default: Any
    example: Any
    meaning: str
    area: str
    nullable: bool = False
    specials: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    max_length: int | None = None
    value_choices: tuple[str, ...] = ()
    default_text: str | None = None  # README wording of the default, when the value reads badly
    empty_allowed: bool = False  # a mapping or name_list var that may be {} / [] (or null for it)
    null_values: bool = False  # a mapping var whose values may be null
    extra: dict[str, Any] = field(default_factory=dict)


DEFAULT_CANCELLATION_VALUES = (
    "cancelled",
    "canceled",
    "cancellation",
    "refunded",
    "refund",
    "returned",
    "return",
    "reversed",
    "chargeback",
    "credit memo",
    "credit note",
    # WooCommerce's and Amazon's own spellings
    "wc-cancelled",
    "wc-refunded",
    "shipped - returned to seller",
    "shipped - rejected by buyer",
    # German, French, Spanish / Portuguese, Italian, Dutch
    "storniert",
    "storno",
    "erstattet",
    "rückerstattet",
    "zurückerstattet",
    "retoure",
    "retourniert",
    "gutschrift",
    "annulé",
    "annulée",
    "remboursé",
    "remboursée",
    "retourné",
    "retournée",
    "avoir",
    "cancelado",
    "cancelada",
    "anulado",
    "anulada",
    "reembolsado",
    "reembolsada",
    "devuelto",
    "devuelta",
    "devolución",
    "devolvido",
    "annullato",
    "annullata",
    "rimborsato",
    "rimborsata",
    "reso",
    "stornato",
    "geannuleerd",
    "terugbetaald",
    "geretourneerd",
    "retour",
    # Polish, Czech, Russian (1C, Bitrix), Swedish, Norwegian, Danish, Finnish, Turkish and
    # Portuguese shop exports: before, a cancelled or returned order there counted as a purchase
    "anulowane",
    "anulowany",
    "anulowana",
    "zwrócone",
    "zwrócony",
    "zwrócona",
    "zwrot",
    "zrušeno",
    "zrušena",
    "zrušená",
    "stornováno",
    "vráceno",
    "vrácena",
    "vrácená",
    "dobropis",
    "отменен",
    "отменён",
    "отменено",
    "отменена",
    "возврат",
    "возвращен",
    "возвращён",
    "возвращено",
    "makulerad",
    "makulerat",
    "återbetald",
    "återbetalad",
    "returnerad",
    "krediterad",
    "kreditfaktura",
    "kansellert",
    "refundert",
    "returnert",
    "kreditnota",
    "annulleret",
    "refunderet",
    "returneret",
    "peruttu",
    "peruutettu",
    "palautettu",
    "hyvitetty",
    "hyvityslasku",
    "iptal",
    "iptal edildi",
    "iade",
    "iade edildi",
    "estornado",
    "estornada",
    # PayPal's activity download (its Type column); QuickBooks' transaction type of a refund
    "payment refund",
    "payment reversal",
    "refund receipt",
)
"""Order statuses that mean a cancelled or refunded line when var cancellation_values is unset."""

DEFAULT_NON_PURCHASE_VALUES = (
    # a payment that did not go through, or an authorisation released: no money moved
    "failed",
    "payment failed",
    "declined",
    "denied",
    "void",
    "voided",
    "wc-failed",
    # a card payment authorised and never captured (Stripe's `Uncaptured`): no money moved
    "uncaptured",
    "requires_capture",
    "requires_payment_method",
    # not (yet) a sale: quotes, drafts, unpaid invoices, orders waiting for payment
    "draft",
    "quotation",
    "quotation sent",
    "quote",
    "estimate",
    "pending",
    "pending payment",
    "wc-pending",
    "awaiting payment",
    "on-hold",
    "wc-on-hold",
    "not paid",
    "unpaid",
    "deleted",
    "abandoned",
    "expired",
    # PrestaShop's order states before the money arrives, and its failed payment
    "awaiting bank wire payment",
    "awaiting check payment",
    "awaiting cash on delivery validation",
    "payment error",
    # German, French, Spanish
    "entwurf",
    "angebot",
    "fehlgeschlagen",
    "abgelehnt",
    "brouillon",
    "devis",
    "échoué",
    "borrador",
    "presupuesto",
    # Polish, Czech, Russian, Swedish, Norwegian, Danish, Finnish, Turkish: unpaid or awaiting
    # payment
    "nieopłacone",
    "nieopłacony",
    "oczekuje na płatność",
    "oczekuje na wpłatę",
    "nezaplaceno",
    "čeká na platbu",
    "не оплачен",
    "не оплачено",
    "ожидает оплаты",
    "черновик",
    "ej betald",
    "obetald",
    "väntar på betalning",
    "ikke betalt",
    "venter på betaling",
    "afventer betaling",
    "maksamatta",
    "odottaa maksua",
    "ödenmedi",
    "ödeme bekleniyor",
    # a CRM's deals as orders (HubSpot's Deal Stage, Salesforce's Stage): a lost deal and the
    # open stages before it is won are no purchase (`Closed Won` is)
    "closed lost",
    "closedlost",
    "closed - lost",
    "closed/lost",
    "appointment scheduled",
    "appointmentscheduled",
    "qualified to buy",
    "qualifiedtobuy",
    "presentation scheduled",
    "presentationscheduled",
    "decision maker bought-in",
    "decisionmakerboughtin",
    "contract sent",
    "contractsent",
    "prospecting",
    "qualification",
    "needs analysis",
    "value proposition",
    "id. decision makers",
    "perception analysis",
    "proposal/price quote",
    "negotiation/review",
    # PayPal's activity download: money that moved without a sale to a customer
    "general currency conversion",
    "general withdrawal",
    "general credit card deposit",
    "general credit card withdrawal",
    "bank deposit to pp account",
    "user initiated withdrawal",
    "general payment",
    "general authorization",
    "void of authorization",
    "account hold for open authorization",
    "reversal of general account hold",
    "hold on balance for dispute investigation",
    "hold on available balance",
    "general hold",
    "general hold release",
    "payment hold",
    "payment release",
    "fallido",
)
"""Order statuses that mean no purchase and no return (the line is rejected with its reason)."""

ALGORITHMS = ("kmeans", "agglomerative", "gmm", "dbscan")
"""Clustering algorithms in the order `cluster_algorithm: auto` tries them."""

_SHARE = {"minimum": 0, "maximum": 1}

SETTINGS: tuple[Setting, ...] = (
    # Inputs (h1-files, h8-parsing)
    Setting(
        "customers_path",
        "path",
        None,
        "data/customers.csv",
        "CSV or Parquet file of customers; null = the demo seed",
        "inputs",
        nullable=True,
        default_text="null (demo seed)",
    ),
    Setting(
        "orders_path",
        "path",
        None,
        "data/orders.parquet",
        "CSV or Parquet file of orders; null = the demo seed",
        "inputs",
        nullable=True,
        default_text="null (demo seed)",
    ),
    Setting(
        "customers_relation",
        "relation",
        None,
        "raw.customers",
        "`schema.table` already in the warehouse, instead of a file",
        "inputs",
        nullable=True,
    ),
    Setting(
        "orders_relation",
        "relation",
        None,
        "raw.orders",
        "`schema.table` already in the warehouse, instead of a file",
        "inputs",
        nullable=True,
    ),
    Setting(
        "customer_columns",
        "mapping",
        {},
        {"customer_id": "Client Ref"},
        '`{standard_name: "Source Column"}` for headers that are not recognised; `null` leaves a '
        "standard column unmapped (a header that matched a synonym but means something else)",
        "inputs",
        null_values=True,
    ),
    Setting(
        "order_columns",
        "mapping",
        {},
        {"order_date": "Invoice Date"},
        "the same for orders",
        "inputs",
        null_values=True,
    ),
    Setting(
        "csv_header",
        "choice",
        "auto",
        "false",
        "whether CSV files have a header row",
        "inputs",
        choices=("auto", "true", "false"),
    ),
    Setting(
        "csv_delimiter",
        "text",
        "auto",
        ";",
        "`auto`, a single character, a name (`tab`, `semicolon`, ...) or `whitespace` (runs of"
        " spaces/tabs)",
        "inputs",
        # The names csv_settings() in macros/inputs/input_sources.sql turns into characters.
        choices=(
            "auto",
            "whitespace",
            "tab",
            "\\t",
            "comma",
            "semicolon",
            "pipe",
            "space",
            "spaces",
        ),
        max_length=1,
    ),
    Setting(
        "encoding",
        "choice",
        "auto",
        "latin-1",
        "text encoding of CSV files; `auto` detects each file's own (byte-order mark, bytes that"
        " are not UTF-8)",
        "inputs",
        # The spellings csv_settings() accepts for the same three, and auto (detected_encoding).
        choices=("auto", "utf-8", "latin-1", "utf-16", "utf8", "latin1", "iso-8859-1", "utf16"),
    ),
    Setting(
        "decimal_separator",
        "choice",
        "auto",
        ",",
        "the decimal point of numbers written as text (`1.081,53` or `1,081.53`); `auto` decides"
        " it from the values of each input",
        "inputs",
        choices=("auto", ".", ","),
    ),
    Setting(
        "as_of_date",
        "date",
        None,
        "2024-12-31",
        "date recency and tenure are measured from; null = the day after the last order",
        "inputs",
        nullable=True,
    ),
    Setting(
        "earliest_date",
        "date",
        "1990-01-01",
        "2000-01-01",
        "order and signup dates before it are rejected (so are dates after `as_of_date`, or after "
        "today when it is unset)",
        "inputs",
    ),
    Setting(
        "two_digit_birth_year_min_age",
        "integer",
        16,
        0,
        "a birth date with a two-digit year (`07/04/19`) that would make the customer younger than "
        "this, or born after `as_of_date` (today), is of the 1900s (1919), and the console counts "
        "them; 0 = only births after it move; four-digit years and order dates are read as written",
        "inputs",
        minimum=0,
        maximum=120,
    ),
    Setting(
        "date_formats",
        "mapping",
        {},
        {"order_date": "%d/%m/%Y"},
        "`{order_date|signup_date|birth_date: format}` (strftime codes, `epoch` or `excel`); "
        "unset = detected from the values",
        "inputs",
    ),
    Setting(
        "currency",
        "text",
        None,
        "EUR",
        "with a currency column in the orders input (`Currency`, `currency_code`, `Order "
        "Currency`, ...): the currency whose lines are kept (compared trimmed, in upper case); "
        "lines in any other are rejected, as their amounts cannot be summed with these. null = "
        "the currency of most of the first 100,000 lines",
        "inputs",
        nullable=True,
        max_length=20,
        default_text="null (the currency of most lines)",
    ),
    Setting(
        "cancellation_prefix",
        "text",
        None,
        "C",
        "order ids starting with it are returns",
        "inputs",
        nullable=True,
        max_length=20,
    ),
    Setting(
        "cancellation_column",
        "text",
        None,
        "Order State",
        "a status column (standard name or input header) whose `cancellation_values` mark "
        "cancelled/returned lines; null = the input's `status` column (header `status`, "
        "`order_status`), when it has one",
        "inputs",
        nullable=True,
        max_length=MAX_TEXT_LENGTH,
        default_text="null (the `status` column)",
    ),
    Setting(
        "cancellation_values",
        "name_list",
        list(DEFAULT_CANCELLATION_VALUES),
        ["cancelled", "returned"],
        "values of `cancellation_column` that mean cancelled/returned (compared trimmed, any case);"
        " `[]` = none",
        "inputs",
        default_text="`cancelled`, `canceled`, `refunded`, `returned`, `chargeback`, ... "
        f"({len(DEFAULT_CANCELLATION_VALUES)} words)",
        empty_allowed=True,
    ),
    Setting(
        "non_purchase_values",
        "name_list",
        list(DEFAULT_NON_PURCHASE_VALUES),
        ["failed", "draft"],
        "values of `cancellation_column` that mean no purchase and no return (a failed payment, a"
        " draft, an unpaid invoice): such lines are rejected with their reason (compared trimmed,"
        " any case); `[]` = none",
        "inputs",
        default_text="`failed`, `declined`, `void`, `draft`, `pending`, `unpaid`, ... "
        f"({len(DEFAULT_NON_PURCHASE_VALUES)} words)",
        empty_allowed=True,
    ),
    Setting(
        "duplicate_order_lines",
        "choice",
        "reject",
        "keep",
        "`reject`: an order line equal in every column to an earlier one is rejected as a "
        "duplicate (an export saved twice), the first kept; `keep`: every line counts (a file "
        "that writes one line per unit, with no line number or quantity)",
        "inputs",
        choices=("reject", "keep"),
    ),
    Setting(
        "customer_id_matching",
        "choice",
        "exact",
        "ignore_leading_zeros",
        "how an order line's customer id finds its customer: `exact`, the same text; else the "
        "same text or, failing that, the same text once leading zeros are dropped "
        "(`ignore_leading_zeros`: `0042` and `42`, a file saved through a spreadsheet), in "
        "another case (`ignore_case`: `Ann@Shop.com` and `ann@shop.com`) or by its digits alone "
        "(`digits_only`: `CUST-0042`, `C42` and `42`, a prefix one system adds; an id without "
        "digits, or an email, matches only as written), the line taking the customers input's "
        "form of the id; "
        "a line whose id matches two customers that way is rejected; without a customers input, "
        "the lines' ids that differ only that way are one customer",
        "inputs",
        choices=("exact", "ignore_leading_zeros", "ignore_case", "digits_only"),
    ),
    # Features and scaling (h7-features, h4-segments)
    Setting(
        "derived_features",
        "mapping",
        {},
        {"spend_per_visit": "monetary / nullif(frequency, 0)"},
        '`{name: "SQL expression over normalised columns"}`',
        "features",
    ),
    Setting(
        "segmentation_features",
        "name_list",
        "auto",
        ["age", "annual_income_k", "spending_score"],
        "feature columns to cluster on; `auto` = age, annual_income_k (else income), "
        "spending_score when the input has at least two of them, else recency_days, frequency, "
        "monetary when it has orders, else the one it has (WARN clustered_on_one_feature)",
        "features",
        specials=("auto",),
    ),
    Setting(
        "feature_transforms",
        "mapping",
        "auto",
        {"monetary": "log1p"},
        "`auto` (log1p when skewness > `skew_threshold` and values >= 0), `none`, "
        "or `{feature: log1p|none|auto}` (features not named stay `auto`)",
        "features",
        specials=("auto", "none"),
        value_choices=("log1p", "none", "auto"),
    ),
    Setting(
        "skew_threshold",
        "number",
        1.0,
        2,
        "population skewness (after imputation) above which `feature_transforms: auto` applies "
        "log1p",
        "features",
        minimum=0,
    ),
    Setting(
        "outlier_fence",
        "number",
        3.0,
        1.5,
        "clip to [Q1 - f x IQR, Q3 + f x IQR] of the transformed values; 0 = off",
        "features",
        minimum=0,
    ),
    Setting(
        "scaling",
        "choice",
        "standard",
        "robust",
        "`standard` (mean / population std), `minmax` (min / range), `robust` (median / IQR) "
        "or `none`, applied after the transform and the fence",
        "features",
        choices=("standard", "minmax", "robust", "none"),
    ),
    # Clustering (h3-clustering)
    Setting(
        "cluster_algorithm",
        "choice",
        "kmeans",
        "auto",
        "`auto` or one algorithm",
        "clustering",
        choices=("auto", *ALGORITHMS),
    ),
    Setting(
        "n_clusters",
        "integer",
        "auto",
        5,
        "`auto` or the number of segments (at least 2: one segment is no segmentation)",
        "clustering",
        specials=("auto",),
        minimum=2,
    ),
    Setting(
        "k_min",
        "integer",
        2,
        3,
        "smallest k searched when `n_clusters` is `auto`",
        "clustering",
        minimum=2,
    ),
    Setting(
        "k_max",
        "integer",
        10,
        8,
        "largest k searched when `n_clusters` is `auto`",
        "clustering",
        minimum=2,
    ),
    Setting(
        "random_seed",
        "integer",
        42,
        7,
        "one seed for every random choice (samples, k-means inits, t-SNE)",
        "clustering",
        minimum=0,
        maximum=2**32 - 1,
    ),
    Setting(
        "n_init",
        "integer",
        10,
        20,
        "k-means / mixture restarts (scikit-learn's default runs once)",
        "clustering",
        minimum=1,
    ),
    Setting(
        "sample_size",
        "integer",
        20000,
        50000,
        "customers in the reproducible sample used for the K search, silhouettes and the "
        "O(n^2) methods",
        "clustering",
        minimum=100,
    ),
    Setting(
        "kmeans_refine_steps",
        "integer",
        5,
        10,
        "K-Means Lloyd steps run in SQL over every customer after the fit on the sample (only "
        "when the base is larger than `sample_size`; 0 = keep the sample's centres)",
        "clustering",
        minimum=0,
        maximum=50,
    ),
    Setting(
        "linkage",
        "choice",
        "ward",
        "average",
        "agglomerative linkage",
        "clustering",
        choices=("ward", "complete", "average", "single"),
    ),
    Setting(
        "covariance_type",
        "choice",
        "full",
        "diag",
        "Gaussian mixture covariance",
        "clustering",
        choices=("full", "tied", "diag", "spherical"),
    ),
    Setting(
        "dbscan_eps",
        "number",
        "auto",
        0.5,
        "DBSCAN neighbourhood radius; `auto` = from the k-distance curve",
        "clustering",
        specials=("auto",),
        minimum=0,
        exclusive_minimum=True,
    ),
    Setting(
        "dbscan_min_samples",
        "integer",
        "auto",
        10,
        "DBSCAN core point size; `auto` = max(5, 2 x features)",
        "clustering",
        specials=("auto",),
        minimum=1,
    ),
    Setting(
        "tsne_sample_size",
        "integer",
        2000,
        0,
        "customers drawn for the t-SNE picture (0 skips t-SNE)",
        "clustering",
        minimum=0,
    ),
    Setting(
        "linkage_sample_size",
        "integer",
        2000,
        500,
        "customers in the hierarchical clustering drawn as the dendrogram",
        "clustering",
        minimum=2,
    ),
    Setting(
        "min_segment_share",
        "number",
        0.02,
        0.05,
        "share of customers: a candidate whose smallest segment is below it is not eligible in the "
        "search (0 = off); a final segment below it is a WARN",
        "clustering",
        **_SHARE,
    ),
    # Marketing (h4-segments)
    Setting(
        "segment_tier_threshold",
        "number",
        0.5,
        0.75,
        "t: a segment is high on a feature when its median is at or above the Phi(t) percentile "
        "of all customers, low at or below 1 - Phi(t) (0.5: 69th / 31st; tiers, names)",
        "marketing",
        minimum=0,
        exclusive_minimum=True,
        maximum=3,
    ),
    Setting(
        "recommendation_min_lift",
        "number",
        1.2,
        1.5,
        "lift at which a segment over-indexes on a category",
        "marketing",
        minimum=0,
        exclusive_minimum=True,
    ),
    Setting(
        "retention_overdue_factor",
        "number",
        2,
        3,
        "silent longer than this x the segment's usual purchase interval = at risk",
        "marketing",
        minimum=0,
        exclusive_minimum=True,
    ),
    Setting(
        "retention_min_segment_index",
        "number",
        1,
        1.2,
        'segment mean spend / base mean spend for a "valuable" segment',
        "marketing",
        minimum=0,
    ),
    Setting(
        "exports_path",
        "path",
        "exports",
        "/data/crm/exports",
        "folder the campaign files and their manifest are written to",
        "marketing",
    ),
    Setting(
        "campaigns_seed",
        "text",
        "campaigns",
        "my_campaigns",
        "seed or model read as the campaigns (same columns as seed `campaigns`)",
        "marketing",
        max_length=MAX_NODE_NAME_LENGTH,
    ),
    Setting(
        "naming_rules_seed",
        "text",
        "naming_rules",
        "my_naming_rules",
        "seed or model read as the segment naming rules (same columns as seed `naming_rules`)",
        "marketing",
        max_length=MAX_NODE_NAME_LENGTH,
    ),
    Setting(
        "marketing_actions_seed",
        "text",
        "marketing_actions",
        "my_marketing_actions",
        "seed or model read as the marketing actions (same columns as seed `marketing_actions`)",
        "marketing",
        max_length=MAX_NODE_NAME_LENGTH,
    ),
    Setting(
        "rfm_segments_seed",
        "text",
        "rfm_segments",
        "my_rfm_segments",
        "seed or model read as the RFM vocabulary (same columns as seed `rfm_segments`)",
        "marketing",
        max_length=MAX_NODE_NAME_LENGTH,
    ),
    # Docs and charts
    Setting(
        "assets_path",
        "path",
        "assets",
        "docs/assets",
        "folder chart_renders writes the charts and the explorer to (relative to the project)",
        "docs",
    ),
    Setting(
        "layer_schemas",
        "choice",
        "true",
        "false",
        "staging and intermediate models in their own schemas; false puts every model in the "
        "target schema",
        "docs",
        choices=("true", "false"),
    ),
    # Health checks (h2-trust)
    Setting(
        "max_rejected_share",
        "number",
        0.5,
        0.2,
        "share of customer or order rows rejected above which the build fails",
        "health",
        **_SHARE,
    ),
    Setting(
        "warn_rejected_share",
        "number",
        0.05,
        0.01,
        "share of rows rejected above which the build warns",
        "health",
        **_SHARE,
    ),
    Setting(
        "max_noise_share",
        "number",
        0.2,
        0.3,
        "DBSCAN noise share above which the build warns",
        "health",
        **_SHARE,
    ),
)

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}

ORDERED_PAIRS: tuple[tuple[str, str], ...] = (
    ("k_min", "k_max"),
    ("warn_rejected_share", "max_rejected_share"),
)
"""(lower, upper): the first var may not exceed the second."""


class SettingError(ValueError):
    """A var with a value its schema does not allow; the message is one line."""


def _fmt_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


def allowed_text(setting: Setting) -> str:
    """What a var accepts, in words (the same words in every message and the README)."""
    parts: list[str] = [f"`{word}`" for word in setting.specials]
    if setting.kind in {"integer", "number"}:
        noun = "an integer" if setting.kind == "integer" else "a number"
        bounds = []
        if setting.minimum is not None:
            op = ">" if setting.exclusive_minimum else ">="
            bounds.append(f"{op} {_fmt_number(setting.minimum)}")
        if setting.maximum is not None:
            op = "<" if setting.exclusive_maximum else "<="
            bounds.append(f"{op} {_fmt_number(setting.maximum)}")
        parts.append(noun + (" " + " and ".join(bounds) if bounds else ""))
    elif setting.kind == "choice":
        parts.append("one of " + ", ".join(f"`{choice}`" for choice in setting.choices))
    elif setting.kind == "text":
        words = [f"`{choice}`" for choice in setting.choices]
        if setting.max_length == 1:
            words.append("a single character")
        else:
            words.append(f"a text of 1 to {setting.max_length} characters")
        parts.append(", ".join(words))
    elif setting.kind == "date":
        parts.append("a date YYYY-MM-DD")
    elif setting.kind == "path":
        parts.append("a path (no control characters)")
    elif setting.kind == "relation":
        parts.append("`table`, `schema.table` or `database.schema.table`")
    elif setting.kind == "mapping":
        values = (
            "one of " + ", ".join(f"`{choice}`" for choice in setting.value_choices)
            if setting.value_choices
            else "a text"
        )
        if setting.null_values:
            values += " or null"
        parts.append(f"a mapping {{name: value}} where each value is {values}")
    elif setting.kind == "name_list":
        parts.append("a list of names")
    if setting.nullable:
        parts.append("null")
    return " or ".join(parts)


def _flow_yaml(value: Any) -> str:
    """`value` in YAML flow style, as typed after --vars."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_flow_yaml(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow_yaml(item) for item in value) + "]"
    if isinstance(value, str):
        needs_quotes = (
            value == "" or any(ch in value for ch in ":{}[],#&*!|>'\"%@`") or value != value.strip()
        )
        return json.dumps(value) if needs_quotes else value
    if value is None:
        return "null"
    return str(value)


def example_text(setting: Setting) -> str:
    return f"--vars '{{{setting.name}: {_flow_yaml(setting.example)}}}'"


def shown(value: Any) -> str:
    """How a value appears in a message: strings quoted, one line, at most 80 characters."""
    text = str(value)
    text = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    text = re.sub(r"[\x00-\x1f\x7f]", "?", text)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"'{text}'" if isinstance(value, str) else text


def message(name: str, value: Any, allowed: str, example: str) -> str:
    """The one line every invalid var produces (Python and Jinja build the same text)."""
    return f"var {name} = {shown(value)} is not valid: allowed {allowed}. Fix: e.g. {example}"


def _problem(setting: Setting, value: Any) -> SettingError:
    return SettingError(message(setting.name, value, allowed_text(setting), example_text(setting)))


def _is_null(value: Any) -> bool:
    return (
        value is None
        or value == ""
        or (isinstance(value, str) and value.strip().lower() in {"none", "null", "~"})
    )


def _as_number(value: Any) -> float | None:
    """A finite float from a number or a numeric text; None for anything else (bools included)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and re.match(NUMBER_PATTERN, value.strip()):
        number = float(value.strip())
    else:
        return None
    return number if math.isfinite(number) else None


def _in_range(setting: Setting, number: float) -> bool:
    low, high = setting.minimum, setting.maximum
    too_low = low is not None and (number < low or (setting.exclusive_minimum and number == low))
    too_high = high is not None and (
        number > high or (setting.exclusive_maximum and number == high)
    )
    return not (too_low or too_high)


def _valid_date(text: str) -> bool:
    found = re.match(DATE_PATTERN, text)
    if not found:
        return False
    try:
        dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return False
    return True


def _printable(text: str, max_length: int = MAX_TEXT_LENGTH) -> bool:
    return bool(re.match(PRINTABLE_PATTERN, text)) and len(text) <= max_length


def check(name: str, value: Any) -> Any:
    """Return the typed value of var `name` (int, float, str, None, dict or list).

    Raises :class:`SettingError` (one line) when the schema does not allow `value`, and KeyError
    for a name that has no schema entry.
    """
    setting = BY_NAME[name]
    # Words first: `none` is a choice of scaling and a special of feature_transforms, not null.
    word = value.strip().lower() if isinstance(value, str) else None
    if word is not None and (
        word in setting.specials or (setting.kind == "choice" and word in setting.choices)
    ):
        return word
    if _is_null(value):
        if setting.nullable:
            return None
        if (
            setting.kind in {"mapping", "name_list"}
            and value is None
            and (setting.default in ({}, []) or setting.empty_allowed)
        ):
            return type(setting.default)()
        raise _problem(setting, value)
    kind = setting.kind
    if kind in {"integer", "number"}:
        number = _as_number(value)
        if number is None or not _in_range(setting, number):
            raise _problem(setting, value)
        if kind == "integer":
            if not number.is_integer():
                raise _problem(setting, value)
            return int(number) if not isinstance(value, int) else value
        return number
    if isinstance(value, bool) and kind != "choice":
        raise _problem(setting, value)
    if kind == "choice":
        text = str(value).strip().lower()
        if text not in setting.choices:
            raise _problem(setting, value)
        return text
    if kind == "text":
        if not isinstance(value, str):
            raise _problem(setting, value)
        if value.strip().lower() in setting.choices:
            return value.strip().lower()
        if not _printable(value, setting.max_length or MAX_TEXT_LENGTH) and not (
            setting.max_length == 1 and value == "\t"
        ):
            raise _problem(setting, value)
        return value
    if kind == "date":
        text = str(value).strip()
        if isinstance(value, dt.datetime) or not _valid_date(text):
            raise _problem(setting, value)
        return text
    if kind == "path":
        if not isinstance(value, str) or not _printable(value) or not value.strip():
            raise _problem(setting, value)
        return value
    if kind == "relation":
        if not isinstance(value, str) or not re.match(RELATION_PATTERN, value) or len(value) > 1000:
            raise _problem(setting, value)
        return value
    if kind == "mapping":
        if not isinstance(value, Mapping):
            raise _problem(setting, value)
        result = {}
        for key, item in value.items():
            if item is None and setting.null_values and isinstance(key, str) and _printable(key):
                result[key] = None
                continue
            if (
                not isinstance(key, str)
                or not _printable(key)
                or not isinstance(item, str | int | float)
                or isinstance(item, bool)
            ):
                raise _problem(setting, value)
            text = str(item)
            if setting.value_choices:
                text = text.strip().lower()
                if text not in setting.value_choices:
                    raise _problem(setting, value)
            elif not text.strip() or "\x00" in text:
                raise _problem(setting, value)
            result[key] = text
        return result
    if kind == "name_list":
        if isinstance(value, str):
            items = [
                part.strip().strip("'\"").strip() for part in value.strip().strip("[]").split(",")
            ]
            items = [item for item in items if item]
        elif isinstance(value, list | tuple):
            items = [item.strip() if isinstance(item, str) else item for item in value]
        else:
            raise _problem(setting, value)
        if any(not isinstance(item, str | int) or isinstance(item, bool) for item in items):
            raise _problem(setting, value)
        items = [str(item) for item in items]
        if any(not item or not _printable(item) for item in items):
            raise _problem(setting, value)
        if not items and setting.default != [] and not setting.empty_allowed:
            raise _problem(setting, value)
        return list(dict.fromkeys(items))
    raise AssertionError(f"unknown kind {kind!r} for var {name}")


def check_pairs(values: Mapping[str, Any], raw: Mapping[str, Any] | None = None) -> None:
    """Raise :class:`SettingError` when a lower-bound var exceeds its upper-bound var.

    `values` are typed; the message shows the value as given in `raw` when there is one.
    """
    for lower, upper in ORDERED_PAIRS:
        low, high = values.get(lower), values.get(upper)
        if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
            setting = BY_NAME[lower]
            allowed = f"at most {upper} ({_fmt_number(high)})"
            given = (raw or values).get(lower, setting.default)
            raise SettingError(message(lower, given, allowed, example_text(setting)))


def check_all(values: Mapping[str, Any]) -> dict[str, Any]:
    """Typed values of every var in the schema (defaults filled in), or SettingError."""
    typed = {
        setting.name: check(setting.name, values.get(setting.name, setting.default))
        for setting in SETTINGS
    }
    check_pairs(typed, values)
    return typed


# --- generated Jinja side -------------------------------------------------------------------------

MACRO_PATH = Path("macros/config/var_schema.sql")


def jinja_schema() -> dict[str, Any]:
    """The schema as plain data for the Jinja validator (texts pre-rendered: written once)."""
    settings = {}
    for setting in SETTINGS:
        settings[setting.name] = {
            "kind": setting.kind,
            "default": setting.default,
            "empty_allowed": setting.empty_allowed,
            "null_values": setting.null_values,
            "nullable": setting.nullable,
            "specials": list(setting.specials),
            "choices": list(setting.choices),
            "minimum": setting.minimum,
            "maximum": setting.maximum,
            "exclusive_minimum": setting.exclusive_minimum,
            "exclusive_maximum": setting.exclusive_maximum,
            "max_length": setting.max_length or MAX_TEXT_LENGTH,
            "value_choices": list(setting.value_choices),
            "allowed": allowed_text(setting),
            "example": example_text(setting),
        }
    return {
        "settings": settings,
        "order": [setting.name for setting in SETTINGS],
        "pairs": [list(pair) for pair in ORDERED_PAIRS],
        "patterns": {
            "number": NUMBER_PATTERN,
            "date": DATE_PATTERN,
            "printable": PRINTABLE_PATTERN,
            "relation": RELATION_PATTERN,
        },
    }


def macro_text() -> str:
    payload = json.dumps(jinja_schema(), indent=1, sort_keys=False)
    if "{{" in payload or "{%" in payload or "{#" in payload or "endset" in payload:
        raise AssertionError("the schema text would break the Jinja block")
    return (
        "{#- GENERATED by `python -m customer_segmentation.settings_schema --write-macro` from\n"
        "    src/customer_segmentation/settings_schema.py. Do not edit: change the schema and\n"
        "    regenerate (a test fails when this file is out of date). -#}\n\n"
        "{% macro var_schema() %}\n"
        "{%- set schema_json -%}\n"
        f"{payload}\n"
        "{%- endset -%}\n"
        "{{ return(fromjson(schema_json)) }}\n"
        "{% endmacro %}\n"
    )


def readme_rows() -> str:
    """The README's Vars table body, one row per var."""
    rows = ["| var | default | allowed | meaning |", "| --- | --- | --- | --- |"]
    for setting in SETTINGS:
        default = setting.default_text or (
            "null" if setting.default is None else f"`{_flow_yaml(setting.default)}`"
        )
        rows.append(
            f"| `{setting.name}` | {default} | {allowed_text(setting)} | {setting.meaning} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-macro", action="store_true", help=f"write {MACRO_PATH}")
    parser.add_argument("--readme-table", action="store_true", help="print the README Vars table")
    args = parser.parse_args(argv)
    if args.write_macro:
        MACRO_PATH.parent.mkdir(parents=True, exist_ok=True)
        MACRO_PATH.write_text(macro_text())
        print(f"wrote {MACRO_PATH}")
    if args.readme_table:
        print(readme_rows())
    if not (args.write_macro or args.readme_table):
        parser.print_help(sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
