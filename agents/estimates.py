"""The estimation checker: reads the back-of-envelope figures in one candidate message and says
whether each derived result follows from the figures it was derived from.

It owns three things: reading quantities the way candidates write them ("500M DAU", "40k/s",
"2 TB a day"); linking a stated result to its inputs through the few sentence shapes we can read
with confidence ("X × Y = Z", "X a day is about Y per second", "X at Y each comes to Z", "X over
N nodes is Z", "over 30 days that's Z", "X is P% of Y", "with a 3x peak, Z") and recomputing it
with pint; and comparing the candidate's inputs with the interviewer's scale facts. A false alarm
costs more than a miss, so a claim we cannot tie to its inputs is left alone.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pint

from content.schema import ScaleFact

DAY = 86_400
OFF = 3.0  # candidates round heavily: anything within 3x of our figure is fine
PEAK_SPAN = (0.2, 0.5)  # an average this share of a stated peak is a fair reading of it
EXPLAINS = 1.25  # another figure within this factor of a gap accounts for it
CONFLICT = (3.0, 1000.0)  # a scale input this far off contradicts; further, it's another thing


@dataclass(frozen=True)
class Quantity:
    text: str  # exactly as written in the message
    value: float  # base units: counts as numbers, sizes in bytes, rates per second, durations in s
    kind: str  # "count" | "rate" | "size" | "size_rate" | "percent" | "ratio" | "duration"
    start: int
    end: int


@dataclass(frozen=True)
class Estimate:
    claim: Quantity
    inputs: tuple[Quantity, ...]
    recomputed: float  # our value for the claim, same base units
    ratio: float  # claim.value / recomputed
    verdict: str  # "ok" | "off" | "unit_slip"
    working: str  # one line a coach can show


@dataclass(frozen=True)
class ScaleConflict:
    quantity: Quantity
    fact_name: str
    fact_value: str
    ratio: float  # quantity.value / the nearest figure of the fact


@lru_cache(maxsize=1)
def _ureg() -> Any:
    # pint's default registry makes bytes dimensionless; ours keeps [information] apart from counts.
    u: Any = pint.UnitRegistry(None)
    for line in (
        "second = [time]; millisecond = second / 1000; microsecond = second / 1e6; "
        "nanosecond = second / 1e9; "
        "minute = 60 * second; hour = 60 * minute; "
        "day = 24 * hour; week = 7 * day; year = 365.25 * day; month = year / 12; "
        "dollar = [currency]; byte = [information]; bit = byte / 8; "
        "kilo- = 1e3; mega- = 1e6; giga- = 1e9; "
        "tera- = 1e12; peta- = 1e15; exa- = 1e18; "
        "kibi- = 2**10; mebi- = 2**20; gibi- = 2**30; tebi- = 2**40"
    ).split("; "):
        u.define(line)
    return u


_BASE = {"rate": "1/second", "size": "byte", "size_rate": "byte/second", "duration": "second"}
_BASE |= {"money": "dollar", "money_rate": "dollar/second"}
_KINDS = {(): "count", (("[time]", -1),): "rate", (("[information]", 1),): "size"}
_KINDS |= {(("[information]", 1), ("[time]", -1)): "size_rate", (("[time]", 1),): "duration"}
_KINDS |= {(("[currency]", 1),): "money", (("[currency]", 1), ("[time]", -1)): "money_rate"}
_PREFIX = {"k": "kilo", "K": "kilo", "M": "mega", "G": "giga", "T": "tera", "P": "peta"}
_PREFIX |= {"E": "exa"}
_PREFIX |= {"Ki": "kibi", "Mi": "mebi", "Gi": "gibi", "Ti": "tebi"}
_MULT = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9}
_MULT |= {"billion": 1e9, "trillion": 1e12, "hundred": 1e2, "": 1.0}
_TIMES = {"ms": "millisecond", "mil": "millisecond", "mic": "microsecond", "us": "microsecond"}
_TIMES |= {"ns": "nanosecond", "nan": "nanosecond"}
_TIMES |= {"µs": "microsecond", "min": "minute", "mo": "month", "s": "second"}
_TIMES |= {"h": "hour", "d": "day", "w": "week", "y": "year"}
_UNIT_WORDS = set("thousand million billion trillion per sec second min minute hour day".split())
_UNIT_WORDS |= set("week month year daily monthly yearly bytes byte bits bit bps".split())

# Words that end a noun phrase; a rate suffix ("a day") may follow at most two other words.
_STOP = (
    r"(?:is|are|was|be|that|that's|which|so|and|or|of|to|in|at|on|over|across|from|by|for|with"
    r"|the|each|per|a|an|than|gives|means|would|will|we|i|it|plus|x|times|about|roughly|around"
    r"|if|then|peak|average|hold|holds|have|has|when|where|while|because|since|unless|until)"
)
# A word of a noun phrase; "wrap/unwrap operations" is one, "requests/s" a word and its unit.
_W = r"[A-Za-z][\w'-]*(?:/(?!(?:s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|d|days?|weeks?"
_W += r"|mo|months?|y|yrs?|years?|ms)\b)[A-Za-z][\w'-]*)?"
_NOUN = rf"(?!{_STOP}\b){_W}"
_WORDNUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_WORDNUM |= {"nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30}
_WORDNUM |= {"sixty": 60, "ninety": 90, "eleven": 11, "thirteen": 13, "fourteen": 14}
_WORDNUM |= {"sixteen": 16, "eighteen": 18, "forty": 40, "fifty": 50, "seventy": 70}
_WORDNUM |= {"eighty": 80, "hundred": 100}
_N = r"(?:[Aa]n?|[Oo]ne)(?=\s+(?:hundred|thousand|million|billion|trillion"
_N += r"|(?:kilo|mega|giga|tera|peta)bytes?)\b)|\d+\^\d+"
_WORDS = "|".join(_WORDNUM)
# A number in words is read before a time unit or a multiplier ("seven days", "sixty thousand"),
# and from three up before a plural noun ("fifteen events"), never in "two things".
_N += rf"|(?i:{_WORDS})(?=[\s-]+(?i:seconds?|minutes?|hours?|days?|weeks?|months?|years?|cents?)\b"
_N += r"|\s+(?i:hundred|thousand|million|billion|trillion)\b)"
_N += r"|(?<![\w-])(?<!few )(?<!several )(?<!many )(?!(?i:one|two|hundred)\b)"
_N += rf"(?i:{_WORDS})(?=\s+[a-z][\w-]*[a-rt-z]s\b)"
_N += r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE]\d+)?"
_TIME = r"nanoseconds?|ns|microseconds?|µs|us|milliseconds?|ms|seconds?|secs?|s|minutes?|mins?"
_TIME += r"|hours?|hrs?|h"
_TIME += r"|days?|d|weeks?|months?|mo|years?|yrs?"
_QTY = re.compile(
    rf"""(?<![\w.^/-])~?(?P<cur>\$)?(?:(?P<lo>{_N})(?:-|–|\s+to\s+))?(?P<num>{_N})
    (?:\s?(?P<mw>(?i:hundred(?:\s+(?:thousand|million|billion))?|thousand|million|billion|trillion))\b|(?P<ml>[kKMB]|bn)(?![A-Za-z]))?
    (?:\s*(?P<pct>%)|:(?P<ratio>\d+)\b|(?P<x>x)\b
      |\s+(?P<times>times)(?=\s+(?!(?:a|an|per|each|every|in|on|at|during|within|over|before)\b)[A-Za-z])
      |[\s-]?(?P<pre>[kKMGTPE]i?)?(?P<base>bytes?|bits?|B|b)(?P<ps>ps)?\b
      |\s+(?P<wpre>(?i:kilo|mega|giga|tera|peta))(?P<wbase>(?i:bytes?))\b
      |[\s-](?:(?i:working|business|busy|peak|waking|calendar|billable)\s+)?(?P<dur>{_TIME})\b(?!/)
      |\s+(?i:gpu|cpu|core|node|worker|machine|server|person|engineer|instance|vm)-(?P<work>{_TIME})\b|\s?(?P<acr>(?i:QPS|RPS|TPS)|DAU|MAU)\b|\s?(?P<cent>cents?\b|¢))?
    (?:(?:\s+per\s+|/)(?P<perm>(?i:thousand|million|billion)|1(?:,000)+|1[kKM]|[MK](?![A-Za-z]))\b
      (?:\s+{_NOUN}){{0,2}})?
    (?:(?:\s+{_NOUN}(?:\s+(?:(?:and|or)\s+{_NOUN}(?:\s+{_NOUN})?|{_NOUN}))?)?(?:\s+per\s+(?!(?:{_TIME})\b)[a-z]+)?
      (?:\s*/\s*|\s+per\s+|\s+an?\s+)(?P<per>{_TIME})\b
      |(?:\s+{_NOUN}){{0,2}}\s+(?P<adv>daily|hourly|weekly|monthly|yearly)\b(?!\s+[a-z]))?""",
    re.X,
)


_RESOLUTION = re.compile(
    r"[248]K\b(?=\s+(?:rungs?|videos?|streams?|resolution|renditions?|encod\w*|output|sources?|hdr"
    r"|tvs?|displays?|screens?|cameras?|content|files?|uploads?|playback)\b)|(?<=to )[248]K\b"
)


@dataclass(frozen=True)
class _Tok:
    q: Quantity
    pq: Any  # pint quantity in the units as written ("20 billion / day")
    per: str | None  # the time unit a rate was written per, to read bare-number arithmetic in


def _time(word: str) -> str:  # "secs" -> second, "hr" -> hour, "monthly" -> month
    w = word.lower()
    return next(_TIMES[w[:n]] for n in (3, 2, 1) if w[:n] in _TIMES)


def _num(s: str) -> float:
    if s[0].isalpha():  # "a billion", "one million", "seven (days)"
        return float(_WORDNUM.get(s.lower(), 1))
    if "^" in s:  # "10^9", "62^7": a power
        base, power = s.split("^")
        return float(int(base)) ** min(int(power), 99) if int(base) > 1 else float(base)
    return float(s.replace(",", ""))


def _kind(pq: Any) -> str | None:
    return _KINDS.get(tuple(sorted(dict(pq.dimensionality).items())))


def _base(pq: Any, kind: str) -> float:
    return float(pq.to(_BASE.get(kind, "dimensionless")).magnitude)


def _token(text: str, m: re.Match[str]) -> _Tok | None:
    u, g = _ureg(), m.groupdict()
    if m.end("num") == m.end() and re.match(r"[A-Za-z]", text[m.end() : m.end() + 1]):
        return None  # "1080p", "2nd", "H264": a name, not a figure
    if _RESOLUTION.match(text, m.start()):
        return None  # "the 4K rung": a video resolution
    mult = math.prod(_MULT[w] for w in (g["mw"] or g["ml"] or "").lower().split())
    v = _num(g["num"]) * mult
    to_one = g["lo"] and "to" in text[m.end("lo") : m.start("num")] and _num(g["num"]) == 1
    if to_one:  # "200 to 1" is a ratio
        v = _num(g["lo"]) * mult
    elif g["lo"]:  # a range: "2.5-3x", "64-100 bytes", "40 to 60 nodes"
        v = math.sqrt(_num(g["lo"]) * mult * v)
    per = _time(g["per"] or g["adv"]) if (g["per"] or g["adv"]) else None
    kind = (
        "percent"
        if g["pct"]
        else "ratio"
        if (g["ratio"] or g["x"] or g["times"] or to_one)
        else None
    )
    pq = v * u.dimensionless
    if g["ratio"] and _num(g["ratio"]) == 0:
        return None  # "1:0" is no ratio
    if g["pct"] or g["ratio"]:
        pq = pq / (100 if g["pct"] else _num(g["ratio"]))
    elif g["wbase"]:  # "a kilobyte", "two megabytes": the unit in words
        pq = v * u(g["wpre"].lower() + "byte")
    elif g["base"] and (g["pre"] or g["ps"] or g["base"] != "b"):  # a bare "b" is no unit
        unit = "byte" if g["base"] in ("B", "byte", "bytes") else "bit"
        pq = v * u(_PREFIX.get(g["pre"] or "", "") + unit)
    elif g["dur"]:
        pq, per = v * u(_time(g["dur"])), None
    elif g["work"]:  # "690k GPU-hours", "1.5 CPU-seconds per second": time, summed over many
        pq = v * u(_time(g["work"]))
    elif g["cur"]:
        pq = v * u.dollar
    elif g["cent"]:  # "one cent each", "5¢"
        pq = v / 100 * u.dollar
    if g["perm"]:  # "$3 per million tokens": a price per unit
        perm = g["perm"].lower().replace(",", "")
        pq = pq / {"1k": 1e3, "1000": 1e3, "1m": 1e6, "1000000": 1e6}.get(perm, _MULT.get(perm, 1))
    per = "second" if (g["acr"] or "").upper() in ("QPS", "RPS", "TPS") or g["ps"] else per
    if kind:  # "30% post once a day" is still a percent
        per = None
    pq = pq / u(per) if per else pq
    kind = kind or _kind(pq)
    start = m.start("cur") if g["cur"] else m.start("lo") if g["lo"] else m.start("num")
    if kind is None or not 0 < v < 1e30:  # zero, or beyond anything a system handles
        return None
    return _Tok(Quantity(text[start : m.end()], _base(pq, kind), kind, start, m.end()), pq, per)


# "so a year is 70 TB", "over a month": a period written without a figure.
_ONE_PERIOD = re.compile(
    r"\b(?:over|in|for|across|within|so|of)\s+(?P<num>an?|one)\s+(?P<dur>year|month|week|day|hour)\b",
    re.I,
)


# "3,000 per second at peak and 230 on average": the second figure is a rate too, its unit left
# off because it is the first one's. A bare count joined to a rate and labelled as the peak or the
# average of the same thing takes the rate's unit ("5k QPS and 3 replicas" is no such pair).
_LOAD_LABEL = r"(?:(?:at |on |in )?(?:the )?(?:peak|average|avg|mean|busiest hour|off-peak))"
_ELIDED_GAP = re.compile(
    rf"\s*(?:{_LOAD_LABEL}\s*)?,?\s*(?:and|or|to|vs\.?|versus|with|on top of(?: the)?|,|-|–)\s*"
    rf"(?:an? )?"
    rf"(?:{_LOAD_LABEL}(?: of)?\s*)?~?",
    re.I,
)
_LABEL_AFTER = re.compile(rf"\s*{_LOAD_LABEL}\b", re.I)


def _elided_rates(text: str, toks: list[_Tok]) -> list[_Tok]:
    out = list(toks)
    for k in range(1, len(out)):
        prev, tok = out[k - 1], out[k]
        gap = text[prev.q.end : tok.q.start]
        if (
            tok.q.kind != "count"
            or prev.q.kind not in ("rate", "size_rate")
            or prev.per is None
            or not _ELIDED_GAP.fullmatch(gap)
        ):
            continue
        labelled = re.search(_LOAD_LABEL, gap, re.I) or _LABEL_AFTER.match(text, tok.q.end)
        if not labelled:
            continue
        pq = prev.pq * (float(tok.pq.magnitude) / float(prev.pq.magnitude))
        q = Quantity(tok.q.text, _base(pq, prev.q.kind), prev.q.kind, tok.q.start, tok.q.end)
        out[k] = _Tok(q, pq, prev.per)
    return out


def _scan(text: str) -> list[_Tok]:
    return list(_scan_once(text))


@lru_cache(maxsize=4096)  # a message is read by several checks in one turn; scale facts every turn
def _scan_once(text: str) -> tuple[_Tok, ...]:
    toks = [t for m in _QTY.finditer(text) if (t := _token(text, m))]
    taken = [(t.q.start, t.q.end) for t in toks]
    for m in _ONE_PERIOD.finditer(text):
        a, b = m.start("num"), m.end()
        if not any(s < b and a < e for s, e in taken):
            pq = 1 * _ureg()(m["dur"].lower())
            toks.append(
                _Tok(Quantity(text[a:b], _base(pq, "duration"), "duration", a, b), pq, None)
            )
    return tuple(_elided_rates(text, sorted(toks, key=lambda t: t.q.start)))


def extract_quantities(text: str) -> list[Quantity]:
    """Every figure in the message with a number in it; vague ones ("a few hundred") are skipped."""
    return [t.q for t in _scan(text)]


# The shapes of the text between linked figures (fullmatched, case-insensitive).
def _words(n: int) -> str:  # up to n words; the last may carry a comma ("followers, means")
    return rf"(?:{_W}(?:\s+|(?=[,;]))){{0,{n}}}"


_HEDGE = r"(?:(?:about|roughly|around|approximately|approx\.?|nearly|almost|only|just|~|≈)\s*)*"
_EQ = r"(?:=|≈|~=|->|→|is|are|gives?|means|makes|totals?|comes?\s+to|works?\s+out\s+(?:to|at)"
_EQ += r"|averages?(?:\s+out)?(?:\s+to)?|call\s+it"
_EQ += r"|(?:that|which)(?:'s|\s+is|\s+gives)|i\.e\.|so|or(?=\s+(?:about|roughly|around|~)))"
_LINK = rf"(?:{_EQ}\s*){{1,2}}{_HEDGE}"  # "is about", "so that's roughly", "="
_RES = rf"\s*{_words(3)},?\s*(?:on\s+average\s*,?\s*)?{_LINK}"
_OP = rf"\s*,?\s*{_words(3)}(?P<op>×|\*|x|/|÷|\+|plus|times|divided\s+by|multiplied\s+by)"
_OP += r"\s*(?:an?\s+)?~?"
_OPS = {"×": "×", "*": "×", "x": "×", "times": "×", "multiplied by": "×", "divided by": "/"}
_OPS |= {"÷": "/"}
_AT = rf"\s*{_words(4)}(?:[,;]\s*(?:and\s+|so\s+)?)?at\s+(?:the\s+)?~?"
_OVER = rf"\s*{_words(3)}(?:(?:spread|split|evenly)\s+)?(?:over|across|between|among|divided\s+by)"
_OVER += r"\s+(?:the\s+|our\s+)?~?"
_OVER_TIME = (
    rf"\s*{_words(2)}[,.;]?\s*(?:which\s+)?(?:(?:spread|divided|averaged)\s+)?(?:over|by)\s+~?"
)
_IS, _OF = rf"\s*{_words(2)}(?:is|are|=)\s*{_HEDGE}", r"\s*of\s+(?:the\s+|our\s+|all\s+)?~?"
_EVERY = rf"\s*{_words(4)}(?:once\s+)?every\s+~?"
_ACCUM = r"\s*[,;.]?\s*(?:and\s+|so\s+)?(?:with\s+|over\s+|for\s+|in\s+)?(?:a\s+|the\s+|our\s+)?~?"
_CONVERT = rf"\s*(?:[—–]\s*)?(?:(?!each\b|per\b){_W}(?:\s+|(?=[,.;]))){{0,3}}(?:on\s+average\s*)?"
_CONVERT += rf"(?:[,.;]\s*(?:{_EQ}\s*){{0,2}}{_HEDGE}|{_LINK})"
_PART = r"(?:\b(?:half|thirds?|quarters?|tenths?|fraction|most|some|part|portion|share|rest)"
# "each of the 500,000 workloads" is all of them, not a part.
_PART += r"\s+of|(?<!each )(?<!every )(?<!all )(?<!any )\bof\s+(?:the|our|those|these|all))\s+~?$"


class _Msg:
    def __init__(self, text: str):
        self.text, self.toks = text, _scan(text)
        self.derived: dict[int, set[int]] = {}  # a claim read so far -> the figures it came from

    def gap(self, i: int, j: int) -> str:
        if i < 0 or j >= len(self.toks):
            return "\x00"  # fits no shape
        return re.sub(r"\([^)]*\)", " ", self.text[self.toks[i].q.end : self.toks[j].q.start])

    def fits(self, i: int, j: int, shape: str) -> re.Match[str] | None:
        return re.fullmatch(shape, self.gap(i, j), re.I)

    def kinds(self, *idx: int) -> tuple[str, ...]:
        return tuple(self.toks[i].q.kind if 0 <= i < len(self.toks) else "" for i in idx)


def _recompute(res: Any, claim: _Tok, per: str | None) -> float | None:
    """Our value in the claim's base units; bare-number arithmetic ("50M × 200 = 10B a day")
    is read in the time unit written on the claim or on the rate it started from."""
    u = _ureg()
    for cand in (res, res / u(claim.per) if claim.per else None, res * u(per) if per else None):
        if cand is not None and cand.dimensionality == claim.pq.dimensionality:
            return _base(cand, claim.q.kind)
    return None


def _verdict(ratio: float, claim: _Tok, inputs: list[_Tok]) -> str:
    if 1 / OFF < ratio < OFF:
        return "ok"
    words = " ".join(t.q.text for t in (claim, *inputs)).lower()
    slips = [1000, 1024] + [8] * ("bit" in words or "bps" in words)  # the factor a slip makes
    slips = slips if claim.q.kind in ("size", "size_rate") else []
    if claim.q.kind in ("rate", "size_rate", "count"):
        slips += [60] * ("min" in words) + [24] * ("day" in words) + [3600] * ("hour" in words)
    # 1.25: tight enough that a 10x slip of the pen is not read as bits for bytes (8x).
    hit = any(abs(math.log(ratio * f**s)) < math.log(1.25) for f in slips for s in (1, -1))
    return "unit_slip" if hit else "off"


def _explained(
    m: _Msg, ratio: float, used: set[int], claim: int, factors_only: bool = False
) -> bool:
    """Whether another bare figure in the message accounts for the gap: the candidate divided
    by the 50 chains or multiplied by the 128 heads we did not link. A power of ten never
    explains one: that is the very slip of the pen we look for."""
    gap = max(ratio, 1 / ratio)
    for k, tok in enumerate(m.toks):
        v = tok.q.value
        # A stated factor ("10:1 compression", "3x replication") explains a gap of its size,
        # a power of ten too: the candidate said they apply it.
        factor = tok.q.kind == "ratio" and "times" not in tok.q.text and k < claim
        if k in used or not (factor or tok.q.kind == "count" and not factors_only) or v < 2:
            continue
        written = _OPERAND.match(m.text[tok.q.end :]) or _OPERAND_BEFORE.search(
            m.text[: tok.q.start]
        )  # a factor of a product written out ("1,024 × 24 × 28") is not a hidden one
        if written or (not factor and abs(math.log10(v) % 1) < 1e-9):
            continue
        if abs(math.log(gap / v)) < math.log(EXPLAINS):
            return True
    return False


def _fmt(v: float, tok: _Tok) -> str:
    kind = tok.q.kind
    if kind in ("percent", "ratio", "duration"):
        unit = {"ratio": "x", "duration": " s"}.get(kind, "")
        return f"{v * 100:.3g}%" if kind == "percent" else f"{v:.3g}{unit}"
    v *= _ureg()(tok.per).to("second").magnitude if tok.per else 1
    if kind in ("count", "rate", "money", "money_rate"):
        scales = ((1e12, " trillion"), (1e9, " billion"), (1e6, " million"), (1e3, "k"))
        d, n = next(((d, n) for d, n in scales if v >= max(d, 1e4) * 0.9995), (1, ""))
        text = f"{v / d:.3g}{n}" if d > 1 else f"{v:,.0f}" if v >= 10 else f"{v:.2g}"
        text = "$" + text if kind.startswith("money") else text
    else:  # sizes, in bits when the claim was written in bits
        bits = re.search(r"bit|bps", tok.q.text) is not None
        units = ("bit Kbit Mbit Gbit Tbit Pbit" if bits else "B KB MB GB TB PB").split()
        v *= 8 if bits else 1
        while v >= 1000 and len(units) > 1:
            v, units = v / 1000, units[1:]
        text = f"{v:.3g} {units[0]}"
    return f"{text} per {tok.per}" if tok.per else text


def _judge(
    m: _Msg, j: int, idx: list[int], res: Any, syms: list[str], peak: float = 0, terms: str = ""
) -> Estimate | None:
    first = m.toks[idx[0]]
    if m.kinds(idx[0] - 1)[0] == "percent" and m.fits(idx[0] - 1, idx[0], _OF):
        if m.toks[j].q.kind == "percent":
            return None
        res, idx, syms = res * m.toks[idx[0] - 1].pq, [idx[0] - 1, *idx], ["×", *syms]
    elif re.search(_PART, m.text[max(0, first.q.start - 20) : first.q.start], re.I):
        return None  # "a tenth of the 1 billion objects": a part we cannot size
    if idx[0] > 0 and re.search(r"(?:\bplus|\+)\s*~?$", m.gap(idx[0] - 1, idx[0])):
        return None  # "500M users plus 100M items at 2 KB each": a sum we do not read whole
    claim, inputs = m.toks[j], [m.toks[i] for i in idx]
    rec = _recompute(res, claim, next((t.per for t in inputs if t.per), None))
    if rec is None or rec <= 0:
        return None
    ratio = claim.q.value / rec
    verdict = _verdict(ratio, claim, inputs)
    if verdict == "unit_slip" and _explained(m, ratio, {j, *idx}, j, factors_only=True):
        return None  # "20x fewer points, so 1.6 TB/day becomes 80 GB/day": a stated factor
    if verdict == "off" and _explained(m, ratio, {j, *idx}, j):
        return None  # the candidate used a factor we did not link ("per chain": 50 chains)
    if peak and 2 <= claim.q.value / peak <= 5:  # a 2-5x peak over the average is a fair claim
        verdict = "ok"
    steps = zip(syms, inputs[1:], strict=False)
    working = terms or inputs[0].q.text + "".join(f" {o} {t.q.text}" for o, t in steps)
    working += f" ≈ {_fmt(rec, claim)}"
    return Estimate(claim.q, tuple(t.q for t in inputs), rec, ratio, verdict, working)


def _period(tok: _Tok) -> bool:  # the seconds in a minute, hour, day (or 100k), week, month, year
    return any(
        abs(math.log(tok.q.value / p)) < 0.05 for p in (60, 3600, DAY, 1e5, 7 * DAY, 2.6e6, 3.15e7)
    )


_WORK = re.compile(
    r"-(?:seconds?|minutes?|hours?|days?)\b.*\bper\b|-(?:seconds?|hours?) an? ", re.I
)
_BARE = re.compile(r"~?[\d.,]+(?:[kKMB]|bn)?")


def _echo(m: _Msg, i: int) -> _Tok:
    """A bare figure in working takes the unit it was given earlier: "100k lookups a second
    ... 100k × 2 ms" multiplies a rate, "every 4 seconds ... 150k / 4" divides by a time."""
    tok = m.toks[i]
    if tok.q.kind == "count" and _BARE.fullmatch(tok.q.text):
        for e in reversed(m.toks[:i]):
            if e.q.kind != "count" and e.q.kind in _BASE and _num_of(e) == _num_of(tok):
                return e
    return tok


