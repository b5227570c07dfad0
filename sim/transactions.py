"""A firm's transaction log: reading it, with one-line errors, and what it
says about each customer at a chosen date (docs/ODD.md, "Input data").

A log is a table of purchases, one per line: a customer id, a date and an
amount, optionally a quantity and a channel, in a CSV (with a header) or a
whitespace table (with or without one); `TransactionLogConfig` maps its
columns, by name or, without a header, by position. Purchases by one customer
on one day are one visit, as Fader, Hardie & Lee (2005) count repeat
transactions.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import (
    SEPARATORS,
    ConfigError,
    PopulationConfig,
    TransactionLogConfig,
    validate,
)
from sim.engine.population import KnownCustomers

WEEK = pd.Timedelta(days=7)
COLUMNS = ("customer", "date", "amount", "quantity", "channel")


class LogError(ConfigError):
    """A transaction log that cannot be read as configured: one line naming
    where in the file, the key, the value and what is allowed."""

    def __init__(self, where: str, key: str, value: object, allowed: str) -> None:
        super().__init__(key, value, allowed)
        self.where = where
        self.args = (f"{where}: {self.args[0]}",)

    def __reduce__(self) -> tuple:
        return (LogError, (self.where, self.key, self.value, self.allowed))


def read_transaction_log(log: TransactionLogConfig, key: str = "log") -> pd.DataFrame:
    """The purchases of the log at `log.path` as visits: one row per customer
    and day (customer, date, amount, quantity[, channel]), sorted. A bad log
    is one LogError: no such file, an empty one, a missing column, a date that
    does not parse, an amount that is negative or not a number, the header
    repeated in the body."""
    validate(log, f"{key}.")
    path = Path(log.path) if log.path else None
    if path is None or not path.is_file():
        raise ConfigError(f"{key}.path", log.path, "a transaction log file that exists")
    try:
        with warnings.catch_warnings():  # a line longer than the header: not a table
            warnings.simplefilter("error", pd.errors.ParserWarning)
            raw = pd.read_csv(
                path,
                sep=SEPARATORS[log.separator],
                header=0 if log.header else None,
                dtype=str,
                index_col=False,
            )
    except pd.errors.EmptyDataError:
        raw = pd.DataFrame()
    except (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError) as err:
        why = str(err).strip().splitlines()[-1]
        raise LogError(
            str(path), f"{key}.separator", log.separator, f"a table of equal lines ({why})"
        ) from None
    if raw.empty:
        raise LogError(str(path), f"{key}.path", str(path), "a log with at least one purchase")
    first_line = 2 if log.header else 1  # the file line of the table's row 0
    if log.header:
        repeated = np.flatnonzero((raw == raw.columns.astype(str)).all(axis=1).to_numpy())
        if len(repeated):
            where = f"{path} line {repeated[0] + first_line}"
            raise LogError(where, f"{key}.header", True, "the header once, at the top")
    chosen = {name: getattr(log, name) for name in COLUMNS if getattr(log, name) is not None}
    frame = pd.DataFrame(
        {name: raw[_column(raw, column, f"{key}.{name}", path)] for name, column in chosen.items()}
    )
    for name in ("customer", "date", "amount"):
        missing = np.flatnonzero(frame[name].isna().to_numpy())
        if len(missing):
            where = f"{path} line {missing[0] + first_line}"
            raise LogError(where, f"{key}.{name}", None, "a value on every line")
    frame["date"] = _parsed(
        frame["date"],
        lambda v: pd.to_datetime(v, format=log.date_format, errors="coerce"),
        f"{key}.date",
        f"a date like {log.date_format} (date_format)",
        path,
        first_line,
    )
    for name in ("amount", "quantity"):
        if name in frame:
            frame[name] = _parsed(
                frame[name],
                lambda v: pd.to_numeric(v, errors="coerce").where(lambda x: x >= 0),
                f"{key}.{name}",
                "a number >= 0",
                path,
                first_line,
            )
    if "quantity" not in frame:
        frame["quantity"] = 1.0
    agg = {"amount": "sum", "quantity": "sum"} | (
        {"channel": "first"} if "channel" in frame else {}
    )
    return frame.groupby(["customer", "date"], sort=True, as_index=False).agg(agg)


def _column(raw: pd.DataFrame, column: str, key: str, path: Path):
    """The table's column named `column`, or at position `column` without a header."""
    if column in raw.columns:
        return column
    if str(column).isdigit() and int(column) in raw.columns:
        return int(column)
    have = ", ".join(map(str, raw.columns))
    raise LogError(str(path), key, column, f"a column of the log ({have})")


