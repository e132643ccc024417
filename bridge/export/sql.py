"""CREATE TABLE statements for loading decoded records into Db2 or PostgreSQL.

One table per 01 record, one column per elementary item (FILLER and 66 RENAMES left out, every
REDEFINES branch kept, as the decoder writes them), every column nullable since invalid data
decodes to null.

OCCURS are flattened into numbered columns (``REASON-CODE`` OCCURS 4 -> ``REASON_CODE_1`` ..
``REASON_CODE_4``, nested tables ``NAME_1_1``, subscripts 1-based as in COBOL, occurrences in
storage order), not into child tables: a row then stays one record, it loads with a plain
INSERT or LOAD of the decoded file with no keys to invent, and it matches the flat columns of
the decoded DataFrame. Columns past an ODO table's actual count are NULL. The cost is width:
a statement that exceeds the dialect's column limit (Db2 750, PostgreSQL 1600) says so in a
``-- warning`` comment, and a record that flattens into more than 10,000 columns is refused
(`MAX_EMITTED_COLUMNS`) rather than written out column by column.

Column names: an elementary item whose name is unique in its record keeps it; otherwise the
names of its groups are prepended, innermost first, until it is unique (``CITY`` under both
BILL-ADDR and SHIP-ADDR gives ``BILL_ADDR_CITY`` and ``SHIP_ADDR_CITY``). Then per dialect: hyphens become underscores, a leading
digit gets ``C_``, Db2 names are upper case (at most 128 characters), PostgreSQL names lower
case (at most 63); reserved words are double-quoted. Each column has a ``COMMENT ON COLUMN``
with its COBOL name, PICTURE, USAGE and 1-based positions.

Type mapping:

* zoned, packed, numeric-edited, binary with a scale: ``DECIMAL(p,s)``; a negative COBOL scale
  (``9(3)PPP``) gives ``DECIMAL(digits - scale, 0)``. Db2 decimals stop at 31 digits: beyond
  that ``DECFLOAT(34)`` (up to 34 digits), then ``VARCHAR``;
* binary with scale 0: the smallest of ``SMALLINT``/``INTEGER``/``BIGINT`` that holds the
  *storage* range (``S9(4) COMP`` -> SMALLINT, ``9(4) COMP`` (0-65535) -> INTEGER, unsigned
  8-byte -> ``DECIMAL(20,0)``), because values beyond the PICTURE decode as stored (TRUNC(BIN));
* COMP-1: ``REAL``; COMP-2: ``DOUBLE`` (Db2) / ``DOUBLE PRECISION`` (PostgreSQL);
* alphanumeric and edited: ``CHAR(n)``, ``VARCHAR(n)`` past 255; national and DBCS:
  ``GRAPHIC(n)``/``VARGRAPHIC(n)`` on Db2 (past 127), ``CHAR(n)``/``VARCHAR(n)`` on PostgreSQL.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Iterator, Literal

from bridge.errors import LayoutError
from bridge.export.values import ValueType, decoded_children, selected_records, value_type
from bridge.layout.model import Field, Layout, Record

__all__ = ["Column", "SqlDialect", "sql_columns", "sql_ddl", "sql_identifier"]

SqlDialect = Literal["db2", "postgres"]

_MAX_NAME = {"db2": 128, "postgres": 63}
_MAX_COLUMNS = {"db2": 750, "postgres": 1600}
_MAX_DECIMAL = {"db2": 31, "postgres": 1000}

_COMMON_RESERVED = """
ALL ALTER AND ANY ARRAY AS ASC AUTHORIZATION BETWEEN BINARY BOTH BY CASE CAST CHAR CHARACTER
CHECK COLLATE COLUMN COMMENT CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME
CURRENT_TIMESTAMP CURRENT_USER DEFAULT DELETE DESC DISTINCT DO DROP ELSE END EXCEPT EXISTS
FALSE FETCH FOR FOREIGN FROM FULL GRANT GROUP HAVING IN INNER INSERT INTERSECT INTO IS JOIN
LATERAL LEADING LEFT LIKE LIMIT LOCALTIME LOCALTIMESTAMP NATURAL NOT NULL OF OFFSET ON ONLY OR
ORDER OUTER OVERLAPS PRIMARY REFERENCES RIGHT ROW SELECT SESSION_USER SET SOME TABLE THEN TO
TRAILING TRUE UNION UNIQUE UPDATE USER USING VALUES WHEN WHERE WINDOW WITH
"""
_RESERVED = {
    "db2": frozenset((_COMMON_RESERVED + """