def _fold(
    ops: list[str], vals: list[Any], step: Callable[[Any, int, str], Any] | None = None
) -> Any:
    """Working read left to right, "+" last ("15B + 5B × 10"); `step(acc, n, op)` may give the
    product or quotient by figure n another way (None: plain arithmetic). Raises pint's errors."""
    total, acc = None, vals[0]
    for n, (op, v) in enumerate(zip(ops, vals[1:], strict=True), start=1):
        if op == "+":
            total, acc = acc if total is None else total + acc, v
            continue
        other = step(acc, n, op) if step else None
        if other is None:
            other = acc * v if op == "×" else acc / v
        acc = other
    return acc if total is None else total + acc


def _by_period(ops: list[str], toks: list[_Tok], claim: _Tok) -> Any | None:
    """The working read with a rate divided by the count of one period in another ("25M a day
    × 15 / 86,400 ≈ 4,300/s") or multiplied by it ("8 TB a day × 365 ≈ 2.9 PB a year", the same
    rate per year); None when no step is such a conversion."""
    steps: list[Any] = []

    def convert(acc: Any, n: int, op: str) -> Any:
        found = _per_period(acc, toks[n], claim, op)
        if found is not None:
            steps.append(found)
        return found

    try:
        res = _fold(ops, [t.pq for t in toks], convert)
    except pint.errors.PintError:
        return None
    return res if steps and _kind(res) == claim.q.kind else None


