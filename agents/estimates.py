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

import math
import re
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
        "second = [time]; millisecond = second / 1000; minute = 60 * second; hour = 60 * minute; "
        "day = 24 * hour; week = 7 * day; year = 365.25 * day; month = year / 12; "
        "byte = [information]; bit = byte / 8; kilo- = 1e3; mega- = 1e6; giga- = 1e9; "
        "tera- = 1e12; peta- = 1e15; kibi- = 2**10; mebi- = 2**20; gibi- = 2**30; tebi- = 2**40"
    ).split("; "):
        u.define(line)
    return u


_BASE = {"rate": "1/second", "size": "byte", "size_rate": "byte/second", "duration": "second"}
_KINDS = {(): "count", (("[time]", -1),): "rate", (("[information]", 1),): "size"}
_KINDS |= {(("[information]", 1), ("[time]", -1)): "size_rate", (("[time]", 1),): "duration"}
_PREFIX = {"k": "kilo", "K": "kilo", "M": "mega", "G": "giga", "T": "tera", "P": "peta"}
_PREFIX |= {"Ki": "kibi", "Mi": "mebi", "Gi": "gibi", "Ti": "tebi"}
_MULT = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9}
_MULT |= {"billion": 1e9, "trillion": 1e12, "": 1.0}
_TIMES = {"ms": "millisecond", "mil": "millisecond", "min": "minute", "mo": "month", "s": "second"}
_TIMES |= {"h": "hour", "d": "day", "w": "week", "y": "year"}
_UNIT_WORDS = set("thousand million billion trillion per sec second min minute hour day".split())
_UNIT_WORDS |= set("week month year daily monthly yearly bytes byte bits bit bps".split())