ADD AFTER ALIAS ALLOCATE ALLOW ASENSITIVE ASSOCIATE ASUTIME AT AUDIT AUX AUXILIARY BEFORE BEGIN
BUFFERPOOL CALL CAPTURE CASCADED CCSID CLONE CLOSE CLUSTER COLLECTION COLLID COMMIT CONCAT
CONDITION CONNECT CONNECTION CONTAINS CONTENT CONTINUE CURRENT_LC_CTYPE CURRENT_PATH
CURRENT_SCHEMA CURSOR DATA DATABASE DAY DAYS DBINFO DECLARE DESCRIPTOR DETERMINISTIC DISABLE
DISALLOW DOCUMENT DOUBLE DSSIZE DYNAMIC EDITPROC ELSEIF ENCODING ENCRYPTION ENDING ERASE ESCAPE
EXCEPTION EXECUTE EXIT EXPLAIN EXTERNAL FENCED FIELDPROC FINAL FIRST FREE FUNCTION GENERATED
GET GLOBAL GO GOTO HANDLER HOLD HOUR HOURS IF IMMEDIATE INCLUSIVE INDEX INHERIT INOUT
INSENSITIVE ISOBID ITERATE JAR KEEP KEY LABEL LANGUAGE LAST LC_CTYPE LEAVE LOCAL LOCALE LOCATOR
LOCATORS LOCK LOCKMAX LOCKSIZE LONG LOOP MAINTAINED MATERIALIZED MICROSECOND MICROSECONDS
MINUTE MINUTES MODIFIES MONTH MONTHS NEXT NEXTVAL NO NONE NULLS NUMPARTS OBID OLD OPEN
OPTIMIZATION OPTIMIZE ORGANIZATION OUT PACKAGE PADDED PARAMETER PART PARTITION PARTITIONED
PARTITIONING PATH PERIOD PIECESIZE PLAN PRECISION PREPARE PREVVAL PRIOR PRIQTY PRIVILEGES
PROCEDURE PROGRAM PSID PUBLIC QUERY QUERYNO READS REFRESH RELEASE RENAME REPEAT RESIGNAL
RESTRICT RESULT RETURN RETURNS REVOKE ROLE ROLLBACK ROWSET RUN SAVEPOINT SCHEMA SCRATCHPAD
SECOND SECONDS SECQTY SECURITY SENSITIVE SEQUENCE SIGNAL SIMPLE SOURCE SPECIFIC STANDARD
STATEMENT STATIC STAY STOGROUP STORES STYLE SUMMARY SYNONYM SYSDATE SYSTEM SYSTIMESTAMP
TABLESPACE TRIGGER TRUNCATE TYPE UNDO UNTIL VALIDPROC VALUE VARIABLE VARIANT VCAT VERSIONING
VIEW VOLATILE VOLUMES WHENEVER WHILE WLM XMLCAST XMLEXISTS XMLNAMESPACES YEAR YEARS ZONE
""").split()),
    "postgres": frozenset((_COMMON_RESERVED + """
ANALYSE ANALYZE ASYMMETRIC CONCURRENTLY CURRENT_CATALOG CURRENT_ROLE CURRENT_SCHEMA DEFERRABLE
FREEZE ILIKE INITIALLY ISNULL NOTNULL PLACING RETURNING SIMILAR SYMMETRIC SYSTEM_USER
TABLESAMPLE VARIADIC VERBOSE
""").split()),
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a record's table: an elementary item, or one occurrence of it."""

    name: str                         # SQL identifier as it appears in the DDL (quoted if needed)
    sql_type: str
    field: Field
    subscripts: tuple[int, ...] = ()  # 1-based, outermost first; () outside OCCURS

    @property
    def cobol_reference(self) -> str:
        """``REASON-CODE (2)`` the way COBOL names this occurrence."""
        if not self.subscripts:
            return self.field.name
        return f"{self.field.name} ({' '.join(map(str, self.subscripts))})"


