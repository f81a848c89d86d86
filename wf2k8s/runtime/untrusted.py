"""What the runtime reads but cannot trust: S3 keys, manifests, metric and label files, run values and
service inputs (anyone who can write to a bucket, give a run a value or annotate a pod on a shared
cluster writes them). Standard library only.

Every such input goes through this module, and each refusal is one line in the caller's own error
type (a ``PhaseError`` or ``ContractError`` subclass, passed as ``error``) naming the file and the entry:

``local_path``
    the one way an S3 key (or a manifest's sample path) becomes a local file: a key with an empty,
    ``.`` or ``..`` segment is refused (it is no path a directory can mirror), and the path must stay
    inside the destination directory once resolved (symbolic links included).
``key_problem``
    the same rule for a key that becomes another key (a dataset's sample, a batch service's result).
``loads``
    JSON with bounds: at most ``MAX_DEPTH`` levels of nesting (deeper is refused, not a
    ``RecursionError``), numbers that fit a float (NaN, Infinity, ``1e999`` and integers of more than
    ``MAX_INT_DIGITS`` digits are refused), UTF-8 text, and a size limit for whole files.
``number``, ``decimal``, ``whole``
    a number the runtime computes with (a weight, a ratio, a box, a metric): a finite float-sized
    JSON number, or ASCII decimal text (``"²"`` or ``"١"`` are no digits here).
``read_object``
    an S3 object read whole, refused (without reading it all) beyond its kind's size limit.
"""

from __future__ import annotations

import json
import math
import re
import reprlib
from pathlib import Path
from typing import Any, Callable, NoReturn

MiB = 1024 * 1024
#: how deep JSON the runtime reads may nest (manifests nest 4 levels; Python's own limit is near 1000)
MAX_DEPTH = 100
#: the longest integer JSON may hold: beyond it a number cannot be a float (1.8e308 has 309 digits)
MAX_INT_DIGITS = 308
#: size limits of files read whole
MANIFEST_LIMIT = 256 * MiB      # a dataset's manifest (JSON lines), or one given to import
TEXT_LIMIT = 256 * MiB          # a text dataset's input file, a batch service's input file
LABEL_LIMIT = 16 * MiB          # a label file: x.txt, PASCAL VOC x.xml, YOLO x.txt, classes.txt
JSON_LIMIT = 16 * MiB           # dataset.json, version.json, a labeling job's record
METRICS_LIMIT = 1 * MiB         # a metric file a job writes

Error = Callable[[str], Exception]
DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,5})?")
WHOLE = re.compile(r"[+-]?[0-9]+")
#: values in messages: a few levels and items of a list or an object, whatever its size
SHORT = reprlib.Repr()
SHORT.maxlevel, SHORT.maxlist, SHORT.maxdict, SHORT.maxstring, SHORT.maxother = 3, 6, 6, 60, 60


class TooLarge(Exception):
    """Mixed into a client's error: the object is larger than the limit the reader gave."""


def size_text(size: int) -> str:
    return f"{size // MiB} MiB" if size >= MiB and size % MiB == 0 else f"{size} bytes"


def shown(value: Any, width: int = 60) -> str:
    """A value for a message: its repr, cut to ``width`` characters (it may be megabytes long, or nested
    a thousand levels deep)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 1000:
        return f"<a whole number of about {int(value.bit_length() * math.log10(2)) + 1} digits>"
    if isinstance(value, str):
        return repr(value) if len(value) <= width else repr(value[:width]) + f"... ({len(value)} characters)"
    try:
        text = SHORT.repr(value)
    except (RecursionError, ValueError):
        return f"<a {type(value).__name__} too deep or too large to show>"
    return text if len(text) <= width else text[:width] + "..."


def fail(error: Error, message: str) -> NoReturn:
    raise error(message)


# paths ---------------------------------------------------------------------------------------------


def key_problem(path: str) -> str | None:
    """Why an S3 key (or the part of one under a prefix) is no relative file path; None when it is one."""
    if not path:
        return "is empty"
    if "\x00" in path:
        return "holds a NUL character"
    segments = path.split("/")
    if "" in segments:
        return "has an empty segment ('//', or a '/' at its start or end)"
    if ".." in segments:
        return "has a '..' segment"
    if "." in segments:
        return "has a '.' segment"
    return None


def local_path(destination: Path, path: str, where: str, error: Error) -> Path:
    """``destination / path`` for the key part ``path`` of ``where`` (the object, for messages), when it
    is a file inside ``destination``; else ``error``. No key leads out of the destination directory:
    not ``/tmp/x`` (from ``code//tmp/x``), not ``../x``, not through a symbolic link already there."""
    problem = key_problem(path)
    if problem:
        fail(error, f"{where}: its path {shown(path)} {problem}, so it is no file inside {destination} (refused)")
    target = destination / path
    root = destination.resolve()
    try:
        target.resolve().relative_to(root)
    except ValueError:
        fail(error, f"{where}: its path {shown(path)} leads out of {destination} through a symbolic link (refused)")
    except (OSError, RuntimeError) as problem:  # a symbolic link loop
        fail(error, f"{where}: its path {shown(path)} cannot be resolved inside {destination} ({problem})")
    return target


# JSON ------------------------------------------------------------------------------------------------


class Refused(ValueError):
    """A JSON text holds a value the runtime does not read (raised inside ``json.loads``)."""


class Huge:
    """A JSON integer too long for a float, kept (by ``loads(..., lenient=True)``) for its reader to refuse
    with the entry it is in."""

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self) -> str:
        return f"<a whole number of {self.digits} digits>"


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:  # before int(): Python >= 3.11 refuses over 4300 digits in its own words
        raise Refused(f"a whole number of {digits} digits is beyond the range of a float (1.8e308)")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise Refused(f"the number {shown(text, 30)} is beyond the range of a float (1.8e308)")
    return value