def _per_period(acc: Any, tok: _Tok, claim: _Tok, op: str = "/") -> Any | None:
    """A rate over the count of one period in another: "500M a year / 365 ≈ 1.4M a day",
    "100M a day / 86,400 ≈ 1,160/s"; or a rate per period times the count of that period in the
    claim's ("12 an hour × 24 = 288 a day"). The result, or None when it is no such step."""
    if tok.q.kind != "count" or not _BARE.fullmatch(tok.q.text) or not claim.per:
        return None
    u = _ureg()
    units = ("second", "minute", "hour", "day", "week", "month", "year")
    if op == "×":  # the claim's period holds `tok` of acc's: the same rate, said per claim's
        per = next((x for x in units if dict(acc.unit_items()).get(x) == -1), None)
        if per is None:
            return None
        span = float((u(claim.per) / u(per)).to("dimensionless").magnitude)
        return acc if abs(math.log(tok.q.value / span)) < 0.05 else None
    for unit in units:
        with contextlib.suppress(pint.errors.PintError):
            counted = float((acc * u(unit)).to("dimensionless").magnitude)
            if abs(counted - float(acc.magnitude)) > 1e-9 * abs(counted):
                continue  # acc is not written per `unit`
            span = float((u(unit) / u(claim.per)).to("dimensionless").magnitude)
            if abs(math.log(tok.q.value / span)) < 0.05:
                return counted / (tok.q.value * u(claim.per))
    return None


def _num_of(tok: _Tok) -> float:
    """The figure as written, before units: 100 for "100k/s"'s 100k is 1e5, for "2 ms" 2."""
    return round(float(tok.pq.magnitude), 9)


def _expression(m: _Msg, j: int) -> Estimate | None:
    """X × Y = Z; 15B + 5B × 10 = 65B; 1M / 86,400 ≈ 12 per second."""
    k, ops = j - 1, list[str]()
    # A result stated before ("... = 1.2 cents in plus 400 × $15/M = 0.6 cents") starts no
    # chain: the expression begins after it; unless the operator follows it straight away
    # ("= 8 TB/day, ×365 ≈ 2.9 PB a year" carries on from the result).
    while (
        m.fits(j - 1, j, _RES)
        and (k - 1 not in m.derived or m.fits(k - 1, k, _STRAIGHT_OP))
        and (found := m.fits(k - 1, k, _OP))
    ):
        word = re.sub(r"\s+", " ", found["op"].lower())
        ops.insert(0, _OPS.get(word, word.replace("plus", "+")))
        k -= 1
    if not ops:
        return None
    if "+" in ops and _PLUS_NEXT.match(m.text, m.toks[j].q.end):
        # "3.5M × $0.0015 + 1.5M × $0.018 = $5.25k + $27k": the claim is the first term's.
        ops = ops[: ops.index("+")]
        if not ops:
            return None
    idx = list(range(k, k + len(ops) + 1))
    claim = m.toks[j]
    # A bare figure takes the unit it was given earlier (_echo), unless that reading cannot
    # give the claim's kind and one without the times echoed (or without any echo) can
    # ("every 100 ms ... 5 ops/s ... 100 × 5 = 500 ops/s").
    echoed = [_echo(m, i) for i in idx]
    readings = [
        echoed,
        [m.toks[i] if e.q.kind == "duration" else e for i, e in zip(idx, echoed, strict=True)],
        [m.toks[i] for i in idx],
    ]
    res = None
    for toks in readings:
        if (by_period := _by_period(ops, toks, claim)) is not None:
            return _judge(m, j, idx, by_period, ops)
        got = _worked(m, ops, toks, idx)
        if res is None:
            res = got
        if got is not None and _kind(got) == claim.q.kind:
            res = got
            break
    return None if res is None else _judge(m, j, idx, res, ops)


# ... or after the noun the result counts ("→ 100M prefixes × 10 × 8-byte IDs = 8 GB").
_STRAIGHT_OP = rf"\s*,?\s*(?:{_NOUN}\s+){{0,2}}(?:×|\*|x|/|÷)\s*~?"
_PLUS_NEXT = re.compile(r"\s*(?:\+|plus\b)")


def _worked(m: _Msg, ops: list[str], toks: list[_Tok], idx: list[int]) -> Any | None:
    """The working as written, with periods read as times where the candidate meant them."""
    vals = [t.pq for t in toks]
    if any(m.toks[i].per for i in idx):  # "1k QPS × 86,400": a bare period next to a rate is time
        periods = [
            n for n, t in enumerate(m.toks[i] for i in idx) if t.q.kind == "count" and _period(t)
        ]
        vals = [v * _ureg().second if n in periods else v for n, v in enumerate(vals)]
    for n, op in enumerate(ops):  # "20B a day / 86,400": the candidate divides the daily count
        if op == "/" and m.toks[idx[n]].per and _kind(vals[n + 1]) not in ("rate", "size_rate"):
            vals[n] = vals[n] * _ureg()(m.toks[idx[n]].per)
    try:
        return _fold(ops, vals)
    except pint.errors.PintError:
        return None