_MAX_WRITTEN = 32_767      # columns of one statement; beyond any SQL database's table


def sql_ddl(layout: Layout, record: str | None = None, *, dialect: SqlDialect = "db2") -> str:
    """CREATE TABLE (and COMMENT ON) statements for every 01 record, or the one named."""
    _check_dialect(dialect)
    return "\n".join(_table_ddl(r, layout, dialect) for r in selected_records(layout, record))


#: The most columns a statement is written with: six times the widest dialect's limit. Beyond
#: it OCCURS tables (OCCURS 99999999) would flatten into millions of columns no database takes.
MAX_EMITTED_COLUMNS = 10_000


def sql_columns(record: Record, dialect: SqlDialect = "db2") -> list[Column]:
    """The columns of a record's table, in storage order.

    :raises LayoutError: the record flattens into more than `MAX_EMITTED_COLUMNS` columns.
    """
    _check_dialect(dialect)
    count = _column_count(record.root)
    if count > MAX_EMITTED_COLUMNS:
        raise LayoutError(f"record {record.name} flattens into {count:,} SQL columns (its OCCURS tables, one "
                          f"column per occurrence); no {dialect} table holds more than {_MAX_COLUMNS[dialect]:,} "
                          f"and the SQL export stops at {MAX_EMITTED_COLUMNS:,}: select a smaller record or "
                          "describe it with --format arrow or json-schema, which keep tables as arrays")
    items = [f for f in _decoded_elementary(record.root)]
    width = sum(f.occurrences for f in items)
    if width > _MAX_WRITTEN:   # refuse before building: OCCURS 999999999 would never finish
        raise LayoutError(f"record {record.name} flattens to {width:,} columns, more than any SQL table "
                          f"holds (at most {_MAX_WRITTEN:,} are written; Db2 takes 750, PostgreSQL 1600)")
    bases = _base_names(items)
    taken: set[str] = set()
    columns = []
    for f, subscripts in _occurrences(record.root, ()):
        name = bases[f.path] + "".join(f"-{i}" for i in subscripts)
        ident = _unique(sql_identifier(name, dialect, quote=False), taken, dialect)
        columns.append(Column(_quoted(ident, dialect), _sql_type(f, dialect), f, subscripts))
    return columns


def sql_identifier(cobol_name: str, dialect: SqlDialect = "db2", *, quote: bool = True) -> str:
    """A COBOL name as a SQL identifier of the dialect: ``CUST-ID`` -> ``CUST_ID``/``cust_id``."""
    _check_dialect(dialect)
    name = re.sub(r"[^A-Za-z0-9_]", "_", cobol_name)
    if not name or not name[0].isalpha():
        name = "C_" + name
    name = name.upper() if dialect == "db2" else name.lower()
    limit = _MAX_NAME[dialect]
    if len(name) > limit:
        # Keep the start readable and the result unique: a checksum of the full name as suffix.
        name = f"{name[:limit - 9]}_{zlib.crc32(name.encode()):08X}"
        name = name if dialect == "db2" else name.lower()
    return _quoted(name, dialect) if quote else name


def _check_dialect(dialect: str) -> None:
    if dialect not in _MAX_NAME:
        raise LayoutError(f"SQL dialect {dialect!r} is not one of: db2, postgres")


def _table_ddl(record: Record, layout: Layout, dialect: SqlDialect) -> str:
    table = sql_identifier(record.name, dialect)
    columns = sql_columns(record, dialect)
    width = max((len(c.name) for c in columns), default=0)
    lines = []
    source = f" from {layout.source}" if layout.source else ""
    length = (str(record.length) if record.length == record.min_length
              else f"{record.min_length} to {record.length}")
    lines.append(f"-- 01 {record.name}{source}: {length} bytes, {len(columns)} columns")
    if len(columns) > _MAX_COLUMNS[dialect]:
        lines.append(f"-- warning: {len(columns)} columns exceed the {dialect} limit of "
                     f"{_MAX_COLUMNS[dialect]} per table; select fewer fields or split the table")
    lines.append(f"CREATE TABLE {table} (")
    body = [f"    {c.name.ljust(width)} {c.sql_type}" for c in columns]
    lines.append(",\n".join(body))
    lines.append(");")
    lines.append(f"COMMENT ON TABLE {table} IS {_string(f'COBOL record {record.name}{source}')};")
    for c in columns:
        lines.append(f"COMMENT ON COLUMN {table}.{c.name} IS {_string(_column_comment(c))};")
    return "\n".join(lines) + "\n"