def _constant(name: str) -> Any:
    raise Refused(f"{name} is not a number the runtime reads (JSON has no NaN or Infinity)")


def _lenient_integer(text: str) -> int | Huge:
    digits = len(text.lstrip("-"))
    return Huge(digits) if digits > MAX_INT_DIGITS else int(text)


def decode(data: bytes, where: str, error: Error) -> str:
    """UTF-8 text (a byte order mark is dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        fail(error, f"{where}: not UTF-8 text (byte 0x{data[problem.start]:02x} at offset {problem.start})")


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests lists and objects more than ``limit`` levels (iteratively: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if level > limit:
            return True
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return False


def parse(text: str, lenient: bool = False) -> Any:
    """JSON text with the bounds of this module; ``Refused`` when it breaks one (the reason, no place),
    another ``ValueError`` when it is not JSON."""
    hooks: dict[str, Any] = {"parse_int": _lenient_integer} if lenient else \
        {"parse_int": _integer, "parse_float": _float, "parse_constant": _constant}
    try:
        value = json.loads(text, **hooks)
    except RecursionError:
        raise Refused(f"nested deeper than {MAX_DEPTH} levels") from None
    # a cheap test first: text with few brackets cannot nest deeply
    if isinstance(value, (dict, list)) and text.count("[") + text.count("{") > MAX_DEPTH and too_deep(value):
        raise Refused(f"nested deeper than {MAX_DEPTH} levels")
    return value


def loads(text: str | bytes, where: str, error: Error, limit: int | None = None, lenient: bool = False) -> Any:
    """JSON text (or UTF-8 bytes, at most ``limit`` of them) read with the bounds of this module;
    ``where`` names the file or value (and its entry) in messages. ``lenient``: NaN, Infinity, numbers
    beyond a float (as ``inf`` or ``Huge``) are read, for the caller to refuse naming their entry
    (``bad_number``)."""
    if isinstance(text, (bytes, bytearray)):
        if limit is not None and len(text) > limit:
            fail(error, f"{where}: {len(text)} bytes, over the {size_text(limit)} limit")
        text = decode(bytes(text), where, error)
    try:
        return parse(text, lenient)
    except Refused as problem:
        fail(error, f"{where}: {problem}")
    except ValueError as problem:
        fail(error, f"{where}: not JSON ({problem})")


# numbers -----------------------------------------------------------------------------------------------


def number_problem(value: Any) -> str | None:
    """Why a JSON value is no number the runtime computes with; None for a finite, float-sized number."""
    if isinstance(value, Huge):
        return f"must be a number within the range of a float (1.8e308), got a whole number of {value.digits} digits"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, got {shown(value)}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {value}"
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            return f"must be a number within the range of a float (1.8e308), got {shown(value)}"
    return None


def bad_number(value: Any) -> tuple[str, str] | None:
    """The first number in a JSON value that is not finite or beyond a float, as (its path, the
    problem): ``("data.y_axis[0].value[2]", "must be a finite number, got nan")``; None when all are fine."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((v, f"{path}[{i}]") for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, (int, float, Huge)) and not isinstance(item, bool):
            problem = number_problem(item)
            if problem:
                return path or "the value", problem
    return None


def number(value: Any, where: str, error: Error) -> float:
    """A JSON number (not a bool), finite and within the range of a float."""
    problem = number_problem(value)
    if problem:
        fail(error, f"{where}: {problem}")
    return float(value)


def decimal_problem(text: str) -> str | None:
    """Why ``text`` is no decimal number (``12``, ``-0.5``, ``1e-3``; ASCII digits only) of a finite float."""
    stripped = text.strip()
    if not DECIMAL.fullmatch(stripped):
        if stripped.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            return "not a finite number"
        return "not a decimal number"
    if not math.isfinite(float(stripped)):
        return "beyond the range of a float (1.8e308)"
    return None


def whole_problem(text: str) -> str | None:
    """Why ``text`` is no whole number (ASCII digits, an optional sign) within the range of a float."""
    stripped = text.strip()
    if not WHOLE.fullmatch(stripped):
        return "not a whole number"
    digits = len(stripped.lstrip("+-"))
    if digits > MAX_INT_DIGITS:
        return f"{digits} digits, beyond the range of a float (1.8e308)"
    return None


def decimal(text: str, where: str, error: Error) -> float:
    """Decimal text as a finite float, else ``error``: "<where>: must be a decimal number, got '²' (...)"."""
    problem = decimal_problem(text)
    if problem:
        fail(error, f"{where}: must be a decimal number, got {shown(text.strip())} ({problem})")
    return float(text.strip())


def whole(text: str, where: str, error: Error) -> int:
    """Whole-number text as an int, else ``error``."""
    problem = whole_problem(text)
    if problem:
        fail(error, f"{where}: must be a whole number, got {shown(text.strip())} ({problem})")
    return int(text.strip())


# S3 objects ----------------------------------------------------------------------------------------


def read_object(s3: Any, bucket: str, key: str, limit: int, what: str, error: Error) -> bytes:
    """An object read whole, for a kind of file (``what``: "manifest", ...) whose size is bounded: one
    larger than ``limit`` is refused before it is read to its end."""
    where = f"{what} s3://{bucket}/{key}"
    try:
        body = s3.get(bucket, key, limit=limit)
    except TooLarge:
        fail(error, f"{where}: larger than the {size_text(limit)} limit")
    if len(body) > limit:
        fail(error, f"{where}: {len(body)} bytes, over the {size_text(limit)} limit")
    return body