# Two inputs x, y and a claim z in a row: (the text between x and y, the text between y and z,
# the operation, the kinds of x, y and z as a pattern).
_SHAPES = (
    (rf"\s*{_words(6)}~?", rf"\s*{_words(3)}each\s*,?\s*{_LINK}", "×", ".*"),  # 40 messages each is
    (rf"\s*,?\s*each\s+{_words(2)}~?", _RES, "×", ".*"),  # 50M posts, each reaching 200, means
    (_AT, rf"\s*per\s+{_W}\s+{_words(2)},?\s*{_LINK}", "/", r"(count|rate) \1 .*"),  # 500k per box
    (_AT, rf"\s*{_words(2)}(?:each\s+)?,?\s*{_LINK}", "×", "(count|rate) .*"),  # at 100 bytes each
    (_OF, _RES, "×", "percent .*"),  # 10% of the 100k lookups/s, that's 10k
    (_OVER, _RES, "/", ".* count .*"),  # 1M/s spread over 200 gateways is 5,000 per node
    (_OVER_TIME, _RES, "/", ".* duration (size_)?rate"),  # 20B a day over 86,400 s is 230k/s
    (_ACCUM, rf"\s*{_words(4)},?\s*{_LINK}", "×", "(size_)?rate duration (count|size)"),
    (_EVERY, _RES, "/", "count duration rate"),  # 15,000 cars every 4 s is 3,750 per second
)


def _shaped(m: _Msg, j: int) -> Estimate | None:
    """The shapes above: "300M players at 100 bytes each comes to 30 GB", "150M connections at
    500k per gateway is 300", "4 TB a day, so a 30-day window is 120 TB"."""
    kinds = " ".join(m.kinds(j - 2, j - 1, j))
    for xy, yz, op, want in _SHAPES:
        if not (m.fits(j - 2, j - 1, xy) and m.fits(j - 1, j, yz) and re.fullmatch(want, kinds)):
            continue
        x, y = m.toks[j - 2], m.toks[j - 1]
        # A rate spread over a duration restates the rate; if the duration isn't the rate's own
        # period (a day as 3,600 s), the claim is off by that factor and reads as a unit slip.
        res = x.pq if x.per and y.q.kind == "duration" else x.pq / y.pq
        if (
            op == "/"
            and re.match(r"\s*each\b", m.gap(j - 1, j))
            and not _per_entity(m.text, m.toks[j])
        ):
            continue  # "~15 attempts over 3 days each → 375M/day": per entity, times a count
        if op == "×" and _per_own_entity(m, j, x):
            # "256 partitions at 30k/s is ~117/s per partition": the rate shared among them
            terms = f"{y.q.text} / {x.q.text}"
            if est := _judge(m, j, [j - 2, j - 1], y.pq / x.pq, ["/"], terms=terms):
                return est
            continue
        if est := _judge(m, j, [j - 2, j - 1], x.pq * y.pq if op == "×" else res, [op]):
            return est
    return None


_LONG_PERIODS = ("day", "week", "month", "year")


def _at_peak(m: _Msg, i: int) -> bool:
    """Whether a rate is labelled the peak: "3,000/s peak", "30k/s at peak", "a peak of 3k/s"."""
    tok = m.toks[i]
    before = m.text[max(0, tok.q.start - 12) : tok.q.start].lower()
    return tok.q.kind == "rate" and bool(
        re.match(rf"\s*(?:{_LOAD_LABEL})", m.text[tok.q.end :], re.I)
        and "peak" in m.text[tok.q.end : tok.q.end + 16].lower()
        or re.search(r"\bpeak\s+(?:of\s+|at\s+)?~?$", before)
    )


def _per_own_entity(m: _Msg, j: int, count: _Tok) -> bool:
    """Whether the claim is per one of the entities `count` counts ("256 partitions at 30k/s
    is ~117/s per partition")."""
    entity = _per_entity(m.text, m.toks[j])
    stem = _entity_stem(entity) if entity else ""
    return count.q.kind == "count" and bool(stem) and stem in _nouns(m.text, count)


def _entity_stem(entity: re.Match[str]) -> str:
    """The five-letter stem of the entity a `_PER_ENTITY` match names ("per partition": "parti")."""
    words = re.findall(_W, entity.string[entity.end() - 1 : entity.end() + 30])
    return _norm(words[0])[:5] if words else ""


def _percent(m: _Msg, j: int) -> Estimate | None:
    """50k/s is 5% of our 1M/s peak: the percent is the claim."""
    if m.kinds(j)[0] == "percent" and m.fits(j - 1, j, _IS) and m.fits(j, j + 1, _OF):
        return _judge(m, j, [j - 1, j + 1], m.toks[j - 1].pq / m.toks[j + 1].pq, ["/"])
    return None


# A rate said to be the average: "60k per second on average", "6k/s average".
_AVERAGE_LABEL = re.compile(
    r"\s*(?:[a-z]+\s+){0,2}?(?:on\s+)?(?:an?\s+)?(?:average|avg|mean)\b", re.I
)


def _peak(m: _Msg, j: int) -> Estimate | None:
    """230k/s, and with a 3x peak factor 700k/s; 6k/s on average and 60k/s at peak, a 10x peak."""
    after = m.text[m.toks[j].q.end : m.toks[j].q.end + 15]
    for a, f in ((j - 2, j - 1), (j - 1, j + 1)):
        if m.kinds(a, f, j) != ("rate", "ratio", "rate") or m.toks[j].q.value < m.toks[a].q.value:
            continue  # a "peak" below the average means we misread which figure is which
        if ":" in m.toks[f].q.text:
            continue  # "~100:1 over creations" compares two loads; a peak factor is "3x"
        if f > j and _AVERAGE_LABEL.match(after):
            continue  # "60k/s on average, and peak is 10x that": the factor is applied to it
        context = m.gap(a, max(f, j)) + after
        if "peak" in context.lower() and ". " not in context:
            res = m.toks[a].pq * m.toks[f].pq
            return _judge(m, j, [a, f], res, ["×"], peak=m.toks[a].q.value)
    return None


# A time written again in other units: "3 ms, that's 0.003 s", "250 ms — i.e. a quarter second".
_RESTATED = re.compile(
    rf"\s*[,—–(]?\s*(?:that(?:'s|\s+is)|which\s+is|i\.e\.|=|≈|or)\s*{_HEDGE}", re.I
)


def _convert(m: _Msg, j: int) -> Estimate | None:
    """20B a day is about 230k per second; 50 MB/s, that's 400 Mbps; 200 Gbit, i.e. 25 GB."""
    x, z = m.toks[j - 1], m.toks[j]
    if x.q.kind != z.q.kind or x.q.kind not in ("rate", "size_rate", "size", "duration"):
        return None
    if str(x.pq.units) == str(z.pq.units) or not (link := m.fits(j - 1, j, _CONVERT)):
        return None  # same unit: a new figure ("230k/s average, 600k/s at peak"), not a restatement
    after = re.split(r"[,.;]\s|\s[—–]", m.text[z.q.end : z.q.end + 40])[0]  # "3/s at the peak"
    if "peak" in (re.split(r"[,.;]", link[0])[-1] + after).lower():
        return None
    if x.q.kind == "size" and not re.search(_EQ, link[0], re.I):
        return None  # a list of sizes ("16 GB, 64 GB") is not a conversion
    if x.q.kind == "duration" and not _RESTATED.fullmatch(link[0]):
        return None  # "each hop adds 200 ms. Total 2.7 s": a sum, not the same time restated
    if re.search(r"[.;]", link[0]) and not re.search(_EQ, link[0], re.I):
        return None  # "900 events a second; 5 million orders a day": a new clause, no link
    est = _judge(m, j, [j - 1], x.pq, ["="])
    # "1 GB/s average, 3 GB/s peak, ~86 TB a day": the day restates the average before the peak.
    x_peak = _LABEL_AFTER.match(m.text, x.q.end) and "peak" in m.text[x.q.end : z.q.start]
    average = m.toks[j - 2] if j >= 2 and m.toks[j - 2].q.kind == x.q.kind else None
    if average is not None and (
        j - 2 in m.derived.get(j - 1, set())
        or re.search(r"\bat\s+(?:the\s+)?~?$", m.gap(j - 2, j - 1))
    ):
        average = None  # worked out from the peak ("0.1% of 3,000/s = 3/s at peak"), or said to
        # be at it ("3/s at the 3,000/s peak"): no average either
    if est and est.verdict != "ok" and x_peak:
        # A peak is no average: a daily total after it restates the average before it, or
        # is a figure of its own ("3/s at peak, ~20k a day overall").
        return _judge(m, j, [j - 2], average.pq, ["="]) if average is not None else None
    nouns = [set(re.findall(r"[a-z]{3,}", t.q.text)) - _UNIT_WORDS for t in (x, z)]
    if est and est.ratio >= OFF and all(nouns) and not nouns[0] & nouns[1]:
        return None  # "2k posts/s, that's 35 billion inserts a day": a fan-out left unsaid
    # Sizes carry no time unit that makes the link certain: "off" there means it isn't one.
    if est and est.verdict != "ok" and _PER_ENTITY.match(m.text[z.q.end :]):
        return None  # "an 8-byte score, so 8 KB per user": per entity, its count elsewhere
    return None if est and x.q.kind == "size" and est.verdict == "off" else est


def _count_restated(m: _Msg, j: int) -> Estimate | None:
    """A count written again right after itself: "62^7 ≈ 3.5 trillion", "2,000 = 2k". Only a
    match is read (confirmed); unequal counts so linked are two things, and nothing is judged."""
    x, z = m.toks[j - 1], m.toks[j]
    if not (x.q.kind == z.q.kind == "count" and _RESTATED.fullmatch(m.text[x.q.end : z.q.start])):
        return None
    est = _judge(m, j, [j - 1], x.pq, ["="])
    return est if est and est.verdict == "ok" else None