def _parsed(values, parse, key: str, allowed: str, path: Path, first_line: int) -> pd.Series:
    parsed = parse(values)
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if len(bad):
        raise LogError(f"{path} line {bad[0] + first_line}", key, values.iloc[bad[0]], allowed)
    return parsed


def customer_summary(visits: pd.DataFrame, last_day: pd.Timestamp) -> pd.DataFrame:
    """What the log says about each customer up to `last_day` (included), in
    weeks, as BG/NBD reads a log (Fader, Hardie & Lee 2005): `frequency`
    (repeat visits), `recency` (first to last visit), `T` (first visit to
    `last_day`), `monetary` (mean spend per visit) and `first` (the date of the
    first visit). Customers whose first visit is after `last_day` are left out."""
    end = last_day
    seen = visits[visits["date"] <= end].groupby("customer", sort=True)
    first, last = seen["date"].min(), seen["date"].max()
    return pd.DataFrame(
        {
            "frequency": seen.size() - 1,
            "recency": (last - first) / WEEK,
            "T": (end - first) / WEEK,
            "monetary": seen["amount"].mean(),
            "first": first,
        }
    )


def known_customers(population: PopulationConfig, rng: np.random.Generator) -> KnownCustomers:
    """Read the log of `population.log` and take its customers at
    `population.log_date` (the log's last day by default).

    A customer's weekly purchase rate is drawn from what the log says about
    them: the gamma posterior of a Poisson rate after their repeat visits x in
    T weeks, from an exponential prior whose mean is the log's rate over all
    customers (Gamma(1 + x, 1/mean + T); a customer who bought every week is
    not one who bought once, and one seen for a week is near the mean). A week
    with a purchase is a visit: p = 1 - exp(-rate). Spend per visit is their
    mean purchase."""
    visits = read_transaction_log(population.log, "population.log")
    record = customer_summary(visits, _log_date(population, visits))
    if record.empty:
        raise ConfigError(
            "population.log_date",
            population.log_date,
            f"a date from {visits['date'].min():%Y-%m-%d} on",
        )
    if len(record) > population.n:
        raise ConfigError(
            "population.n", population.n, f"at least the log's {len(record):,} customers"
        )
    weeks = record["T"].to_numpy()
    repeats = record["frequency"].to_numpy()
    mean_rate = max(repeats.sum() / max(weeks.sum(), 1e-9), 1e-6)
    rate = rng.gamma(1.0 + repeats, 1.0 / (1.0 / mean_rate + weeks))
    return KnownCustomers(
        tenure=np.floor(weeks).astype(np.int32),
        visit_probability=-np.expm1(-rate),
        spend_per_visit=record["monetary"].to_numpy(dtype=float),
    )


def arriving_customers(population: PopulationConfig, rng: np.random.Generator) -> KnownCustomers:
    """The log's customers from its first day (population=log_cohort): those
    whose first purchase is on or before `population.log_date` (all by
    default), each entering the market in the week of their first purchase
    (weeks since the log's first day), spending per visit what they spent
    then. Their weekly purchase rates are not read from their record but drawn
    from Gamma(`purchase_rate_shape`, mean `purchase_rate_mean`), the
    heterogeneity of BG/NBD (Fader, Hardie & Lee 2005): what happens after the
    first purchase is the model's to say. A week with a purchase is a visit,
    p = 1 - exp(-rate)."""
    visits = read_transaction_log(population.log, "population.log")
    start = visits["date"].min()
    if population.log_date is not None:
        last_day = _log_date(population, visits)
        if last_day < start:
            raise ConfigError(
                "population.log_date", population.log_date, f"a date from {start:%Y-%m-%d} on"
            )
        first_day = visits.groupby("customer")["date"].transform("min")
        visits = visits[first_day <= last_day]
    first = visits.groupby("customer", sort=True).first()  # visits are sorted by date
    if len(first) > population.n:
        raise ConfigError(
            "population.n", population.n, f"at least the log's {len(first):,} customers"
        )
    shape, mean = population.purchase_rate_shape, population.purchase_rate_mean
    rate = rng.gamma(shape, mean / shape, len(first))
    return KnownCustomers(
        tenure=np.zeros(len(first), dtype=np.int32),
        visit_probability=-np.expm1(-rate),
        spend_per_visit=first["amount"].to_numpy(dtype=float),
        arrival=((first["date"] - start) // WEEK).to_numpy(dtype=np.int32),
    )


def _log_date(population: PopulationConfig, visits: pd.DataFrame) -> pd.Timestamp:
    """`population.log_date` as a date (the log's last day if null), or one ConfigError."""
    if population.log_date is None:
        return visits["date"].max()
    try:
        return pd.Timestamp(population.log_date)
    except ValueError:
        raise ConfigError("population.log_date", population.log_date, "a date YYYY-MM-DD") from None