def _column_comment(c: Column) -> str:
    f = c.field
    start = f.offset + 1 + sum((i - 1) * d.stride for i, d in zip(c.subscripts, f.dims))
    parts = [c.cobol_reference]
    if f.picture:
        parts.append(f"PIC {f.picture}")
    parts.append(f.usage)
    position = f"positions {start}-{start + f.length - 1}"
    if f.variable_offset or any(d.depending_path for d in f.dims):
        position += " with every table full"
    return " ".join(parts) + ", " + position


def _string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quoted(name: str, dialect: SqlDialect) -> str:
    return f'"{name}"' if name.upper() in _RESERVED[dialect] else name


def _unique(name: str, taken: set[str], dialect: SqlDialect) -> str:
    candidate, n = name, 1
    while candidate.upper() in taken:
        n += 1
        suffix = f"_{n}"
        candidate = name[:_MAX_NAME[dialect] - len(suffix)] + suffix
    taken.add(candidate.upper())
    return candidate


def _decoded_elementary(group: Field) -> Iterator[Field]:
    for child in decoded_children(group):
        if child.is_group:
            yield from _decoded_elementary(child)
        else:
            yield child


def _column_count(group: Field) -> int:
    """Columns the group flattens into, counted without enumerating them."""
    total = 0
    for child in decoded_children(group):
        times = child.occurs.max if child.occurs is not None else 1
        total += times * (_column_count(child) if child.is_group else 1)
    return total


def _occurrences(group: Field, subscripts: tuple[int, ...]) -> Iterator[tuple[Field, tuple[int, ...]]]:
    for child in decoded_children(group):
        counts = range(1, child.occurs.max + 1) if child.occurs is not None else [None]
        for i in counts:
            subs = subscripts if i is None else subscripts + (i,)
            if child.is_group:
                yield from _occurrences(child, subs)
            else:
                yield child, subs


def _base_names(items: list[Field]) -> dict[tuple[str, ...], str]:
    """Shortest hyphen-joined name of each item, qualified by its groups until unique."""
    names: dict[tuple[str, ...], str] = {}
    depth = 1
    pending = list(items)
    while pending:
        candidates = {f.path: "-".join(f.path[max(1, len(f.path) - depth):]) for f in pending}
        counts: dict[str, int] = {}
        for name in candidates.values():
            counts[name] = counts.get(name, 0) + 1
        still = []
        for f in pending:
            name = candidates[f.path]
            if counts[name] == 1 or depth >= len(f.path) - 1:
                names[f.path] = name
            else:
                still.append(f)
        pending = still
        depth += 1
    return names


def _sql_type(f: Field, dialect: SqlDialect) -> str:
    vt = value_type(f)
    if vt.kind == "string":
        return _string_type(vt, dialect)
    if vt.kind == "float":
        if vt.bits == 32:
            return "REAL"
        return "DOUBLE" if dialect == "db2" else "DOUBLE PRECISION"
    if vt.kind == "integer":
        for sql, bits in (("SMALLINT", 16), ("INTEGER", 32), ("BIGINT", 64)):
            if -(2 ** (bits - 1)) <= vt.minimum and vt.maximum < 2 ** (bits - 1):  # type: ignore[operator]
                return sql
    return _decimal_type(vt, dialect)


def _decimal_type(vt: ValueType, dialect: SqlDialect) -> str:
    if vt.precision <= _MAX_DECIMAL[dialect]:
        return f"DECIMAL({vt.precision},{vt.scale})"
    if vt.precision <= 34:
        return "DECFLOAT(34)"
    return f"VARCHAR({vt.precision + 2})"  # sign and point: the number as text


def _string_type(vt: ValueType, dialect: SqlDialect) -> str:
    n = max(vt.max_length, 1)
    if vt.national and dialect == "db2":
        return f"GRAPHIC({n})" if n <= 127 else f"VARGRAPHIC({n})"
    return f"CHAR({n})" if n <= 255 else f"VARCHAR({n})"