_WORD_FACTOR = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|dozen|hundred|double[sd]?"
    r"|triple[sd]?|twice|thrice|half|halve[sd]?|quarter"
    r"|(?:a|every|each|one) (?:percentage )?point)\b",
    re.I,
)
_PER_ENTITY = re.compile(
    r"\s*(?:(?:per|(?:for|on|onto|to|into|in|at)\s+each|each)\s+(?!(?:second|minute|hour|day)\b)"
    r"[A-Za-z]|each\b(?=\s*(?:[,.;\n\-–—]|$)))"
)
# A figure that comes after the claim and feeds it ("40 to 60 nodes at 64-100 GB each").
_LATER_INPUT = re.compile(
    r"\s*(?:[A-Za-z][\w'-]*\s+){0,4}(?:at|of|with|on|using)\s+(?:an?\s+)?~?(?:\d|(?:one|two|three"
    r"|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred)\b)",
    re.I,
)
_OPERAND_BEFORE = re.compile(r"(?:×|\*|\bx|\btimes)\s*~?$")
# A figure that is the subject of the next equation ("so 800 entries is about 9.6 KB per user")
# is its input, not the result of the working before it.
_FEEDS_NEXT = re.compile(rf"\s*(?:{_NOUN}\s+){{0,3}}{_LINK}~?\d", re.I)
SEARCH_BACK = 6  # the figures before a claim (this sentence and the one before) a reading may use
SIMPLER = 0.1  # log-distance a reading with one more operand must win by to be preferred
SKIP = 1.1  # log-distance each figure a reading steps over costs it (about a factor of 3)
CONFIRM = 1.5  # a reading this close confirms a claim whatever else the message holds
CONFIRM_OPS = 2  # operations a confirming reading may take
_VERB = r"(?:takes?|holds?|has|have|gets?|sees?|costs?|leaves?|adds?\s+up\s+to"
_VERB += r"|lands?\s+at|tops?\s+out\s+(?:at|around)|at\s+(?:most|least)|up\s+to)"
_ROUGHLY = r"(?:about|roughly|around|approximately|~|≈)"
# "so the waiting room has to admit 300k", "so reads beat orders by 200 to 1": a consequence,
# with a verb before the figure ("so of our 200 million" is no consequence, nor is a bound or a
# choice: "so the stream stays under 4 MB/s", "so checkpointing every 30 minutes").
_SO_VERB = r"\bso\s+(?:[\w'-]+\s+){0,5}(?!(?:of|our|the|a|an|to|in|for|on|at|with|from|and|or|its"
_SO_VERB += r"|their|my|your|each|per|under|over|below|above|within|every|than|by|about|around"
_SO_VERB += r"|roughly|approximately|nearly|maybe|perhaps|some|just)\b)"
_SO_VERB += r"[\w'-]+(?:\s+by)?"  # the gap is read right-stripped
# "a one-minute window buffers about 3 GB", "finishes in roughly 20 seconds": a verb and a hedge.
# Not a verb of need or choice: "we only need about 6 billion codes" states an input.
_NEED = r"(?:need|want|expect|assum|plan|aim|target|budget|allow|pick|choose|keep|reserv)\w*"
_VERB_HEDGE = rf"\b(?!(?:{_STOP}|{_NEED}|our|my|their|its|your|these|those|this)\b)[a-z][\w'-]*"
_VERB_HEDGE += rf"(?:\s+in)?\s+{_ROUGHLY}"
_CLAIM_LINK = re.compile(
    rf"(?:^|[\s,;:])(?:{_LINK}|{_VERB}\s*{_HEDGE})$|,\s*{_ROUGHLY}\s*$"
    rf"|{_SO_VERB}(?:\s+{_HEDGE})?$|{_VERB_HEDGE}\s*$",
    re.I,
)
_SUM = re.compile(r"\s*(?:[A-Za-z][\w'-]*\s+){0,2}(?:plus|\+|and)\s+~?$", re.I)


_COMPARED = re.compile(
    r"\s*(?:over|above|below|under|more|less|fewer|bigger|smaller|larger|faster|slower|too)\b", re.I
)
_ADDS = re.compile(
    r"\b(?:another|plus|more|on top|in addition|adds?|extra)\b[^.;]{0,30}$|\+\s*~?$", re.I
)
_Operand = tuple[tuple[int, ...], Any, bool]  # figure indexes, value, whether it adds to the last


def _operands(m: _Msg, j: int) -> list[_Operand]:
    """The figures a reading of claim j may combine: up to SEARCH_BACK before it in its own
    sentence and the one before, each with its pint quantity; two figures of one kind joined
    by "plus" also count as their sum ("500M users plus 100M items")."""
    start, stops = j, 0
    while start > 0 and j - start < SEARCH_BACK:
        if _ends_sentence(m, start):
            stops += 1
            if stops == 2:
                break
        start -= 1
    out: list[_Operand] = []
    for i in range(start, j):
        tok, prev = m.toks[i], m.toks[i - 1]
        if i > start and _restates(prev, tok):
            continue  # "13 months, roughly 395 days": a restatement, not another factor
        if tok.q.kind == "ratio" and (
            "times" in tok.q.text or _COMPARED.match(m.text[tok.q.end : tok.q.end + 20])
        ):
            continue  # "not 200 times that", "4x over the limit": a comparison, not a factor
        if tok.q.kind == "count" and re.match(r"\s+times\b", m.text[tok.q.end :]):
            continue  # "appears ~40 times on average": how often, not a factor
        adds = i > start and bool(_ADDS.search(m.gap(i - 1, i)))
        usable = tok.q.value > 1 or tok.q.kind != "count"  # "3 ms" is 0.003 s, still a figure
        if usable and not (tok.q.kind == "count" and _period(tok)):
            out.append(((i,), tok.pq, adds))
        if tok.q.kind == "percent" and tok.q.value < 1:  # "85% hits means 7.5M/s miss"
            out.append(((i,), 1 - tok.pq, False))
        if i > start and _sum_pair(m, i - 1):
            with contextlib.suppress(pint.errors.PintError):
                out.append(((i - 1, i), m.toks[i - 1].pq + tok.pq, False))
    return out


def _sentence_start(m: _Msg, j: int) -> int:
    """The first figure of the sentence figure j is in."""
    start = j
    while start > 0 and not _ends_sentence(m, start):
        start -= 1
    return start


def _ends_sentence(m: _Msg, i: int) -> bool:
    """Whether a sentence ends between figure i - 1 and figure i."""
    return bool(re.search(r"[.!?]\s", m.gap(i - 1, i)))


def _readings(ops: list[_Operand]) -> Any:
    """Every reading of one to three operands, in message order: x (a rate in another period);
    x+y, x·y, x/y, y/x; x·y·z, x·y/z, x/(y·z) and their orderings. Yields (indices, symbols,
    quantity)."""
    n = len(ops)
    for a in range(n):
        yield ops[a][0], [], ops[a][1]
        for b in range(a + 1, n):
            (ia, x, _), (ib, y, adds) = ops[a], ops[b]
            if set(ia) & set(ib):
                continue
            if adds and x.dimensionality == y.dimensionality:
                yield ia + ib, ["+"], x + y  # "9,000 in flight ... another 15,000: 25k"
            yield ia + ib, ["×"], x * y
            yield ia + ib, ["/"], x / y
            yield ib + ia, ["/"], y / x
            for c in range(b + 1, n):
                ic, z, _ = ops[c]
                if set(ic) & (set(ia) | set(ib)):
                    continue
                yield ia + ib + ic, ["×", "×"], x * y * z
                yield ia + ib + ic, ["×", "/"], x * y / z
                yield ia + ic + ib, ["×", "/"], x * z / y
                yield ib + ic + ia, ["×", "/"], y * z / x
                yield ia + ib + ic, ["/", "/"], x / y / z
                yield ib + ia + ic, ["/", "/"], y / x / z
                yield ic + ia + ib, ["/", "/"], z / x / y


@dataclass(frozen=True)
class _Reading:
    idx: tuple[int, ...]
    syms: list[str]
    value: Any  # pint quantity
    off: float  # |log(claim / reading)|
    skipped: int  # figures between the reading's first operand and the claim it leaves out


def _like(m: _Msg, idx: tuple[int, ...]) -> bool:
    dims = {str(m.toks[i].pq.dimensionality) for i in idx}
    return len(dims) == 1


def _restates(a: _Tok, b: _Tok) -> bool:  # "13 months, roughly 395 days"
    return a.q.kind == b.q.kind and abs(math.log(b.q.value / a.q.value)) < 0.2


_HYPHENED = re.compile(r"~?[\d.,]+-[A-Za-z]+")


def _superseded(m: _Msg, idx: tuple[int, ...]) -> bool:
    """A reading that counts a figure twice: a result with a figure it came from ("90% of 5M is
    4.5M/s ... 2% of that": not 90% x 4.5M x 2%), or a figure in place of its own result of the
    same kind ("20 TB, 25% of it hot, is 5 TB ... over 256 GB machines": the 5 TB, not the 20)."""
    used = set(idx)
    for c, inputs in m.derived.items():
        if c in used and used & inputs:
            return True
        res = m.toks[c]
        if c not in used and any(
            i < c and _kind(m.toks[i].pq) == _kind(res.pq) and not _restates(m.toks[i], res)
            for i in used & inputs
        ):
            return True
    return False


def _per_interval(m: _Msg, idx: tuple[int, ...], syms: list[str]) -> bool:
    """A rate times how often something happens ("100k messages per second ... every 5
    minutes"): the count per interval, which can confirm a claim ("flushed every 2 s, 1.2M a
    batch") but is too rarely meant to fault one."""
    if "×" not in syms or not any(m.toks[i].q.kind == "rate" for i in idx):
        return False
    return any(
        m.toks[i].q.kind == "duration"
        and re.search(r"\bevery\s+~?$", m.text[max(0, m.toks[i].q.start - 12) : m.toks[i].q.start])
        for i in idx
    )