# Words that end a noun phrase; a rate suffix ("a day") may follow at most two other words.
_STOP = (
    r"(?:is|are|was|be|that|that's|which|so|and|or|of|to|in|at|on|over|across|from|by|for|with"
    r"|the|each|per|a|an|than|gives|means|would|will|we|i|it|plus|x|times|about|roughly|around"
    r"|if|then|peak|average|hold|holds|have|has)"
)
_W = r"[A-Za-z][\w'-]*"
_NOUN = rf"(?!{_STOP}\b){_W}"
_N = r"(?:[Aa]n?|[Oo]ne)(?=\s+(?:thousand|million|billion|trillion)\b)|10\^\d+"
_N += r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE]\d+)?"
_TIME = r"milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|months?"
_TIME += r"|mo|years?|yrs?"
_QTY = re.compile(
    rf"""(?<![\w.^/-])~?(?:(?P<lo>{_N})(?:-|–|\s+to\s+))?(?P<num>{_N})
    (?:\s?(?P<mw>(?i:thousand|million|billion|trillion))\b|(?P<ml>[kKMB]|bn)(?![A-Za-z]))?
    (?:\s*(?P<pct>%)|:(?P<ratio>\d+)\b|(?P<x>x)\b
      |[\s-]?(?P<pre>[kKMGTP]i?)?(?P<base>bytes?|bits?|B|b)(?P<ps>ps)?\b
      |[\s-](?P<dur>{_TIME})\b(?!/)|\s?(?P<acr>QPS|RPS|TPS|DAU|MAU)\b)?
    (?:(?:\s+{_NOUN}(?:\s+{_NOUN})?)?(?:\s+per\s+(?!(?:{_TIME})\b)[a-z]+)?
      (?:\s*/\s*|\s+per\s+|\s+an?\s+)(?P<per>{_TIME})\b
      |(?:\s+{_NOUN})?\s+(?P<adv>daily|hourly|weekly|monthly|yearly)\b(?!\s+[a-z]))?""",
    re.X,
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
    if s[0].isalpha():  # "a billion", "one million"
        return 1.0
    return 10.0 ** min(int(s[3:]), 99) if s.startswith("10^") else float(s.replace(",", ""))


def _kind(pq: Any) -> str | None:
    return _KINDS.get(tuple(sorted(dict(pq.dimensionality).items())))


def _base(pq: Any, kind: str) -> float:
    return float(pq.to(_BASE.get(kind, "dimensionless")).magnitude)


def _token(text: str, m: re.Match[str]) -> _Tok | None:
    u, g = _ureg(), m.groupdict()
    mult = _MULT[(g["mw"] or g["ml"] or "").lower()]
    v = _num(g["num"]) * mult
    if g["lo"]:  # a range: "2.5-3x", "64-100 bytes", "40 to 60 nodes"
        v = math.sqrt(_num(g["lo"]) * mult * v)
    per = _time(g["per"] or g["adv"]) if (g["per"] or g["adv"]) else None
    kind = "percent" if g["pct"] else "ratio" if (g["ratio"] or g["x"]) else None
    pq = v * u.dimensionless
    if g["ratio"] and _num(g["ratio"]) == 0:
        return None  # "1:0" is no ratio
    if g["pct"] or g["ratio"]:
        pq = pq / (100 if g["pct"] else _num(g["ratio"]))
    elif g["base"] and (g["pre"] or g["ps"] or g["base"] != "b"):  # a bare "b" is no unit
        unit = "byte" if g["base"] in ("B", "byte", "bytes") else "bit"
        pq = v * u(_PREFIX.get(g["pre"] or "", "") + unit)
    elif g["dur"]:
        pq, per = v * u(_time(g["dur"])), None
    per = "second" if g["acr"] in ("QPS", "RPS", "TPS") or g["ps"] else per
    if kind:  # "30% post once a day" is still a percent
        per = None
    pq = pq / u(per) if per else pq
    kind = kind or _kind(pq)
    start = m.start("lo") if g["lo"] else m.start("num")
    if kind is None or not 0 < v < 1e30:  # zero, or beyond anything a system handles
        return None
    return _Tok(Quantity(text[start : m.end()], _base(pq, kind), kind, start, m.end()), pq, per)


def _scan(text: str) -> list[_Tok]:
    return [t for m in _QTY.finditer(text) if (t := _token(text, m))]


def extract_quantities(text: str) -> list[Quantity]:
    """Every figure in the message with a number in it; vague ones ("a few hundred") are skipped."""
    return [t.q for t in _scan(text)]


# The shapes of the text between linked figures (fullmatched, case-insensitive).
def _words(n: int) -> str:  # up to n words; the last may carry a comma ("followers, means")
    return rf"(?:{_W}(?:\s+|(?=[,;]))){{0,{n}}}"


_HEDGE = r"(?:(?:about|roughly|around|approximately|approx\.?|nearly|almost|only|just|~|≈)\s*)*"
_EQ = r"(?:=|≈|~=|->|→|is|are|gives?|means|makes|totals?|comes?\s+to|works?\s+out\s+(?:to|at)"
_EQ += r"|averages?(?:\s+out)?(?:\s+to)?"
_EQ += r"|(?:that|which)(?:'s|\s+is|\s+gives)|i\.e\.|so|or(?=\s+(?:about|roughly|around|~)))"
_LINK = rf"(?:{_EQ}\s*){{1,2}}{_HEDGE}"  # "is about", "so that's roughly", "="
_RES = rf"\s*{_words(3)},?\s*(?:on\s+average\s*,?\s*)?{_LINK}"
_OP = (
    rf"\s*{_words(3)}(?P<op>×|\*|x|/|÷|\+|plus|times|divided\s+by|multiplied\s+by)\s*(?:an?\s+)?~?"
)
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
_CONVERT = rf"\s*(?:(?!each\b|per\b){_W}(?:\s+|(?=[,.;]))){{0,2}}(?:on\s+average\s*)?"
_CONVERT += rf"(?:[,.;]\s*(?:{_EQ}\s*){{0,2}}{_HEDGE}|{_LINK})"
_PART = r"(?:\b(?:half|thirds?|quarters?|tenths?|fraction|most|some|part|portion|share|rest)"
_PART += r"\s+of|\bof\s+(?:the|our|those|these|all))\s+~?$"


class _Msg:
    def __init__(self, text: str):
        self.text, self.toks = text, _scan(text)

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


def _explained(m: _Msg, ratio: float, used: set[int]) -> bool:
    """Whether another bare figure in the message accounts for the gap: the candidate divided
    by the 50 chains or multiplied by the 128 heads we did not link. A power of ten never
    explains one: that is the very slip of the pen we look for."""
    gap = max(ratio, 1 / ratio)
    for k, tok in enumerate(m.toks):
        v = tok.q.value
        if k in used or tok.q.kind != "count" or v < 2 or abs(math.log10(v) % 1) < 1e-9:
            continue
        if abs(math.log(gap / v)) < math.log(EXPLAINS):
            return True
    return False


def _fmt(v: float, tok: _Tok) -> str:
    kind = tok.q.kind
    if kind in ("percent", "ratio", "duration"):
        return f"{v * 100:.3g}%" if kind == "percent" else f"{v:.3g}" + ("x" * (kind == "ratio"))
    v *= _ureg()(tok.per).to("second").magnitude if tok.per else 1
    if kind in ("count", "rate"):
        scales = ((1e12, " trillion"), (1e9, " billion"), (1e6, " million"), (1e3, "k"))
        d, n = next(((d, n) for d, n in scales if v >= max(d, 1e4) * 0.9995), (1, ""))
        text = f"{v / d:.3g}{n}" if d > 1 else f"{v:,.0f}" if v >= 10 else f"{v:.2g}"
    else:  # sizes, in bits when the claim was written in bits
        bits = re.search(r"bit|bps", tok.q.text) is not None
        units = ("bit Kbit Mbit Gbit Tbit Pbit" if bits else "B KB MB GB TB PB").split()
        v *= 8 if bits else 1
        while v >= 1000 and len(units) > 1:
            v, units = v / 1000, units[1:]
        text = f"{v:.3g} {units[0]}"
    return f"{text} per {tok.per}" if tok.per else text


def _judge(
    m: _Msg, j: int, idx: list[int], res: Any, syms: list[str], peak: float = 0
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
    if verdict == "off" and _explained(m, ratio, {j, *idx}):
        return None  # the candidate used a factor we did not link ("per chain": 50 chains)
    if peak and 2 <= claim.q.value / peak <= 5:  # a 2-5x peak over the average is a fair claim
        verdict = "ok"
    steps = zip(syms, inputs[1:], strict=False)
    working = inputs[0].q.text + "".join(f" {o} {t.q.text}" for o, t in steps)
    working += f" ≈ {_fmt(rec, claim)}"
    return Estimate(claim.q, tuple(t.q for t in inputs), rec, ratio, verdict, working)


def _period(tok: _Tok) -> bool:  # the seconds in a minute, hour, day (or 100k), week, month, year
    return any(
        abs(math.log(tok.q.value / p)) < 0.05 for p in (60, 3600, DAY, 1e5, 7 * DAY, 2.6e6, 3.15e7)
    )


def _expression(m: _Msg, j: int) -> Estimate | None:
    """X × Y = Z; 15B + 5B × 10 = 65B; 1M / 86,400 ≈ 12 per second."""
    k, ops = j - 1, list[str]()
    while m.fits(j - 1, j, _RES) and (found := m.fits(k - 1, k, _OP)):
        word = re.sub(r"\s+", " ", found["op"].lower())
        ops.insert(0, _OPS.get(word, word.replace("plus", "+")))
        k -= 1
    if not ops:
        return None
    vals = [t.pq for t in m.toks[k:j]]
    if any(t.per for t in m.toks[k:j]):  # "1k QPS × 86,400": a bare period next to a rate is time
        periods = [n for n, t in enumerate(m.toks[k:j]) if t.q.kind == "count" and _period(t)]
        vals = [v * _ureg().second if n in periods else v for n, v in enumerate(vals)]
    for n, op in enumerate(ops):  # "20B a day / 86,400": the candidate divides the daily count
        if op == "/" and m.toks[k + n].per and _kind(vals[n + 1]) not in ("rate", "size_rate"):
            vals[n] = vals[n] * _ureg()(m.toks[k + n].per)
    total, acc = None, vals[0]
    try:
        for op, v in zip(ops, vals[1:], strict=True):
            if op == "+":
                total, acc = acc if total is None else total + acc, v
            else:
                acc = acc * v if op == "×" else acc / v
        res = acc if total is None else total + acc
    except pint.errors.PintError:
        return None
    return _judge(m, j, list(range(k, j)), res, ops)


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
        if est := _judge(m, j, [j - 2, j - 1], x.pq * y.pq if op == "×" else res, [op]):
            return est
    return None


def _percent(m: _Msg, j: int) -> Estimate | None:
    """50k/s is 5% of our 1M/s peak: the percent is the claim."""
    if m.kinds(j)[0] == "percent" and m.fits(j - 1, j, _IS) and m.fits(j, j + 1, _OF):
        return _judge(m, j, [j - 1, j + 1], m.toks[j - 1].pq / m.toks[j + 1].pq, ["/"])
    return None


def _peak(m: _Msg, j: int) -> Estimate | None:
    """230k/s, and with a 3x peak factor 700k/s; 6k/s on average and 60k/s at peak, a 10x peak."""
    after = m.text[m.toks[j].q.end : m.toks[j].q.end + 15]
    for a, f in ((j - 2, j - 1), (j - 1, j + 1)):
        if m.kinds(a, f, j) != ("rate", "ratio", "rate") or m.toks[j].q.value < m.toks[a].q.value:
            continue  # a "peak" below the average means we misread which figure is which
        context = m.gap(a, max(f, j)) + after
        if "peak" in context.lower() and ". " not in context:
            res = m.toks[a].pq * m.toks[f].pq
            return _judge(m, j, [a, f], res, ["×"], peak=m.toks[a].q.value)
    return None


def _convert(m: _Msg, j: int) -> Estimate | None:
    """20B a day is about 230k per second; 50 MB/s, that's 400 Mbps; 200 Gbit, i.e. 25 GB."""
    x, z = m.toks[j - 1], m.toks[j]
    if x.q.kind != z.q.kind or x.q.kind not in ("rate", "size_rate", "size"):
        return None
    if str(x.pq.units) == str(z.pq.units) or not (link := m.fits(j - 1, j, _CONVERT)):
        return None  # same unit: a new figure ("230k/s average, 600k/s at peak"), not a restatement
    if "peak" in (re.split(r"[,.;]", link[0])[-1] + m.text[z.q.end : z.q.end + 12]).lower():
        return None
    if x.q.kind == "size" and not re.search(_EQ, link[0], re.I):
        return None  # a list of sizes ("16 GB, 64 GB") is not a conversion
    est = _judge(m, j, [j - 1], x.pq, ["="])
    nouns = [set(re.findall(r"[a-z]{3,}", t.q.text)) - _UNIT_WORDS for t in (x, z)]
    if est and est.ratio >= OFF and all(nouns) and not nouns[0] & nouns[1]:
        return None  # "2k posts/s, that's 35 billion inserts a day": a fan-out left unsaid
    # Sizes carry no time unit that makes the link certain: "off" there means it isn't one.
    return None if est and x.q.kind == "size" and est.verdict == "off" else est


WINDOW = 3  # the figures before a claim that an unlinked reading may combine
_CLAIM_LINK = re.compile(rf"(?:^|[\s,;:]){_LINK}$", re.I)


def _implicit(m: _Msg, j: int) -> Estimate | None:
    """A result stated after its inputs with no operator written: "300 TB, and at 2.4 TB per
    node that gives roughly 125 nodes"; "1M drivers every 4 seconds is 250k updates a second".
    Every product and quotient of two earlier figures in the sentence whose units make the
    claim's kind is a reading; the claim is checked against the reading closest to it."""
    claim = m.toks[j]
    if claim.q.kind not in ("count", "rate", "size", "size_rate") or j == 0:
        return None
    if not _CLAIM_LINK.search(m.gap(j - 1, j).rstrip()):
        return None
    start = j
    while start > 0 and j - start < WINDOW and not re.search(r"[.!?]\s", m.gap(start - 1, start)):
        start -= 1
    best: tuple[float, list[int], Any, str] | None = None
    usable = [i for i in range(start, j) if m.toks[i].q.value > 1 and not _period(m.toks[i])]
    for a in usable:
        for b in (i for i in usable if i > a):
            x, y = m.toks[a].pq, m.toks[b].pq
            for res, op, order in (
                (x * y, "×", [a, b]),
                (x / y, "/", [a, b]),
                (y / x, "/", [b, a]),
            ):
                # Units must make the claim's as written: no reading a bare count as per day.
                if res.dimensionality != claim.pq.dimensionality:
                    continue
                rec = _base(res, claim.q.kind)
                if rec <= 0:
                    continue
                off = abs(math.log(claim.q.value / rec))
                if best is None or off < best[0]:
                    best = (off, order, res, op)
    if best is None:
        return None
    est = _judge(m, j, best[1], best[2], [best[3]])
    if est is None:
        return None
    # Unlinked readings are guesses: a match counts only when close, a miss only when it is a
    # slip of whole zeros (10x, 100x, 1000x) — the dropped or extra zero of mental arithmetic.
    decades = abs(math.log10(est.ratio))
    if est.verdict == "ok":
        return est if decades < math.log10(1.5) else None
    slip = round(decades) >= 1 and abs(decades - round(decades)) < math.log10(1.3)
    return est if slip else None


_FORMS = (_expression, _shaped, _percent, _peak, _convert, _implicit)


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


def check_message(text: str) -> list[Estimate]:
    """Every derivation we can link to its inputs, each with its verdict. A figure followed by
    an operator is an input of what comes next, not a result of what came before."""
    m = _Msg(text)
    found: list[Estimate | None] = []
    for j in range(len(m.toks)):
        if est := _period_slip(m, j):
            found.append(est)
            continue
        if j + 1 < len(m.toks) and _OPERAND.match(m.text[m.toks[j].q.end : m.toks[j + 1].q.start]):
            continue
        found.append(next((e for form in _FORMS if (e := form(m, j))), None))
    return [e for e in found if e]


# Scale facts: an input contradicts a fact when its head noun shares a stem with the fact's name
# and no figure of the same kind in the fact's value is within 10x of it.
_SYN = {"dau": "user", "mau": "user", "actives": "user", "qps": "request", "rps": "request"}
_GENERIC = _UNIT_WORDS | set("a an daily weekly monthly active new known total typical".split())
_GENERIC |= set("largest peak average rate sent concurrent target budget limit".split())
# A figure right after these is a per-entity capacity or a subset ("one box holds 500k", "each
# has 2,500 pages", "the top 1 million hosts"), not the system-wide scale the facts state.
_SHARE = re.compile(r"\d+(?:\.\d+)?\s*%\s+of\b")
_ENTITY = set("each per one single every box node server machine gateway shard top".split())


def _norm(word: str) -> str:
    w = _SYN.get(word.lower(), word.lower())
    return w[:-1] if w.endswith("s") and len(w) > 3 and not w.endswith("ss") else w


def _head(text: str, tok: _Tok) -> str | None:
    inner = re.sub(r"\bper\s+\w+", " ", tok.q.text)  # "40 per user per day" is not about users
    after = re.match(rf"\s+((?:{_NOUN}\s*){{1,3}})", text[tok.q.end :])
    # A participle ends the noun phrase: "50 million daily users sending ...".
    tail = re.split(r"\b\w{3,}(?:ing|ed)\b", after[1])[0] if after else ""
    words = [_norm(w) for w in re.findall(_W, inner) + re.findall(_W, tail)]
    unit = r"(?:[kmgtp]i?)?(?:b|bp|bit|byte)|" + _TIME
    nouns = [w for w in words if w not in _GENERIC and not re.fullmatch(unit, w)]
    return nouns[-1][:5] if nouns else None  # a five-letter stem: "followers" ~ "follow graph"


def scale_conflicts(
    text: str, scale: list[ScaleFact], estimates: list[Estimate] | None = None
) -> list[ScaleConflict]:
    """The candidate's inputs that contradict the interviewer's scale facts (CONFLICT bounds);
    `estimates` is `check_message(text)` when the caller has it already."""
    if estimates is None:
        estimates = check_message(text)
    derived = {e.claim.start for e in estimates}  # these follow from checked inputs
    facts = [
        (f, t, {_norm(w)[:5] for w in re.findall(_W, f.name) if _norm(w) not in _GENERIC})
        for f in scale
        for t in _scan(f.value)
    ]
    out = []
    for tok in _scan(text):
        before = re.findall(_W, text[max(0, tok.q.start - 40) : tok.q.start].lower())[-4:]
        head = _head(text, tok)
        # Latency and freshness figures are requirements, not scale.
        scale_kind = tok.q.kind in ("count", "rate", "size", "size_rate")
        if not scale_kind or tok.q.start in derived or head is None or _ENTITY & set(before):
            continue
        if _SHARE.search(text[max(0, tok.q.start - 40) : tok.q.start]):
            continue  # "10% of the stream: 40M events a day" is a part, not the whole
        near = [
            (max(r, 1 / r), r, f)
            for f, ft, stems in facts
            if ft.q.kind == tok.q.kind and head in stems and (r := tok.q.value / ft.q.value)
        ]
        best = min(near, key=lambda n: n[0], default=None)
        if best and "peak" in best[2].value.lower() and PEAK_SPAN[0] <= best[1] <= PEAK_SPAN[1]:
            continue  # an average a few times below the stated peak agrees with it
        if best and CONFLICT[0] * 0.95 <= best[0] < CONFLICT[1]:  # 0.95: the facts round too
            out.append(ScaleConflict(tok.q, best[2].name, best[2].value, best[1]))
    return out