def _best_reading(m: _Msg, j: int) -> _Reading | None:
    """The reading of claim j: one that confirms it (within CONFIRM) if any does, else the one
    nearest in value and in place, each figure the candidate would have stepped over costing
    SKIP. Every reading uses the figure just before the claim."""
    claim, ops = m.toks[j], _operands(m, j)
    if not ops:
        return None
    # "the 100-byte body": a figure naming a kind of thing may be stepped over.
    named = [
        i
        for idx, _, _ in ops
        for i in idx
        if m.toks[i].q.kind == "duration" or not _HYPHENED.fullmatch(m.toks[i].q.text)
    ]  # "a 10-second timeout" is a time the working may use
    nearest = max(named or [i for idx, _, _ in ops for i in idx])
    sums = [set(idx) for idx, _, _ in ops if len(idx) == 2]
    found: list[_Reading] = []
    elided: list[_Reading] = []
    stepped: list[_Reading] = []
    for idx, syms, res in _readings(ops):
        if (
            nearest in idx
            and claim.per
            and syms == ["×"]
            and len(idx) == 2
            and "count" in m.kinds(*idx)
            and set(m.kinds(*idx)) <= {"count", "size", "money"}
            and not any(m.toks[i].per for i in idx)
            and res.dimensionality == (claim.pq * _ureg()(claim.per)).dimensionality
        ):
            # "30 KB a trace, so 25 million trips is 750 TB a day": the count is the claim's
            # period's (a day's trips), its period said once, on the result.
            res = res / _ureg()(claim.per)
        if nearest in idx and res.dimensionality != claim.pq.dimensionality:
            # "86 billion events a day become roughly 1.7 billion rows": a count may leave off
            # its rate's period; such a reading can confirm the claim, never fault it.
            per = next((m.toks[i].per for i in idx if m.toks[i].per), None)
            if claim.q.kind == "count" and per and _kind(res) == "rate" and syms:
                with contextlib.suppress(pint.errors.PintError):
                    rec = float((res * _ureg()(per)).to("dimensionless").magnitude)
                    if rec > 0 and abs(math.log(claim.q.value / rec)) < math.log(CONFIRM):
                        elided.append(_Reading(idx, syms, res, 0.0, 0))
            continue
        # Units must make the claim's as written: no reading a bare count as per day. A reading
        # that steps over the figure just before the claim only confirms it, from two figures
        # ("400 shards, three replicas for the 60k peak QPS: 1,200 shard copies").
        aside = nearest not in idx
        if res.dimensionality != claim.pq.dimensionality or aside and len(syms) != 1:
            continue
        if claim.q.kind == "ratio" and (syms != ["/"] or not _like(m, idx)):
            continue  # "350 times the average": one quantity over another of its kind
        if any(len(pair & set(idx)) == 1 for pair in sums):
            continue  # "30M users plus 20M devices": one term of a sum is not the whole
        if _superseded(m, idx):
            continue
        restated = claim.q.kind in ("rate", "size_rate") and res.units != claim.pq.units
        if not syms and not (restated or _WORK.search(m.toks[idx[0]].q.text)):
            continue  # one figure is a reading only as a rate restated per another period, or
            # as time summed over many restated ("150 CPU-seconds per second" is 150 cores),
            # which can confirm a claim (it is not read as a slip: "1.5 CPU-seconds per second"
            # is as often a cost per second of video)
        rec = _base(res, claim.q.kind)
        if rec > 0:
            first = min(idx)
            skipped = sum(1 for i in range(first, j) if i not in idx)
            off = abs(math.log(claim.q.value / rec))
            if off >= math.log(CONFIRM) and _per_interval(m, idx, syms):
                continue  # "100k/s ... report every 5 minutes, so more like 25k": no product
            if not aside:
                found.append(_Reading(idx, syms, res, off, skipped))
            elif off < math.log(CONFIRM):
                stepped.append(_Reading(idx, syms, res, off, skipped))
    # A reading of three figures confirms only if it takes them in a row: "500k/s over 8 over
    # 2,500/s" stepped over the figure the candidate divided by.
    confirming = [
        r
        for r in found
        if r.off < math.log(CONFIRM)
        and len(r.syms) <= CONFIRM_OPS
        and (len(r.syms) < 2 or r.skipped == 0)
    ]
    # "1.5 million fans in the first 5 minutes is about 500 a second": a sentence that holds
    # the whole working (every figure before the claim in it, two or more) is the candidate's
    # working. A figure from the sentence before ("a limit of 8 per account") then makes a
    # three-figure reading land near the claim by chance, unless it counts the claim's own
    # things ("each fan sends about 8 requests ... 40k requests a second").
    own = _sentence_start(m, j)
    whole = set(range(own, j))
    if len(whole) >= 2 and any(
        set(r.idx) == whole and len(r.syms) == 1 and r.off >= math.log(CONFIRM) for r in found
    ):
        things = set(_nouns(m.text, claim))
        confirming = [
            r
            for r in confirming
            if len(r.syms) < 2
            or all(i >= own or things & set(_nouns(m.text, m.toks[i])) for i in r.idx)
        ]
    if confirming:
        return min(confirming, key=lambda r: (len(r.syms), r.skipped, r.off))
    if elided := [r for r in elided if len(r.syms) <= CONFIRM_OPS]:
        return min(elided, key=lambda r: len(r.syms))
    if stepped:
        return min(stepped, key=lambda r: (r.skipped, r.off))
    # Three figures combine in so many ways that one lands near any claim: a miss is read off
    # two (a sum counts as one), or off the product of the three just before the claim ("3.6
    # billion rows a day for 90 days at 40 bytes").
    chain = [m.toks[i].q.kind for i in range(j - 3, j)] if j >= 3 else []
    found = [
        r
        for r in found
        if len(r.syms) <= 1
        or (
            r.syms == ["×", "×"] and sorted(r.idx) == list(range(j - 3, j)) and "count" not in chain
        )
    ]
    return min(found, key=lambda r: r.off + SIMPLER * len(r.syms) + SKIP * r.skipped, default=None)


# What one of many does: "one connection can serve ~330 a second", "each shard holds 2 TB".
_ENTITY_SUBJECT = re.compile(
    r"^\s*(?:(?:so|and|then|but)\s+)?(?:one|each|every|a\s+single)\s+(?!(?:of|in|at)\b)[a-z][\w-]*"
    r"\s+(?:[a-z][\w'-]*\s+){0,3}[~≈]?$",
    re.I,
)


def _terms(m: _Msg, best: _Reading) -> str:
    """The working of a reading whose operand is a sum: "(500 million + 100 million) × 2 KB"."""
    idx = list(best.idx)
    if len(idx) != len(best.syms) + 2:
        return ""
    k = next(
        (n for n in range(len(idx) - 1) if idx[n + 1] == idx[n] + 1 and _sum_pair(m, idx[n])), -1
    )
    if k < 0:
        return ""
    parts = [m.toks[i].q.text for i in idx]
    parts[k : k + 2] = [f"({parts[k]} + {parts[k + 1]})"]
    return parts[0] + "".join(f" {o} {t}" for o, t in zip(best.syms, parts[1:], strict=True))


def _sum_pair(m: _Msg, i: int) -> bool:
    """Figures i and i + 1 read as one sum: "500M users plus 100M items". Joined by "and" they
    must be written in one unit: "180k writes a second and 3.6 billion rows a day" restates."""
    found = _SUM.fullmatch(m.gap(i, i + 1))
    if not found or m.kinds(i) != m.kinds(i + 1):
        return False
    same_unit = str(m.toks[i].pq.units) == str(m.toks[i + 1].pq.units)
    return same_unit or not re.search(r"\band\s+~?$", found[0], re.I)


def _divided_by_entity(m: _Msg, best: _Reading, entity: re.Match[str]) -> bool:
    """Whether a per-entity claim's reading divides by the count of those entities: "50M rps
    against 300 PoPs averages 1,700 rps per PoP" is linked, its count is the 300."""
    stem = _entity_stem(entity)
    if "/" not in best.syms or not stem:
        return False
    return any(m.toks[i].q.kind == "count" and stem in _nouns(m.text, m.toks[i]) for i in best.idx)


def _clause_before(text: str, tok: _Tok) -> str:
    """The words of a figure's clause before it."""
    return re.split(r"[,;:.!?(—–]\s", text[: tok.q.start])[-1]


_PERIODS = re.compile(
    r"^\s*(?:[a-z-]+\s+)?(?:windows?|buckets?|slots?|intervals?|periods?|partitions?|checkpoints?"
    r"|batch(?:es)?|ticks?|rounds?|cycles?|segments?|files?|snapshots?|runs?|days?|hours?|weeks?)\b",
    re.I,
)
FAR = 3.1  # decades: a reading further off than 1000x is not the candidate's working
_ANAPHOR = re.compile(
    r"^\W*(?:so|that(?:'s| is| gives| comes to| makes)?|this(?:'s| is)?|which|together|in total"
    r"|total|overall|altogether|all told|combined)\b",
    re.I,
)


# A sentence that carries on from the figure before it: "100 billion rows. At 2 KB per row
# that's 200 TB"; "5 TB of memory. Spread over 256 GB machines, that's 20".
_CARRIES_ON = re.compile(
    r"(?:at|with|spread|split|divided|shared|over|across|if|so|then|that|this|which)\b", re.I
)


# A clause in contrast starts a statement about something else.
_CONTRAST = re.compile(r"[,;]\s*(?:while|whereas|unlike|compared\s+with|as\s+opposed\s+to)\b", re.I)


def _one_thought(gap: str) -> bool:
    """The text between two inputs and their claim holds no new statement: no sentence break,
    or one the next sentence carries on from."""
    if _CONTRAST.search(gap):
        return False  # "six blocks is an hour, while on Ethereum we wait ~13 minutes"
    stops = list(re.finditer(r"[.!?;]\s", gap))
    if not stops:
        return True
    # The figure ends its sentence ("... 100 billion rows. At ..."), and the next carries on.
    tail = len(re.findall(_W, gap[: stops[0].start()]))
    return len(stops) == 1 and tail <= 6 and bool(_CARRIES_ON.match(gap[stops[0].end() :]))


def _in_reach(m: _Msg, last: int, j: int) -> bool:
    """A claim's inputs are in its own sentence, or the sentence points back to them ("So
    that's 2 TB"); a figure opening a new sentence is otherwise a new statement, and so is one
    after a clause in contrast ("..., while the archive holds 20 TB")."""
    gap = m.gap(last, j)
    if _CONTRAST.search(gap):
        return False
    stops = list(re.finditer(r"[.!?;]\s", gap))
    return not stops or bool(_ANAPHOR.match(gap[stops[-1].end() :]))


def _derived(m: _Msg, j: int) -> Estimate | None:
    """A result stated after its inputs with no shape we read: "300 TB, and at 2.4 TB per node
    that gives roughly 125 nodes"; "1M drivers every 4 seconds is 250k updates a second". Every
    sum, product and quotient of up to three earlier figures whose units make the claim's is a
    reading (`_best_reading` picks one)."""
    claim = m.toks[j]
    if (
        claim.q.kind
        not in ("count", "rate", "size", "size_rate", "ratio", "money", "money_rate", "duration")
        or j == 0
    ):
        return None
    if claim.q.kind == "ratio" and not re.search(r"\b(?:times|to)\b", claim.q.text):
        return None  # "compressed 20x": a factor given, not a comparison worked out
    if not _CLAIM_LINK.search(m.gap(j - 1, j).rstrip()):
        return None
    best = _best_reading(m, j)
    if best is None:
        return None
    per_item = best.syms == ["×"] and sorted(m.toks[i].q.kind for i in best.idx) == [
        "count",
        "duration",
    ]
    if claim.q.kind == "duration" and (
        (best.syms != ["/"] and not per_item)
        or any(m.toks[i].q.kind == "percent" for i in best.idx)
    ):
        return None  # how long something takes: an amount over a rate ("1 TB at 200 GB/s"),
        # or a count at a time each ("20 million nodes at 100 ns a node")
    est = _judge(m, j, list(best.idx), best.value, best.syms or ["="], terms=_terms(m, best))
    if est is None or est.verdict == "ok":
        return est if est and best.off < math.log(CONFIRM) else None
    if all(m.toks[i].q.kind == "duration" for i in best.idx) and not _PERIODS.search(
        m.text[claim.q.end : claim.q.end + 30]
    ):
        return None  # "13 months / 1 minute": a count of periods only when it says so
    if est.ratio < 1 and claim.per in _LONG_PERIODS and any(_at_peak(m, i) for i in best.idx):
        return None  # "3/s at the 3,000/s peak, ~20k a day": a day is no peak, the total is lower
    first = min(best.idx)
    span = " ".join(m.gap(i, i + 1) for i in range(first, j))  # the words, not the figures
    after = m.text[claim.q.end :]
    entity = _per_entity(m.text, claim)
    per_entity = entity is not None and not _divided_by_entity(m, best, entity)
    if claim.q.kind != "duration":  # "one checkpoint takes 50 s" is the working itself
        per_entity = per_entity or bool(_ENTITY_SUBJECT.search(_clause_before(m.text, claim)))
    if _WORD_FACTOR.search(span) or per_entity or _LATER_INPUT.match(after):
        return None  # "times three replicas", "250 per gateway", "60 nodes at 64 GB each",
        # "200 connections onto each backend"
    if _FEEDS_NEXT.match(after):
        return None  # "so 800 entries is about 9.6 KB": the next equation's input
    if _OPERAND_BEFORE.search(m.text[: m.toks[first].q.start]):
        return None  # "... × 128 × 2 bytes": the tail of a product we did not read whole
    # Unlinked readings are guesses. A miss counts when it is a slip of a unit, of whole zeros
    # (10x, 100x, 1000x: the dropped or extra zero of mental arithmetic) on a reading of two
    # figures or of the figures just before the claim, or any miss on the plain reading: the
    # two figures just before the claim, in its sentence.
    decades = abs(math.log10(est.ratio))
    slip = 1 <= round(decades) <= 3 and abs(decades - round(decades)) < math.log10(1.3)
    used = sorted(best.idx)
    nearest = used[-1]
    contiguous = best.skipped == 0 and nearest == j - 1
    if not best.syms:  # a rate restated per another period: only a unit slip is read
        return est if est.verdict == "unit_slip" and contiguous else None
    # Two operands, a sum counting as one ("500M users plus 100M items, each with 2 KB").
    plain = contiguous and len(best.syms) == 1 and _one_thought(m.gap(used[0], j))
    near = contiguous or (len(used) == 2 and best.skipped <= 1)
    if decades > FAR or not _in_reach(m, used[-1], j):
        return None  # a million times off is no slip of the pen: not what was worked out
    if plain or ((slip or est.verdict == "unit_slip") and near):
        return est
    return None


# What stands between a figure and the same figure said again: an optional link word, then an
# optional hedge ("62^7, about 3.5 trillion", "2^32 = 4.3 billion").
_HEDGE = r"about|roughly|around|approximately|~|≈|nearly|almost|some"


def _same_figure(links: str, hedges: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*[,(]?\s*(?:{links})?\s*(?:{hedges})?\s*$", re.I)


_POWER_IS = _same_figure(r"=|≈|is|gives|or|that's|which is", rf"{_HEDGE}|just over|just under")


def _power(m: _Msg, j: int) -> Estimate | None:
    """A power worked out: "62^7, about 3.5 trillion codes", "2^32 = 4.3 billion"."""
    if j == 0 or "^" not in m.toks[j - 1].q.text or m.kinds(j - 1, j) != ("count", "count"):
        return None
    if not _POWER_IS.match(m.gap(j - 1, j)):
        return None
    return _judge(m, j, [j - 1], m.toks[j - 1].pq, [])


_FORMS = (_power, _expression, _shaped, _percent, _peak, _convert, _count_restated, _derived)


_OPERAND = re.compile(r"\s*(?:×|\*|x\b|/|÷|times\b|divided\b|multiplied\b)")


def _period_slip(m: _Msg, j: int) -> Estimate | None:
    """A stated period that is wrong: "3,600 seconds in a day", "1,440 minutes in an hour"."""
    tok = m.toks[j]
    if tok.q.kind != "duration":
        return None
    said = re.match(
        r"\s+(?:in|per)\s+(?:a|an|one)\s+(minute|hour|day|week|month|year)\b", m.text[tok.q.end :]
    )
    if not said:
        return None
    true = _base(1 * _ureg()(said[1]), "duration")
    ratio = tok.q.value / true
    if 1 / 1.1 < ratio < 1.1:
        return Estimate(tok.q, (), true, ratio, "ok", f"1 {said[1]} = {_fmt(true, tok)} s")
    return Estimate(tok.q, (), true, ratio, "unit_slip", f"1 {said[1]} = {true:,.0f} s")


# Availability to downtime: "four nines leaves about 52 minutes a year". The availability is
# the nearest before the figure in its sentence or the one before; a word of downtime must
# join them, so "99% of reads ... 5 ms a day" is no such claim.
_AVAILABILITY = re.compile(
    r"\b(?:(?P<pct>9\d(?:\.\d+)?)\s*%|(?P<nines>two|three|four|five|six|[2-6])\s+nines\b)", re.I
)
_NINES = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_DOWNTIME = re.compile(r"\b(?:down\s*time|down|outages?|unavailab\w*|error budget)\b", re.I)
_PER_PERIOD = re.compile(
    r"\s+(?:of\s+)?(?:[\w-]+\s+){0,2}?(?:a|an|per|each|every)\s+(year|month|week|day)\b", re.I
)
_PERIOD_END = re.compile(r"\b(?:a|an|per|each|every)\s+(year|month|week|day)$", re.I)


def _downtime(m: _Msg, j: int) -> Estimate | None:
    """Downtime a stated availability allows: (1 - availability) x the period."""
    tok = m.toks[j]
    if tok.q.kind != "duration":
        return None
    # The period follows the figure ("52 minutes of downtime a year") or ends it ("4 minutes a
    # month" reads as one figure).
    follows = _PER_PERIOD.match(m.text[tok.q.end :])
    per = follows or _PERIOD_END.search(tok.q.text)
    if not per:
        return None
    after = follows.end() if follows else 0
    before = m.text[: tok.q.start]
    stops = [x.end() for x in re.finditer(r"[.!?]\s", before)]
    window = before[stops[-2] if len(stops) >= 2 else 0 :]
    found = list(_AVAILABILITY.finditer(window))
    if not found:
        return None
    a = found[-1]
    span = window[a.end() :] + m.text[tok.q.start : tok.q.end + after]
    if not _DOWNTIME.search(span):
        return None
    if a["pct"]:
        allowed = 1 - float(a["pct"]) / 100
    else:
        n = a["nines"].lower()
        allowed = 10.0 ** -(_NINES[n] if n in _NINES else int(n))
    period = per[1].lower()
    true = allowed * _base(1 * _ureg()(period), "duration")
    ratio = tok.q.value / true
    verdict = "ok" if 1 / OFF < ratio < OFF else "off"
    said = (true * _ureg().second).to(tok.pq.units)
    working = f"{a[0]} leaves {allowed:.2%} of a {period} down ≈ {said.magnitude:.3g} {said.units}s"
    return Estimate(tok.q, (), true, ratio, verdict, working)


_RESTATING = _same_figure(r"or|i\.e\.,?|that's|that is|which is|=", rf"{_HEDGE}|approx\.?")


def _restates_previous(m: _Msg, j: int) -> bool:
    """A figure that repeats the one just before it, rounded, in the same unit ("62^7, about
    3.5 trillion") and agrees with it is that figure again, not a result of the working
    before. (A figure restated in another unit is a conversion, checked as one.)"""
    if j == 0:
        return False
    a, b = m.toks[j - 1].q, m.toks[j].q
    between = m.text[a.end : b.start]
    return (
        "^" not in a.text  # a power worked out is checked as one (_power)
        and a.kind == b.kind
        and m.toks[j - 1].pq.units == m.toks[j].pq.units  # a conversion is checked as one
        and a.value > 0
        and b.value > 0
        and bool(between.strip())
        and bool(_RESTATING.match(between))
        and abs(math.log(b.value / a.value)) < math.log(1.15)
    )


def check_message(text: str) -> list[Estimate]:
    """Every derivation we can link to its inputs, each with its verdict. A figure followed by
    an operator is an input of what comes next, not a result of what came before."""
    m = _Msg(text)
    found: list[Estimate | None] = []
    for j in range(len(m.toks)):
        if est := _period_slip(m, j) or _downtime(m, j):
            found.append(est)
            continue
        if j + 1 < len(m.toks) and _OPERAND.match(m.text[m.toks[j].q.end : m.toks[j + 1].q.start]):
            continue
        if "^" in m.toks[j].q.text:  # "62^7": a power is working written out, not a result
            continue
        if _restates_previous(m, j):  # "62^7, about 3.5 trillion": the same figure, rounded
            found.append(None)
            continue
        est = next((e for form in _FORMS if (e := form(m, j))), None)
        if est:
            starts = {e.start for e in est.inputs}
            m.derived[j] = {i for i, t in enumerate(m.toks) if t.q.start in starts}
        found.append(est)
    return [e for e in found if e]


# Scale facts: an input contradicts a fact when its head noun shares a stem with the fact's name
# and no figure of the same kind in the fact's value is within 10x of it.
_SYN = {"dau": "user", "mau": "user", "actives": "user", "qps": "request", "rps": "request"}
_GENERIC = _UNIT_WORDS | set("a an daily weekly monthly active new known total typical".split())
_GENERIC |= set("largest peak average rate sent concurrent target budget limit".split())
# A figure right after these is a per-entity capacity or a subset ("one box holds 500k", "each
# has 2,500 pages", "the top 1 million hosts"), not the system-wide scale the facts state.
# A share: "10% of the stream: 40M events a day", "a retry budget of 10% adds ~300 calls/s".
_SHARE = re.compile(r"\d+(?:\.\d+)?\s*%\s+(?:of\b|(?:[a-z]+\s+){0,2}~?$)")
_ENTITY = set("each per one single every box node server machine gateway shard top".split())


# The noun phrase a figure heads, "of" allowed before it: "20 candidate vehicles", "10 TB of
# user data". One reading for what a figure measures and for what follows it.
_NOUN_PHRASE = re.compile(rf"\s+(?:of\s+)?((?:{_NOUN}\s*){{1,3}})")


def _after_noun(text: str, tok: _Tok) -> str:
    """The text after the noun phrase a figure heads ("20 candidate vehicles |per request")."""
    m = _NOUN_PHRASE.match(text[tok.q.end :])
    return text[tok.q.end + (m.end() if m else 0) :]


def _norm(word: str) -> str:
    w = _SYN.get(word.lower(), word.lower())
    return w[:-1] if w.endswith("s") and len(w) > 3 and not w.endswith("ss") else w


_EACH_BEFORE = re.compile(
    r"\b(?:each|every|per)\s+([a-z][\w-]*)\s+(?:[a-z][\w'-]*\s+){0,3}[~≈]?$", re.I
)


def _entity_of(text: str, tok: _Tok) -> str:
    """The stem of the entity a figure is counted per, if any: "each entity carries about
    200 KB" and "2 KB of features per entity" are both per "entit"."""
    entity = _per_entity(text, tok)
    if entity:
        return _entity_stem(entity)
    m = _EACH_BEFORE.search(text[max(0, tok.q.start - 60) : tok.q.start])
    return _norm(m[1])[:5] if m else ""


def _per_entity(text: str, tok: _Tok) -> re.Match[str] | None:
    """Whether a figure is per entity ("per request", "each"), right after it or after the
    noun phrase it heads ("20 candidate vehicles per request")."""
    return _PER_ENTITY.match(text[tok.q.end :]) or _PER_ENTITY.match(_after_noun(text, tok))


# A participle right after the figure ends its phrase ("20 TB stored in S3") unless a plural
# noun follows it, which it then describes ("200k registered schedules", "5M pending jobs").
_NOUN_ENDS = re.compile(
    r"^\w{3,}(?:ing|ed)\b(?!\s+[a-z][\w-]*[a-rt-z]s\b)|(?<=s\s)\w{3,}(?:ing|ed)\b"
    r"|(?<=s\s)(?:due|pending|outstanding|left|remaining)\b"
)


def _nouns(text: str, tok: _Tok) -> list[str]:
    """The five-letter stems of the nouns a figure is written with, last one its head."""
    inner = re.sub(r"\bper\s+\w+", " ", tok.q.text)  # "40 per user per day" is not about users
    after = _NOUN_PHRASE.match(text[tok.q.end :])
    # A participle ends the noun phrase: "50 million daily users sending ...", "2 million docs
    # changed"; after a singular noun it names a kind ("player rating changes").
    # So do the adjectives that follow a plural noun ("20,000 runs due at midnight").
    tail = re.split(_NOUN_ENDS, after[1])[0] if after else ""
    words = [_norm(w) for w in re.findall(rf"\b{_W}", inner) + re.findall(_W, tail)]
    unit = r"(?:[kmgtp]i?)?(?:b|bp|bit|byte)|" + _TIME
    # A five-letter stem: "followers" ~ "follow graph".
    return [w[:5] for w in words if w not in _GENERIC and not re.fullmatch(unit, w)]


def _name_stems(name: str) -> set[str]:
    return {_norm(w)[:5] for w in re.findall(_W, name) if _norm(w) not in _GENERIC}


def _fact_figures(fact: ScaleFact) -> list[tuple[_Tok, set[str], set[str]]]:
    """Each figure of a fact with the nouns written with it (or, for a bare figure, those of
    the figure before it in the same clause: "over 32k tokens, up to 128k") and the stems of
    the fact's name."""
    name, out = _name_stems(fact.name), []
    last: tuple[int, set[str]] | None = None
    for t in _scan(fact.value):
        nouns = set(_nouns(fact.value, t))
        if not nouns and last and not re.search(r"[;.]", fact.value[last[0] : t.q.start]):
            nouns = last[1]
        out.append((t, nouns, name))
        if nouns:
            last = (t.q.end, nouns)
    return out


# Which users a figure counts: "50M DAU" is to be compared with the daily actives, not with
# "80 million registered" that happens to sit nearer in value.
_QUALIFIERS = (
    ("daily", re.compile(r"\b(dau|daily(\s+active)?|a day)\b", re.I)),
    ("monthly", re.compile(r"\b(mau|monthly(\s+active)?)\b", re.I)),
    ("concurrent", re.compile(r"\b(concurrent(ly)?|online at once|simultaneous(ly)?)\b", re.I)),
    ("registered", re.compile(r"\b(registered|total|signed[- ]up|accounts? in total)\b", re.I)),
)


def _qualifier(text: str, tok: _Tok) -> str | None:
    """The qualifier written with a count: in the figure itself or in the three words after."""
    if tok.q.kind != "count":
        return None
    clause = re.split(r"[,;.(]", text[tok.q.end : tok.q.end + 40])[0]
    near = f"{tok.q.text} {' '.join(re.findall(_W, clause)[:3])}"
    found = [(m.start(), name) for name, pat in _QUALIFIERS if (m := pat.search(near))]
    return min(found)[1] if found else None


# A fact's figure that is one entity's share or a ceiling ("per key 100 requests/second", "one
# replica sustains 2,500 tokens per second", "can absorb at most 100,000 reads per second").
_BOUNDED = re.compile(
    r"\b(?:per|each|one|a single|at most|up to|limit\w*|allows?|caps?|max\w*|absorb\w*|sustains?"
    r"|handles?|above|below|under|beyond|threshold)\b",
    re.I,
)


def _name_words(fact: ScaleFact) -> set[str]:
    """The words of a fact's name, generic ones too ("known" of "known pages")."""
    return {w.lower() for w in re.findall(_W, fact.name) if len(w) >= 4} - _UNIT_WORDS


def _system_wide(fact: ScaleFact, tok: _Tok) -> bool:
    """Whether a fact's figure is a total for the whole system, not a share or a ceiling."""
    before = re.split(r"[,;:(]\s", fact.value[: tok.q.start])[-1]
    inner = re.sub(r"\bper\s+(?:second|minute|hour|day|week|month|year)\b", " ", tok.q.text)
    return not (_BOUNDED.search(before) or _BOUNDED.search(inner) or _per_entity(fact.value, tok))


def _about(said: set[str], nouns: set[str], name: set[str], whole: bool = False) -> bool:
    """Whether a candidate's figure written with `said` is about a fact's figure: a bare fact
    figure is about the fact's name; one written with nouns shares a noun with the
    candidate's, and the candidate's words also name the fact unless two nouns agree ("output
    tokens"): "four million tenant companies" is about "tenants: 40,000 companies"."""
    if not nouns:
        return bool(said & name)
    if said == name:  # "150,000 uploads a day" against "uploads: 1.5 million videos per day"
        return bool(said)
    shared = said & nouns
    # "200 million notifications a day" against "2 billion notifications a day": the same
    # thing, with no word of the candidate's narrowing it ("SMS notifications").
    return bool(shared) and (bool(said & name) or len(shared) >= 2 or whole and said == nouns)


def _entity_conflicts(
    text: str,
    tok: _Tok,
    said: set[str],
    facts: list[tuple[ScaleFact, _Tok, set[str], set[str], Any, Any]],
) -> list[ScaleConflict]:
    """A per-entity figure against the facts' figures per the same entity, of its kind and
    about the same thing."""
    entity = _entity_of(text, tok)
    near = [
        (max(r, 1 / r), r, f)
        for f, ft, nouns, name, _, _ in facts
        if entity
        and ft.q.kind == tok.q.kind
        and _entity_of(f.value, ft) == entity
        and said & (nouns or name)  # the entity ties them: one shared noun is enough
        and (r := tok.q.value / ft.q.value)
    ]
    return _conflict(tok, min(near, key=lambda n: n[0], default=None))


def _conflict(
    tok: _Tok, best: tuple[float, float, ScaleFact, *tuple[Any, ...]] | None
) -> list[ScaleConflict]:
    """The figure against its nearest fact figure (`best`: how far off as a factor >= 1, the
    ratio, the fact), a conflict when it is off by CONFLICT (0.95: the facts round too)."""
    if best and CONFLICT[0] * 0.95 <= best[0] < CONFLICT[1]:
        return [ScaleConflict(tok.q, best[2].name, best[2].value, best[1])]
    return []


def _restatements(text: str) -> set[int]:
    """Rates restated per another period in the same sentence (or one pointing back: "That's"),
    linked or not: "30k/s landing late, about 2.6 billion a day" follows from the 30k/s and is
    no new scale figure."""
    m, out = _Msg(text), set()
    for j, tok in enumerate(m.toks):
        for i in range(max(0, j - 3), j):
            x = m.toks[i]
            if x.q.kind != tok.q.kind or tok.q.kind not in ("rate", "size_rate"):
                continue
            if not _in_reach(m, i, j) or x.pq.units == tok.pq.units:
                continue
            if abs(math.log(tok.q.value / x.q.value)) < math.log(1.5):
                out.add(tok.q.start)
    return out


def scale_conflicts(
    text: str, scale: list[ScaleFact], estimates: list[Estimate] | None = None
) -> list[ScaleConflict]:
    """The candidate's inputs that contradict the interviewer's scale facts (CONFLICT bounds);
    `estimates` is `check_message(text)` when the caller has it already."""
    if estimates is None:
        estimates = check_message(text)
    derived = {e.claim.start for e in estimates}  # these follow from checked inputs
    derived |= _restatements(text)
    # A result used again later ("~200k lookups a second ... 200k reads a second over 32 nodes")
    # is still the candidate's result, not a scale input.
    derived |= {
        t.q.start
        for t in _scan(text)
        for e in estimates
        if e.claim.end <= t.q.start and abs(math.log(t.q.value / e.claim.value)) < 0.05
    }
    # A fact's figure is about the fact's name, unless a noun written with it says otherwise
    # ("15k events per second" under "events per order" is about events, not orders).
    facts = [
        (f, t, nouns, name, _qualifier(f.value, t), _system_wide(f, t))
        for f in scale
        for t, nouns, name in _fact_figures(f)
    ]
    out = []
    for tok in _scan(text):
        before = re.findall(_W, text[max(0, tok.q.start - 40) : tok.q.start].lower())[-4:]
        said = set(_nouns(text, tok))
        # Latency and freshness figures are requirements, not scale.
        scale_kind = tok.q.kind in ("count", "rate", "size", "size_rate")
        if not scale_kind or tok.q.start in derived or not said:
            continue
        if _ENTITY & set(before) or _per_entity(text, tok):
            # Per entity, not the system's scale: compared only with a fact's figure per the
            # same entity ("each entity carries 200 KB" against "2 KB ... per entity").
            out += _entity_conflicts(text, tok, said, facts)
            continue
        if before and before[-1] in ("over", "across", "into", "among", "between", "onto"):
            continue  # "600 TB over 40 storage nodes": the candidate's split, not the scale
        if _SHARE.search(text[max(0, tok.q.start - 40) : tok.q.start]):
            continue  # "10% of the stream: 40M events a day" is a part, not the whole
        # "We need maybe 20 machines for the API tier": a choice, not the scale restated.
        narrowed = bool(
            re.search(rf"\b{_NEED}\b", " ".join(before), re.I)
            or _BOUNDED.search(" ".join(before))  # "up to 5,000 requests ... for one event"
            or _BOUNDED.search(_after_noun(text, tok)[:30])
        )
        mine = _qualifier(text, tok)
        if any(
            ft.q.kind == tok.q.kind
            and said & (nouns or name)
            and 0.5 <= tok.q.value / ft.q.value <= 2
            and not (mine and qual and mine != qual)
            for _, ft, nouns, name, qual, _ in facts
        ):
            continue  # "100k documents changing" is the fact's "100k documents change a day"
        near = [
            (max(r, 1 / r), r, f, qual)
            for f, ft, nouns, name, qual, whole in facts
            if ft.q.kind == tok.q.kind
            and _about(said, nouns, name, whole and not narrowed)
            and (r := tok.q.value / ft.q.value)
        ]
        if mine and any(n[3] == mine for n in near):
            near = [n for n in near if n[3] == mine]  # the daily actives, not all registered
        # "50 billion known URLs" is to be compared with the fact named "known pages", not with
        # another fact's 20 billion URLs nearer in value: a word of a fact's name said with it.
        phrase = re.split(r"[,;.(]", text[tok.q.start : tok.q.end + 30])[0].lower()
        said_words = set(before + re.findall(_W, phrase))
        named = [
            n
            for n in near
            if {w for w in _name_words(n[2]) if _norm(w)[:5] not in said} & said_words
        ]
        near = named or near
        best = min(near, key=lambda n: n[0], default=None)
        # An average a few times below the stated peak agrees with it; a figure said to be the
        # peak ("10k a second at peak") does not.
        at_peak = "peak" in text[tok.q.start : tok.q.end + 25].lower()
        if best is None:
            continue
        peak_fact = "peak" in best[2].value.lower()
        if peak_fact and not at_peak and PEAK_SPAN[0] <= best[1] <= PEAK_SPAN[1]:
            continue
        out += _conflict(tok, best)
    return out
