"""agents.estimates: quantities as candidates write them, their derivations rechecked, unit slips
named, scale facts contradicted, and never a flag on a correct estimate."""

from __future__ import annotations

import math

import pytest

from agents.estimates import (
    Estimate,
    check_message,
    extract_quantities,
    scale_conflicts,
)
from content.schema import ScaleFact

DAY, MONTH = 86_400, 365.25 * 86_400 / 12


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6)


def _only(text: str, claim: str) -> Estimate:
    """The one estimate whose claim is `claim`."""
    found = [e for e in check_message(text) if e.claim.text == claim]
    assert len(found) == 1, check_message(text)
    return found[0]


def _flags(text: str) -> list[Estimate]:
    return [e for e in check_message(text) if e.verdict != "ok"]


# --- extraction ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, written, value, kind",
    [
        ("500M DAU", "500M DAU", 500e6, "count"),
        ("say 500 million users", "500 million", 500e6, "count"),
        ("1.2B accounts", "1.2B", 1.2e9, "count"),
        ("a billion URLs", "a billion", 1e9, "count"),
        # Size units in words.
        ("at about a kilobyte per event", "a kilobyte", 1e3, "size"),
        ("each photo is 2 megabytes", "2 megabytes", 2e6, "size"),
        ("4,000 servers", "4,000", 4000, "count"),
        ("1e6 keys", "1e6", 1e6, "count"),
        ("10^9 rows", "10^9", 1e9, "count"),
        ("40K connections", "40K", 40e3, "count"),
        ("~230k per second", "230k per second", 230e3, "rate"),
        ("40k/s", "40k/s", 40e3, "rate"),
        ("2,300 pages a second", "2,300 pages a second", 2300, "rate"),
        ("3 billion feed reads a day", "3 billion feed reads a day", 3e9 / DAY, "rate"),
        ("6,000 requests per minute", "6,000 requests per minute", 100, "rate"),
        ("20k QPS", "20k QPS", 20e3, "rate"),
        ("100 million a month", "100 million a month", 1e8 / MONTH, "rate"),
        ("20B messages daily, so", "20B messages daily", 20e9 / DAY, "rate"),
        ("83 fetches per host per day", "83 fetches per host per day", 83 / DAY, "rate"),
        # a noun phrase of two nouns joined by "and", or a word with a slash, still takes its rate
        (
            "200k list and change-check calls per second at peak",
            "200k list and change-check calls per second",
            200e3,
            "rate",
        ),
        (
            "2,000 wrap/unwrap operations a second",
            "2,000 wrap/unwrap operations a second",
            2000,
            "rate",
        ),
        ("300 requests/s", "300 requests/s", 300, "rate"),
        ("2 TB", "2 TB", 2e12, "size"),
        ("100 bytes", "100 bytes", 100, "size"),
        ("24 B", "24 B", 24, "size"),
        ("12 KB", "12 KB", 12e3, "size"),
        ("4 KiB", "4 KiB", 4096, "size"),
        ("an 8-byte score", "8-byte", 8, "size"),
        ("200 Gbit", "200 Gbit", 25e9, "size"),
        ("230 MB/s", "230 MB/s", 230e6, "size_rate"),
        ("50 Mbps", "50 Mbps", 50e6 / 8, "size_rate"),
        ("4 TB a day", "4 TB a day", 4e12 / DAY, "size_rate"),
        ("86,400 seconds", "86,400 seconds", DAY, "duration"),
        ("2.6M s", "2.6M s", 2.6e6, "duration"),
        ("a 30-day window", "30-day", 30 * DAY, "duration"),
        ("p99 of 200 ms", "200 ms", 0.2, "duration"),
        ("5%", "5%", 0.05, "percent"),
        ("0.05%", "0.05%", 0.0005, "percent"),
        ("100:1 reads", "100:1", 100, "ratio"),
        ("a 10x peak", "10x", 10, "ratio"),
        ("2.5-3x", "2.5-3x", math.sqrt(7.5), "ratio"),  # a range reads as its geometric middle
    ],
)
def test_extracts_quantities_as_written(text: str, written: str, value: float, kind: str) -> None:
    [q] = extract_quantities(text)
    assert (q.text, q.kind) == (written, kind)
    assert math.isclose(q.value, value, rel_tol=1e-3)
    assert text[q.start : q.end] == q.text


@pytest.mark.parametrize(
    "text",
    [
        "a few hundred servers and tens of thousands of QPS",
        "the top-100 board and p99 latency",
        "O(log n) per lookup",
    ],
)
def test_vague_or_embedded_numbers_are_not_quantities(text: str) -> None:
    assert extract_quantities(text) == []


def test_billion_suffix_and_byte_unit_are_told_apart() -> None:
    kinds = [(q.text, q.kind) for q in extract_quantities("10B × 24 B = 240 GB")]
    assert kinds == [("10B", "count"), ("24 B", "size"), ("240 GB", "size")]


def test_daily_before_a_noun_is_a_count_not_a_rate() -> None:
    [q] = extract_quantities("300M daily users open the app")
    assert (q.text, q.kind) == ("300M", "count")


# --- each derivation form, correct ---------------------------------------------------------------

FORMS = [
    # (message, claim as written, our value in base units)
    ("500M DAU × 40 messages = 20 billion messages a day", "20 billion messages a day", 20e9 / DAY),
    ("2 TB * 3 replicas is 6 TB", "6 TB", 6e12),
    ("15B + 5B × 10 = 65B a day", "65B a day", 65e9 / DAY),
    ("1M / 86,400 ≈ 12 requests per second", "12 requests per second", 1e6 / DAY),
    ("Messages: 100B/day ÷ 86,400 ≈ 1.2M/s", "1.2M/s", 100e9 / DAY),
    ("~1k QPS × 86,400 ≈ 86M requests a day", "86M requests a day", 1e3),  # 86,400 is a day
    ("12k writes/s × 3,600 = 43M writes an hour", "43M writes an hour", 12e3),
    ("50M x 20 = 1B requests a day", "1B requests a day", 1e9 / DAY),
    ("100 million / 2.6 million s ≈ 38 per second", "38 per second", 1e8 / 2.6e6),
    ("2,300/s times 100 KB is 230 MB/s", "230 MB/s", 230e6),
    (
        "1 billion requests a month is roughly 400 requests per second",
        "400 requests per second",
        1e9 / MONTH,
    ),
    ("100M uploads per day, so that's about 1,200 uploads/s", "1,200 uploads/s", 1e8 / DAY),
    ("5,000 writes per minute, which is ~83 per second", "83 per second", 5000 / 60),
    (
        "20 billion a day over 86,400 seconds is about 230k per second",
        "230k per second",
        20e9 / DAY,
    ),
    ("1 Gbps is about 125 MB/s", "125 MB/s", 125e6),
    ("200 Gbit, which is 25 GB", "25 GB", 25e9),
    ("300 million players at ~100 bytes each comes to about 30 GB", "30 GB", 30e9),
    ("500 post IDs per user at 24 bytes each (ID plus score), which is 12 KB", "12 KB", 12e3),
    ("150 million connections at 500k per gateway is 300 gateways", "300", 300),
    ("1 billion photos a day; at 2 MB per photo that's 2 PB a day", "2 PB a day", 2e15 / DAY),
    ("300M daily users opening the feed 10 times each gives 3 billion", "3 billion", 3e9),
    (
        "100M DAU each doing 20 reads a day → 2 billion reads a day",
        "2 billion reads a day",
        2e9 / DAY,
    ),
    (
        "50 million posts a day, each reaching ~200 followers, means 10 billion inserts a day",
        "10 billion inserts a day",
        10e9 / DAY,
    ),
    ("1 million requests per second over 200 gateways is about 5,000 per node", "5,000", 5000),
    ("1 TB a day; over 3 years that's about 1 PB", "1 PB", 1e12 * 3 * 365.25),
    ("4 TB a day, so a 30-day window of snapshots is around 120 TB", "120 TB", 120e12),
    ("The enterprise key at 50k/s is 5% of our 1M/s peak", "5%", 0.05),
    ("10% of the 100k lookups/s are friends views, that's 10k", "10k", 10e3),
    ("230k QPS on average; with a 3x peak factor that's about 700k QPS", "700k QPS", 690e3),
    ("6k/s on average and 60k/s at peak, a 10x peak factor", "60k/s", 60e3),
    # The average written without its unit is the peak's: 230 a second, not 3,000 / 230.
    (
        "At 3,000 payments per second peak and 230 average, that's about 20 million a day",
        "20 million a day",
        230,
    ),
    (
        "Peak is 80k requests per second and the average 23k, so 2 billion a day",
        "2 billion a day",
        23e3,
    ),
    # A count joined to a rate with no peak or average label is a factor, as before.
    ("5k QPS and 3 replicas is 15k QPS", "15k QPS", 15e3),
    ("the hot 20% of 1 billion objects at 1 KB each is 200 GB", "200 GB", 200e9),
]


@pytest.mark.parametrize("text, claim, recomputed", FORMS)
def test_each_derivation_form_is_recomputed(text: str, claim: str, recomputed: float) -> None:
    est = _only(text, claim)
    assert est.verdict == "ok", est.working
    assert math.isclose(est.recomputed, recomputed, rel_tol=1e-3)
    assert _close(est.ratio, est.claim.value / est.recomputed)
    assert est.inputs and all(text[q.start : q.end] == q.text for q in est.inputs)


def test_working_is_one_line_a_coach_can_show() -> None:
    est = _only("100 million a month is about 38 per second", "38 per second")
    assert est.working == "100 million a month ≈ 38 per second"
    est = _only("300M users × 12 KB = 36 GB", "36 GB")
    assert est.working == "300M × 12 KB ≈ 3.6 TB"
    est = _only("50 MB/s. That's roughly 50 Mbps", "50 Mbps")
    assert est.working == "50 MB/s ≈ 400 Mbit per second"  # shown in the claim's own bits


# --- wrong arithmetic -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, claim",
    [
        ("1 billion requests a month is roughly 40 requests per second", "40 requests per second"),
        ("50 million posts a day is about 6,000 per second on average", "6,000 per second"),
        ("300M users × 12 KB = 36 GB", "36 GB"),
        ("1 million requests per second spread over 200 gateways is 50,000 per node", "50,000"),
        ("150 million connections at 500k per gateway is 3,000 gateways", "3,000"),
        ("4 TB a day, so a 30-day window is around 12 TB", "12 TB"),
        ("1 TB a day; over 3 years that's about 100 TB", "100 TB"),
        ("The enterprise key at 50,000 per second is 0.05% of the 1 million/s peak", "0.05%"),
        ("100M DAU each doing 20 reads a day → 200M reads a day", "200M reads a day"),
        ("QPS: 10M DAU × 10 requests / 86,400 ≈ 115k QPS", "115k QPS"),
        ("230k QPS average; with a 3x peak that's about 7M QPS", "7M QPS"),
        (
            "10 billion links a day, which is about 1,100 lookups per second",
            "1,100 lookups per second",
        ),
        ("~1k QPS × 86,400 ≈ 860M requests a day", "860M requests a day"),
        (
            "It averages 10k messages a second over the day, so about 120 million messages a day.",
            "120 million messages a day",
        ),
        ("A checkpoint is 1 TB and storage does 200 GB/s, so it takes 50 seconds.", "50 seconds"),
        (
            "Each of the 500,000 workloads renews every 16 hours, which is about 27 renewals a "
            "second.",
            "27 renewals a second",
        ),
    ],
)
def test_arithmetic_off_by_3x_or_more_is_flagged(text: str, claim: str) -> None:
    est = _only(text, claim)
    assert est.verdict == "off", est.working
    assert est.ratio >= 3 or est.ratio <= 1 / 3


# --- unit slips -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, claim, factor",
    [
        ("6,000 requests per minute means about 6,000 QPS", "6,000 QPS", 60),  # minute as second
        ("50 MB/s. That's roughly 50 Mbps on the wire", "50 Mbps", 1 / 8),  # bits for bytes
        ("2,300 pages a second × 100 KB is 230 MB/s, i.e. about 230 Mbit/s", "230 Mbit/s", 1 / 8),
        ("20 billion a day over 3,600 seconds is about 5.5M per second", "5.5M per second", 24),
        ("300 million entries at ~100 bytes, so about 30 TB", "30 TB", 1000),  # GB for TB
        ("500M users × 2 KB of profile = 1 GB", "1 GB", 1 / 1000),
        ("5 million uploads a day at 2 MB each is about 10 GB a day", "10 GB a day", 1 / 1000),
        ("10 bits per entry × 1 billion entries = 10 Gbit ≈ 10 GB", "10 GB", 8),
    ],
)
def test_unit_confusions_are_named(text: str, claim: str, factor: float) -> None:
    est = _only(text, claim)
    assert est.verdict == "unit_slip", est.working
    assert 0.8 < est.ratio / factor < 1.25


def test_a_tenfold_slip_is_off_not_bits_for_bytes() -> None:
    assert _only("We serve 20 PB a month, which is roughly 6 Gbps", "6 Gbps").verdict == "off"


# --- chains -----------------------------------------------------------------------------------


def test_a_chain_checks_each_step_from_the_figure_the_candidate_stated() -> None:
    text = (
        "2 billion events a day is about 23k per second, and at 1 KB each that's 23 GB/s. "
        "That's roughly 180 Gbps."
    )
    steps = check_message(text)
    assert [(e.claim.text, e.verdict) for e in steps] == [
        ("23k per second", "ok"),
        ("23 GB/s", "unit_slip"),  # 23k/s × 1 KB is 23 MB/s
        ("180 Gbps", "ok"),  # the restatement of the (wrong) 23 GB/s is itself right
    ]
    assert steps[1].inputs[0].text == "23k per second"


def test_a_correct_chain_has_no_flags() -> None:
    text = (
        "500M photos a day at 2 MB each is 1 PB a day; over 5 years that's about 1,800 PB. "
        "Reads: 300 million photos a month at 3 MB each is about 900 TB a month, roughly 350 MB/s."
    )
    assert len(check_message(text)) == 4
    assert _flags(text) == []


# --- rounding tolerance --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "10 billion a day / 100k seconds = 100k/s",  # 86,400 rounded to 100k
        "86,400 seconds in a day, call it 100k, so 10 billion a day is 100k per second",
        "20 billion a day is about 200k per second",
        "a day is ~100k seconds, so 1 billion a day is roughly 10k per second",
        "That's 1.2B writes per day, ~14k writes per second.",
        "4,000 writes a second, 350M a day.",
        "1 Gbps is about 100 MB/s",
        "40k QPS × 2 KB per response = 80 MB/s of egress",
        "3 regions × 2 AZs × 10 nodes = 50 nodes",  # 60, but within 3x
        "230k QPS average; with a 3x peak we'd see about 1M QPS",  # a 4.3x peak is a fair claim
    ],
)
def test_heavy_rounding_is_fine(text: str) -> None:
    assert check_message(text), "expected the derivation to be read"
    assert _flags(text) == []


# --- no flags on correct estimates ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # Figures that look linked but aren't derivations of each other.
        "50k QPS at peak, average about 20k QPS.",
        "Peak is 100k QPS, about 10x the 10k QPS average.",
        "2k posts/s at peak, that's 400k inserts/s with fan-out.",
        "2k posts/s, that's 35 billion inserts a day with fan-out.",  # a fan-out left unsaid
        "We need 3 replicas, 2 TB each, so 6 TB.",
        "16 GB RAM, 64 GB RAM boxes.",
        "Each of the 20 shards holds 50 GB, so 1 TB total; at 10k writes/s per shard "
        "that's 200k writes/s overall.",
        "Each server handles 10k QPS, so for 1M QPS we need about 100 servers.",
        "At ~24 bytes per entry that's 12 KB a user.",
        "At 100 KB each that's ~230 MB/s of HTML coming in.",
        "Heartbeats every 30 seconds across 150M connections are 5 million per second.",
        "About 1 billion requests a day, and 5% of those are writes, so 50 million writes a day.",
        # A part of a whole we can't size is left alone rather than compared with the whole.
        "For the cache, a tenth of the 1 billion objects at 1 KB each is 100 GB.",
        "For the cache, half of the 1 billion objects at 1 KB each is 500 GB.",
        "2 PB raw, 6 PB with 3x replication.",
        "Writes are 1k/s, reads are 100x that, so 100k/s.",
        "The 99th percentile is 200 ms, the median is 20 ms.",
        "10M keys at 1 KB each that's 10 GB, which is 10,000 MB.",
        "The log volume is 50 GB an hour, about 1.2 TB a day.",
        "If 20% of 500M DAU are online at once, that's 100M concurrent connections.",
        "A 1080p stream is about 5 Mbps, so 1 hour is about 2.25 GB.",
        "Fan-out: a post to 1,000 followers at 10k posts/s is 10M inserts/s.",
        "Throughput of 50,000 messages/min is roughly 830/s.",
        "Let's say 100M DAU, each making about 50 API calls a day, so 5 billion calls a day. "
        "That's around 58k QPS on average; peak maybe 2-3x, so 150k QPS. Each response is around "
        "5 KB, giving 750 MB/s at peak, or about 6 Gbps.",
        "- DAU: 50M\n- Reads/user/day: 20 → 1B reads/day → ~11.5k QPS avg, ~35k peak\n"
        "- Writes: 1/10 of reads → 100M/day ≈ 1.2k QPS\n"
        "- Storage: 100M × 1 KB = 100 GB/day → 36 TB/year",
        "Per shard: 10k QPS; we need 1M QPS / 10k = 100 shards.",
        "200 × 100k = 20M",  # no rate in sight: 100k is a count, not a rounded day
        "A 1 TB checkpoint at 200 GB/s takes about 5 seconds.",
        "Four broker hops at ~50 ms each add 200 ms. Payment takes ~2 s. Total about 2.7 s.",
        "99.99% gives us about 52 minutes of downtime a year, so failover must be automatic.",
        "Storage: say 10% are writes, 500 million writes a day at 1 KB each is 500 GB a day. "
        "Over 5 years that's roughly 900 TB, so about 1 PB before replication, 3 PB with 3x "
        "replication.",
    ],
)
def test_correct_estimates_are_never_flagged(text: str) -> None:
    assert _flags(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "10^400 users × 2 = 5",
        "1e999 QPS is about 3 a day",
        "0 GB × 5 = 0",
        "5 / 0 = 3",
        "((5 MB)) is",
    ],
)
def test_absurd_figures_never_crash(text: str) -> None:
    for est in check_message(text):
        assert math.isfinite(est.ratio) and est.recomputed > 0


def test_empty_and_number_free_messages() -> None:
    assert check_message("") == [] and extract_quantities("") == []
    assert check_message("I'd shard by user id and keep a write-ahead log.") == []


# --- scale facts ---------------------------------------------------------------------------------

SCALE = [
    ScaleFact(name="daily active users", value="200 million"),
    ScaleFact(
        name="photos uploaded",
        value="about 2 per user per day: 400 million a day, ~4,600 per second average",
    ),
    ScaleFact(name="photo size", value="about 2 MB after compression"),
    ScaleFact(
        name="follow graph", value="median 100 follows; the biggest accounts have 50 million"
    ),
    ScaleFact(name="storage servers", value="about 2,000 machines with 100 TB each"),
    ScaleFact(name="latency target", value="p99 under 200 ms for the feed"),
]


@pytest.mark.parametrize(
    "text, figure, fact",
    [
        (
            "With roughly 20 million daily users uploading 2 photos each",
            "20 million",
            "daily active users",
        ),
        ("We have 2 billion DAU.", "2 billion DAU", "daily active users"),
        ("We'll see about 40 million photos a day.", "40 million photos a day", "photos uploaded"),
        ("A celebrity has maybe 1 million followers at most.", "1 million", "follow graph"),
    ],
)
def test_inputs_that_contradict_the_scale_by_10x_are_reported(
    text: str, figure: str, fact: str
) -> None:
    [conflict] = scale_conflicts(text, SCALE)
    assert (conflict.quantity.text, conflict.fact_name) == (figure, fact)
    assert conflict.ratio >= 10 * 0.95 or conflict.ratio <= 1 / (10 * 0.95)


def test_the_nouns_after_of_say_what_a_figure_measures() -> None:
    facts = [ScaleFact(name="stored data", value="about 400 TB of customer files today")]
    [conflict] = scale_conflicts("We hold roughly 40 TB of customer files.", facts)
    assert (conflict.quantity.text, conflict.fact_name) == ("40 TB", "stored data")
    assert scale_conflicts("We hold roughly 40 TB of build logs.", facts) == []
    # ...and what follows that phrase still says it is per entity, not the whole system's.
    assert scale_conflicts("About 40 TB of customer files per tenant at most.", facts) == []


@pytest.mark.parametrize(
    "text",
    [
        "200M DAU each uploading 2 photos a day is 400 million photos a day, ~4,600 per second.",
        "With 100 million daily users we're at half the scale you gave.",  # 2x: not a contradiction
        "Each photo is about 2 MB, maybe 3 MB for the originals.",
        "A single box holds 100 TB, so 2,000 machines.",
        "The top 1 million users post most photos; each has ~5,000 followers.",  # a subset
        "One gateway box can hold ~500k idle connections.",  # a per-box capacity
        "The p99 should be under 50 ms for reads.",  # a requirement, not scale
        "We need maybe 20 machines for the API tier.",  # not what the fact is named for
        "Users upload 4,600 photos per second.",
        "A celebrity with 50 million followers posts.",
    ],
)
def test_consistent_or_unrelated_inputs_are_not_conflicts(text: str) -> None:
    assert scale_conflicts(text, SCALE) == []


def test_derived_figures_are_not_reported_as_scale_inputs() -> None:
    # 20M × 2 = 40M photos a day follows from the 20M input, which is the one reported.
    text = "20 million daily users uploading 2 photos each is 40 million photos a day."
    assert [c.quantity.text for c in scale_conflicts(text, SCALE)] == ["20 million"]


# --- results stated with no operator written ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "claim", "verdict"),
    [
        # 600 TB over 3 TB per box is 200 boxes: a dropped zero is caught...
        ("We keep 600 TB in all; with 3 TB usable per box that gives about 20 boxes.", "20", "off"),
        (
            "We keep 600 TB in all; with 3 TB usable per box that gives about 200 boxes.",
            "200",
            "ok",
        ),
        # A result read from figures in the same sentence only: 50 GB here is another thing.
        ("Logs are 50 GB a day. We run 4 ingest nodes, so each takes about 1 node.", None, None),
    ],
)
def test_unlinked_results_are_read_against_their_inputs(
    text: str, claim: str | None, verdict: str | None
) -> None:
    found = {e.claim.text.split()[0]: e.verdict for e in check_message(text)}
    assert found == ({claim: verdict} if claim else {}), found


@pytest.mark.parametrize(
    "text",
    [
        "Peak is 9 GB/s. That is about 72 Gbps of egress.",
        "Ingest runs at 2 GB/s at peak. That's roughly 16 Gbps on the wire.",
    ],
)
def test_a_conversion_across_a_sentence_break_is_checked(text: str) -> None:
    assert [e.verdict for e in check_message(text)] == ["ok"]


def test_a_bits_for_bytes_slip_across_a_sentence_break_is_caught() -> None:
    text = "Ingest runs at 2 GB/s at peak. That's roughly 2 Gbps on the wire."
    assert [e.verdict for e in check_message(text)] == ["unit_slip"]


@pytest.mark.parametrize(
    ("text", "verdicts"),
    [
        # A count every so often is a rate.
        ("In the big region, 12,000 sensors every 6 s is about 2,000 per second.", ["ok"]),
        ("In the big region, 12,000 sensors every 6 s is about 200 per second.", ["off"]),
        # A wrong period, stated as a fact, is a unit slip (and so is what it made); a right
        # one is fine.
        (
            "With 3,600 seconds in a day, 50k/s is about 180 million a day.",
            ["unit_slip", "unit_slip"],
        ),
        ("With 86,400 seconds in a day, 50k/s is about 4.3 billion a day.", ["ok", "ok"]),
        # A sum is read whole: 30M plus 20M at 1 KB each is 50 GB.
        ("30M users plus 20M devices at 1 KB each is about 50 GB.", ["ok"]),
        ("30M users plus 20M devices at 1 KB each is about 5 GB.", ["off"]),
        # A figure followed by an operator feeds the next expression, it is no result.
        ("Each row is 100 × 8 bytes = 800 bytes, so 2M × 800 bytes = 1.6 GB.", ["ok", "ok"]),
    ],
)
def test_more_shapes_of_derivation(text: str, verdicts: list[str]) -> None:
    assert [e.verdict for e in check_message(text)] == verdicts


def test_a_share_of_the_whole_is_not_a_scale_conflict() -> None:
    # SCALE says 200 million daily users; a share of them is a part, not a contradiction.
    part = "The busiest tenant is 1% of traffic: 2 million daily users."
    assert scale_conflicts(part, SCALE) == []
    assert scale_conflicts("We have 2 million daily users.", SCALE)


def test_a_gap_another_figure_explains_is_not_flagged() -> None:
    """Split over the 50 chains we did not link: the candidate is right, so no flag; the same
    gap of exactly 100x, a power of ten, is still the slip we look for."""
    fair = "Withdrawals are 3.5 per second, about 6,000 per chain per day across 50 chains."
    assert all(e.verdict == "ok" for e in check_message(fair))
    slip = "Withdrawals are 3.5 per second, about 3,000 per day across 100 chains."
    assert [e.verdict for e in check_message(slip) if e.claim.text == "3,000 per day"] == ["off"]


def test_an_average_below_a_stated_peak_is_not_a_scale_conflict() -> None:
    fact = ScaleFact(name="trades", value="about 5k per second at peak")
    fair = "If the daily average is a third of that, roughly 150 million trades a day."
    assert scale_conflicts(fair, [fact]) == []
    wrong = "We see roughly 15 million trades a day."
    assert len(scale_conflicts(wrong, [fact])) == 1


@pytest.mark.parametrize(
    ("text", "verdicts"),
    [
        # Figures linked by no shape we name: the reading nearest in value and in place.
        ("Run history is 5 GB a day, and if we keep 90 days that's about 450 GB.", ["ok"]),
        ("Run history is 5 GB a day, and if we keep 90 days that's about 15 GB.", ["off"]),
        # A period in words, or with no figure at all.
        ("Seven days of 86 TB a day is about 600 TB of hot data.", ["ok"]),
        ("Seven days of 86 TB a day is about 6 PB of hot data.", ["off"]),
        ("The ledger grows 20 GB a day, so a year is roughly 7 TB.", ["ok"]),
        ("The ledger grows 20 GB a day, so a year is roughly 70 TB.", ["off"]),
        # A result after a comma and a hedge, or after "so ... <verb>".
        ("Daily that's 500M × 3 KB, roughly 1.5 TB of payload.", ["ok"]),
        ("Daily that's 500M × 3 KB, roughly 150 GB of payload.", ["off"]),
        ("300/s in the big city with a 10 s window, so it holds at most 3,000 open.", ["ok"]),
        ("300/s in the big city with a 10 s window, so it holds at most 30 open.", ["off"]),
        # A comparison: "N to 1", "N times what".
        ("Reads run 40k/s against 25 orders/s, so reads beat orders by about 1,600 to 1.", ["ok"]),
        (
            "Reads run 40k/s against 25 orders/s, so reads beat orders by roughly 16,000 to 1.",
            ["off"],
        ),
        # The complement of a share: 85% hits leave 15% misses.
        ("50M requests/s at peak with 85% hits means 7.5M/s go back to origins.", ["ok"]),
        # Little's law with a latency under a second, in words and in ms.
        ("Sixty thousand queries a second at a mean of 3 ms means about 180 busy.", ["ok"]),
        ("Sixty thousand queries a second at a mean of 3 ms means about 1,800 busy.", ["off"]),
        # Money.
        ("We hold $50B and keep at most 2% hot, so that's $1B online.", ["ok"]),
        ("We hold $50B and keep at most 2% hot, so that's $10B online.", ["off"]),
        # Two parts added up.
        ("9,000 in flight to healthy hosts, and another 15,000 to slow ones, is 24k.", ["ok"]),
        # A count that is a day's, its period said once, on the result (ride-sharing mock).
        ("Each trace is 30 KB, so 25 million trips is 750 GB a day.", ["ok"]),
        ("Each trace is 30 KB, so 25 million trips is 750 TB a day.", ["unit_slip"]),
        # Not a size times a ratio: compression divides ("86 TB at 8:1 is 11 TB a day").
        ("Raw is 86 TB; compressed at 8:1 that is about 11 TB/day.", []),
    ],
)
def test_readings_without_a_named_shape(text: str, verdicts: list[str]) -> None:
    assert [e.verdict for e in check_message(text)] == verdicts


@pytest.mark.parametrize(
    "text",
    [
        # A factor we cannot read ("three replicas"), a per-entity figure whose entity count the
        # message does not give, a name that holds digits: never a miss.
        "25 billion keys times three replicas over 125 nodes is about 600 million copies.",
        "The enterprise key at 50k/s is 5% of our 1M/s peak, about 250 requests per second per "
        "gateway.",
        "Most sources top out at 1080p, so the ladder costs about 5 billion CPU-seconds a day.",
        "Compressed 20x, 13 months of 5-minute rollups is small.",
        # A comparison of unlike things is no quotient we can check.
        "Dispatching 40k a second for five seconds is roughly 350 times the 115/s average.",
        # A spec stated in a new sentence is not worked out from the sentence before.
        "We get 150 hours of video a minute, 9,000 video-seconds a second. Encoding is ~1.5 "
        "CPU-seconds per second of video.",
        # Far beyond any slip of the pen: not the working the candidate did.
        "It's 900 events a second; 5 million orders a day gives 75 million events.",
        # A per-entity size whose entity count sits elsewhere.
        "Each entry is an 8-byte ID and an 8-byte score, so 8 KB per user for 500 entries.",
    ],
)
def test_unreadable_factors_are_never_flagged(text: str) -> None:
    assert [e for e in check_message(text) if e.verdict != "ok"] == []


BENCH = [
    ScaleFact(name="decode load", value="the fleet emits ~500k output tokens a second at peak"),
    ScaleFact(name="read rate", value="about 2,000 reads a second steady; up to 50,000 per second"),
    ScaleFact(name="tenants", value="40,000 companies; the largest has 50,000 seats"),
    ScaleFact(name="users", value="80 million registered, 15 million daily active"),
    ScaleFact(name="schedules", value="2 million registered schedules from about 3,000 teams"),
]


@pytest.mark.parametrize(
    ("text", "conflict"),
    [
        # Two nouns agree with a fact's figure ("output tokens") though its name says neither.
        ("We emit around 5 million output tokens a second at peak, so 2,000 replicas.", True),
        ("We emit around 500k output tokens a second at peak, so 200 replicas.", False),
        # A bare figure of a fact after a semicolon is about the fact's name: 50,000 agrees.
        ("A restart storm brings 50,000 reads a second, which the agents absorb.", False),
        ("A restart storm brings 900,000 reads a second, which the agents absorb.", True),
        # The figure's noun ("companies") and the fact's name ("tenants") both said: about it.
        ("With around four million tenant companies, schema-per-tenant is out.", True),
        ("With around 40,000 tenant companies, schema-per-tenant is out.", False),
        # The figure's noun alone, with nothing naming the fact: another set of companies.
        ("We integrate with four million companies' payroll systems.", False),
        # Daily actives are compared with the daily actives, not the registered users nearby.
        ("With 50 million DAU at 20 requests each, that's 1 billion requests a day.", True),
        ("With 15 million DAU at 20 requests each, that's 300 million requests a day.", False),
        ("We have about 80 million registered users.", False),
        # A participle before a plural noun describes it ("registered schedules"): the noun
        # still names what the figure counts (a scheduler mock took 200k for no one's scale).
        ("With about 200k registered schedules the table fits in memory.", True),
        ("With about 2 million registered schedules the table fits in memory.", False),
    ],
)
def test_scale_facts_are_matched_by_what_each_figure_is_about(text: str, conflict: bool) -> None:
    assert bool(scale_conflicts(text, BENCH)) is conflict


@pytest.mark.parametrize(
    ("text", "claim", "verdict"),
    [
        ("Four nines leaves us about 9 hours of downtime per year.", "9 hours", "off"),
        ("99.99% gives us about 52 minutes of downtime a year.", "52 minutes", "ok"),
        ("At 99.99% we may be down roughly 4 minutes a month.", "4 minutes a month", "ok"),
        ("Three nines is about 8.8 hours of downtime a year.", "8.8 hours", "ok"),
        ("We target 99.95% availability, so about 40 hours of downtime a year.", "40 hours", "off"),
    ],
)
def test_downtime_follows_from_the_availability_stated(text: str, claim: str, verdict: str) -> None:
    assert _only(text, claim).verdict == verdict


def test_a_percent_that_is_not_availability_allows_no_downtime() -> None:
    said = "99% of reads hit the cache, and the compaction runs 5 minutes a day."
    assert check_message(said) == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        (
            "At a mean of 3 ms — that's 0.03 seconds — 60k queries a second keep 1,800 in flight.",
            True,
        ),
        ("At a mean of 3 ms, i.e. 0.003 seconds, 60k queries a second keep 180 in flight.", False),
        # Times joined by "total" are a sum, not one time restated.
        ("Four hops at 50 ms each add 200 ms. Total about 2.7 s.", False),
    ],
)
def test_a_time_restated_in_other_units_is_checked(text: str, flagged: bool) -> None:
    assert any(e.claim.kind == "duration" for e in _flags(text)) is flagged, check_message(text)


def _flagged_claims(text: str) -> list[str]:
    return [e.claim.text for e in check_message(text) if e.verdict != "ok"]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        # A consequence after "so": the figure restated per second instead of per minute.
        (
            "Two million buyers in 4 minutes is 500k per minute, so the queue must take 500k "
            "joins per second at the opening.",
            ["500k joins per second"],
        ),
        (
            "Two million buyers in 4 minutes is 500k per minute, so the queue must take 8k joins "
            "per second at the opening.",
            [],
        ),
        # A result is not combined with a figure it came from: 1% of 8 million, not of 80%.
        (
            "80% of 10 million is 8 million lookups a second. With 100 shards each owning 1% of "
            "the keys, losing a shard sends about 8k lookups a second to the database.",
            ["8k lookups a second"],
        ),
        (
            "80% of 10 million is 8 million lookups a second. With 100 shards each owning 1% of "
            "the keys, losing a shard sends about 80k lookups a second to the database.",
            [],
        ),
        # A sentence that carries on from the figure that ends the one before.
        ("We keep 300 billion rows. At 1 KB per row that's roughly 30 TB.", ["30 TB"]),
        ("We keep 300 billion rows. At 1 KB per row that's roughly 300 TB.", []),
        # Units: nanoseconds, cents, prices per million.
        ("Relaxing 10 million edges at ~50 ns per edge, a long route takes about 5 ms.", ["5 ms"]),
        ("Relaxing 10 million edges at ~50 ns per edge, a long route takes about 0.5 s.", []),
        ("30 million texts a day at two cents each is about $60k a day.", ["$60k a day"]),
        ("30 million texts a day at two cents each is about $600k a day.", []),
        ("A prompt of 2,000 tokens at $5 per million is 10 cents.", ["10 cents"]),
        ("A prompt of 2,000 tokens at $5 per million is 1 cent.", []),
        # A verb and a hedge make a result; "call it" restates.
        ("Replaying 300 million events at 50k/s finishes in about 10 seconds.", ["10 seconds"]),
        ("Replaying 300 million events at 50k/s finishes in about 100 minutes.", []),
        ("That's 2 GB/s of egress, call it 2 Gbps on the wire.", ["2 Gbps"]),
        # Inputs and choices are not results: "need about", "one box can serve".
        ("62^8 is about 218 trillion codes, and we need about 10 billion over a decade.", []),
        ("At 4 ms per query one worker thread can serve about 250 queries a second.", []),
    ],
)
def test_more_links_units_and_readings(text: str, flagged: list[str]) -> None:
    assert _flagged_claims(text) == flagged


VOLUME = [
    ScaleFact(name="volume", value="3 billion pushes a day, ~35k per second on average"),
    ScaleFact(
        name="limits", value="per key 100 requests/second; one worker sustains 2,000 a second"
    ),
    ScaleFact(name="corpus", value="5 million documents; ~200k documents change every day"),
]


@pytest.mark.parametrize(
    ("text", "conflict"),
    [
        # The fact's own noun with nothing narrowing it: the whole restated, ten times low.
        ("With roughly 300 million pushes a day we average about 3.5k a second.", True),
        ("With roughly 3 billion pushes a day we average about 35k a second.", False),
        # A narrower set ("SMS pushes") or a ceiling per entity is not the whole.
        ("SMS pushes are rarer: 30 million a day.", False),
        ("Each of our keys sends 5 requests a second.", False),
        # A figure that matches one figure of a fact agrees, even beside another of its nouns.
        ("200k documents changing out of 5 million is 4% a day.", False),
    ],
)
def test_a_fact_restated_in_its_own_words_is_checked(text: str, conflict: bool) -> None:
    assert bool(scale_conflicts(text, VOLUME)) is conflict


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        # A sum is one operand: two figures "plus", then "each with" a size.
        (
            "300 million users plus 50 million merchants, each with ~4 KB of profile, is about "
            "400 GB.",
            ["400 GB"],
        ),
        (
            "300 million users plus 50 million merchants, each with ~4 KB of profile, is about "
            "1.4 TB.",
            [],
        ),
        # "daily" after two nouns, and "X and Y a day", are rates.
        (
            "We crawl 100 million pages a day, 100 links each: 10 billion extracted links daily, "
            "around 1.2k a second.",
            ["1.2k a second"],
        ),
        (
            "We crawl 100 million pages a day, 100 links each: 10 billion extracted links daily, "
            "around 116k a second.",
            [],
        ),
        ("40 million reads and writes a day is roughly 46k a second.", ["46k a second"]),
        ("40 million reads and writes a day is roughly 460 a second.", []),
        # Two rates in other units joined by "and" restate each other; they are no sum.
        (
            "That's 90k inbox writes a second at peak and 1.8 billion inbox rows a day. Keeping 30 "
            "days of those at ~50 bytes per row comes to roughly 270 GB.",
            ["270 GB"],
        ),
        (
            "That's 90k inbox writes a second at peak and 1.8 billion inbox rows a day. Keeping 30 "
            "days of those at ~50 bytes per row comes to roughly 2.7 TB.",
            [],
        ),
        # "the 120-byte body" names a kind of thing; the working may step over it.
        (
            "Ten billion messages a day at about 300 bytes, with headers added to the 120-byte "
            "body, comes to roughly 30 GB a day.",
            ["30 GB a day"],
        ),
        (
            "Ten billion messages a day at about 300 bytes, with headers added to the 120-byte "
            "body, comes to roughly 3 TB a day.",
            [],
        ),
    ],
)
def test_sums_rates_and_named_sizes_are_read(text: str, flagged: list[str]) -> None:
    assert _flagged_claims(text) == flagged


NAMED = [
    ScaleFact(
        name="rating updates",
        value="~400 million player rating changes per day, 50k per second at peak",
    ),
    ScaleFact(name="orders", value="about 80k per second at peak across all markets"),
    ScaleFact(name="known pages", value="4 billion URLs to keep fresh"),
    ScaleFact(name="discovered URLs", value="the seen-URL set holds ~15 billion URLs"),
]


@pytest.mark.parametrize(
    ("text", "conflict"),
    [
        # "player rating changes": a noun before "rating" names the kind, it ends nothing.
        ("We see about 500k rating changes a second at peak.", True),
        ("We see about 50k rating changes a second at peak.", False),
        # A figure said to be the peak is not excused as an average below the peak.
        ("There are around 20k order messages per second at peak.", True),
        ("There are around 80k order messages per second at peak.", False),
        # "known URLs" is compared with the fact named "known pages", not the seen-URL set.
        ("We have roughly 40 billion known URLs to keep fresh.", True),
        ("We have roughly 4 billion known URLs to keep fresh.", False),
    ],
)
def test_a_figure_is_compared_with_the_fact_it_names(text: str, conflict: bool) -> None:
    assert bool(scale_conflicts(text, NAMED)) is conflict


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        # A stated result starts no chain: "= 1.2 cents in plus 400 × ..." is two expressions.
        ("A prompt of 4,000 tokens × $3/M = 1.2 cents in plus 400 × $15/M = 0.6 cents out.", []),
        ("A prompt of 4,000 tokens × $3/M = 12 cents in.", ["12 cents"]),
        # A factor the candidate stated before explains a gap of its size.
        ("With ~10:1 compression, 4 TB/day raw → ~400 GB/day compressed.", []),
        ("Raw ingest is 4 TB/day → ~400 GB/day.", ["400 GB/day"]),
        # A rate said to be at the peak is not the daily figure restated.
        ("0.2% of 10M is ~20k a day, about 4 a second at the 2,000/s peak.", []),
        # A daily total restates the average before the peak.
        ("Ingest is 1 GB/s average, 3 GB/s peak, ~86 TB a day.", []),
        ("Ingest is 1 GB/s average, 3 GB/s peak, ~8 TB a day.", ["8 TB a day"]),
        # Two durations make a count only of periods.
        (
            "Rollups: over 13 months, a 1-minute bucket has ~50k distinct combinations at ~200 "
            "bytes each.",
            [],
        ),
        # A share added on top of the peak: "300 calls/s on top of the 3,000 peak".
        ("A retry budget of 10% adds ~300 calls/s on top of the 3,000 peak = 3,300/s.", []),
    ],
)
def test_correct_working_in_harder_shapes_is_not_flagged(text: str, flagged: list[str]) -> None:
    assert _flagged_claims(text) == flagged


def test_a_share_or_a_result_used_again_is_no_scale_input() -> None:
    facts = [
        ScaleFact(name="reads", value="about 10k per second average and 30k at peak"),
        ScaleFact(name="call volume", value="3,000 calls per second at peak"),
    ]
    share = "A retry budget of 10% adds ~300 calls/s on top of the 3,000 peak = 3,300/s."
    reused = (
        "25k searches a second, each fanning out to 8 shards, is ~200k shard queries a second. "
        "200k queries a second over 40 nodes is ~5k per node."
    )
    assert scale_conflicts(share, facts) == []
    assert scale_conflicts(reused, facts) == []
    assert scale_conflicts("We serve about 300 calls/s at peak.", facts) != []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        # A rate over the count of one period in another: 365 days in a year, 86,400 s a day.
        ("Orders: 300M a year. 300M / 365 ≈ 820k orders a day.", []),
        ("Orders: 300M a year. 300M / 365 ≈ 82k orders a day.", ["82k orders a day"]),
        ("Events: 50M a day, each retried 4 times: 50M × 4 / 86,400 ≈ 2,300 retries/s.", []),
        (
            "Events: 50M a day, each retried 4 times: 50M × 4 / 86,400 ≈ 230 retries/s.",
            ["230 retries/s"],
        ),
        # "9 working hours" is a time.
        ("Reports: 90k queries/day over ~9 working hours is 10k/hour.", []),
        # Two figures that confirm a claim need not include the one just before it.
        (
            "Index 30 TB in shards of 50 GB is 600 shards; with three replicas for the 40k peak "
            "QPS, around 1,800 shard copies.",
            [],
        ),
        # Comparisons, per-entity rates, occurrence counts and load ratios are not factors.
        (
            "Pushes: 4k/s against a 1k/s limit, 4x over. A 5-minute burst at 100k/s is 30M pushes.",
            [],
        ),
        ("If a lookup costs ~2 ms of CPU, one core does ~500/s.", []),
        ("A hot query shows up ~3,000 times in one window, well past the threshold.", []),
        ("Redirects: 8B a month ≈ 3,100/s on average, 15k/s at peak, ~50:1 over creations.", []),
        (
            "5-minute rollups hold 20x fewer points than 15-second samples, so 2 TB/day becomes "
            "~100 GB/day.",
            [],
        ),
    ],
)
def test_periods_choices_and_comparisons_are_read_as_written(text: str, flagged: list[str]) -> None:
    assert _flagged_claims(text) == flagged


def test_the_candidates_own_split_is_no_scale_input() -> None:
    facts = [
        ScaleFact(
            name="storage", value="about 400 stored rows per user at 1 KB each, roughly 80 TB"
        ),
        ScaleFact(name="active series", value="about 100 million active time series"),
    ]
    assert (
        scale_conflicts("Events: 80 TB, ×3 → 240 TB; over 30 storage nodes, 8 TB each.", facts)
        == []
    )
    assert scale_conflicts("- 50 ingesters → 2M active series each\n- 8 GB RAM each", facts) == []
    assert scale_conflicts("We track about 10 million active series in total.", facts) != []


@pytest.mark.parametrize(
    "text",
    [
        # A rate times the count of its period in the claim's is the same rate, per the claim's.
        "Parquet at roughly 5:1 gives ~8 TB/day, ×365 ≈ 2.9 PB a year.",
        "12 commits an hour × 24 = 288 commits a day per table.",
        # A power written out is one figure, and a count restated after "≈" is the same count.
        "Keyspace: 5 years is 6B links; base62 with 7 characters = 62^7 ≈ 3.5 trillion.",
        # "one hundred" is 100, not 1.
        "the big doc: one hundred editors × 5 ops/s = 500 ops/s into one session",
        # The claim is the first term of a sum written after it.
        "3.5M × $0.0015 + 1.5M × $0.018 = $5.25k + $27k ≈ $32k.",
        # A bare figure echoed from a time earlier is read as written when that gives the kind.
        "Clients batch every 100 ms; a typist does 5 ops/s. 100 × 5 = 500 ops/s for the doc.",
        # A peak rate is no average: a daily total right after it is a figure of its own.
        "Unknown outcomes run at 3 a second at peak, ~20,000 a day overall.",
    ],
)
def test_more_correct_working_is_not_flagged(text: str) -> None:
    assert [e for e in check_message(text) if e.verdict != "ok"] == []


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("Parquet at roughly 5:1 gives ~8 TB/day, ×365 ≈ 29 PB a year.", "29 PB a year"),
        ("12 commits an hour × 24 = 2,880 commits a day per table.", "2,880 commits a day"),
        (
            "the big doc: one hundred editors × 5 ops/s = 5,000 ops/s into one session",
            "5,000 ops/s",
        ),
        ("3.5M × $0.0015 + 1.5M × $0.018 = $52k + $27k ≈ $79k.", "$52k"),
    ],
)
def test_the_same_shapes_with_a_slip_are_flagged(text: str, wrong: str) -> None:
    assert wrong in [e.claim.text for e in check_message(text) if e.verdict != "ok"]


def test_a_rate_shared_among_the_entities_it_is_per_is_a_quotient() -> None:
    # "N partitions at R is Z per partition": R spread over the N, not N times R.
    shared = "Queue partitioning: 256 partitions at 30k/s peak is ~117/s per partition."
    assert [e.verdict for e in check_message(shared)] == ["ok"]
    slipped = check_message("256 partitions at 30k/s peak is ~1,170/s per partition.")
    assert [(e.claim.text, e.verdict) for e in slipped] == [("1,170/s", "off")]
    # Per something else, or each at the rate: the product, as before.
    assert [e.verdict for e in check_message("200 shards at 5k writes/s each is 1M writes/s.")] == [
        "ok"
    ]
    assert [
        e.verdict for e in check_message("200 shards at 5k writes/s each is 10M writes/s.")
    ] == ["off"]


@pytest.mark.parametrize(
    "text",
    [
        # The figure before a peak is no average when it was worked out from the peak...
        "Timeouts: 0.1% of 3,000/s = 3 unknown payments a second at peak, ~20,000 a day overall.",
        # ... or is said to be at it; and a peak rate over a whole day overstates the day.
        "0.1% of auths time out — 3/s at the 3,000/s peak, ~20k a day over 20M payments.",
    ],
)
def test_a_daily_total_is_not_read_from_a_peak(text: str) -> None:
    assert [e for e in check_message(text) if e.verdict != "ok"] == []


def test_a_daily_total_above_the_peak_rate_is_still_a_slip() -> None:
    slipped = check_message("At a 3,000/s peak, 0.1% of those is ~3/s, about 2.6M a day.")
    assert [e.claim.text for e in slipped if e.verdict != "ok"] == ["2.6M a day"]


def test_working_carries_on_from_a_result_and_the_noun_it_counts() -> None:
    said = "Assume ~5 kept prefixes per query over 20M queries → 100M prefixes × 10 × 8-byte IDs"
    right = check_message(said + " = 8 GB.")
    assert [(e.claim.text, e.verdict) for e in right] == [("100M", "ok"), ("8 GB", "ok")]
    wrong = check_message(said + " = 80 GB.")
    assert [(e.claim.text, e.verdict) for e in wrong] == [("100M", "ok"), ("80 GB", "off")]


def test_a_time_each_entity_takes_is_not_the_whole_systems_rate() -> None:
    # "15 attempts over 3 days each": per entity; the daily total multiplies by a count.
    said = "5% fail first time → 25M/day enter backoff; ~15 attempts over 3 days each → "
    assert [e.verdict for e in check_message(said + "375M retry attempts/day.")] == ["ok"]
    # Per entity, the quotient still reads.
    each = check_message("Each user sends 30 messages over 3 days each, so 10 a day per user.")
    assert [(e.working, e.verdict) for e in each] == [("30 / 3 days ≈ 10 per day", "ok")]


def test_a_clause_in_contrast_is_not_the_result_of_the_working_before_it() -> None:
    # "while on Ethereum ... 13 minutes" is another chain's figure, not six 10-minute blocks.
    said = "Six confirmations is about an hour at 10-minute blocks, while on Ethereum we wait "
    assert [e for e in check_message(said + "for finality, roughly 13 minutes.")] == []
    # Working inside one side of the contrast still reads, right or wrong.
    right = check_message("6 blocks at 10 minutes is 60 minutes, while Ethereum takes 13.")
    assert [(e.claim.text, e.verdict) for e in right] == [("60 minutes", "ok")]
    wrong = check_message("6 blocks at 10 minutes is 6 minutes, while Ethereum takes 13.")
    assert [(e.claim.text, e.verdict) for e in wrong] == [("6 minutes", "off")]
    # Nor is a figure across the contrast read as a slip of the working before it: the archive's
    # 20 TB is not 100 million 2 KB rows (200 GB) with two zeros too many.
    other = "We have 100 million rows at 2 KB each, while the archive holds about 20 TB."
    assert check_message(other) == []


def test_a_figure_that_opens_the_next_equation_is_its_input() -> None:
    # "so 800 entries is about 9.6 KB": 800 is what the next product starts from, not a result
    # of "12 bytes" and "4-byte" before it.
    said = "An entry is an 8-byte id plus a 4-byte timestamp, 12 bytes, so 800 entries is about "
    right = check_message(said + "9.6 KB.")
    assert [(e.claim.text, e.verdict) for e in right] == [("9.6 KB", "ok")]
    wrong = check_message(said + "96 KB.")
    assert [(e.claim.text, e.verdict) for e in wrong] == [("96 KB", "off")]


PER_ENTITY_FACTS = [
    ScaleFact(name="catalogue", value="80 million products; about 4 KB of attributes per product"),
    ScaleFact(name="signups", value="about 300,000 accounts a day"),
    ScaleFact(name="users and orders", value="12 million users; ~40,000 orders a day"),
    ScaleFact(name="backfill", value="about 600,000 tasks are due at 02:00 UTC each night"),
]


@pytest.mark.parametrize(
    ("text", "conflict"),
    [
        # A per-entity figure is compared with the fact's figure per the same entity.
        ("Each product carries about 400 KB of attributes, so we keep them on disk.", True),
        ("Each product carries about 4 KB of attributes, so they fit in memory.", False),
        ("Each product has about 400 KB of images in object storage.", False),
        # A figure named by the fact's one-word name is about the fact.
        ("With about 30,000 signups a day the write path is tiny.", True),
        ("With about 300,000 signups a day the write path is small.", False),
        # ...but not when the name joins two things and the figure counts one of them.
        ("We run about 40,000 orders a day through the ledger.", False),
        # An adjective after the noun ("runs due") does not change what is counted.
        ("About 60,000 tasks due at 02:00 means a short burst.", True),
        ("About 600,000 tasks due at 02:00 means a real burst.", False),
    ],
)
def test_per_entity_figures_and_one_word_facts_are_compared(text: str, conflict: bool) -> None:
    assert bool(scale_conflicts(text, PER_ENTITY_FACTS)) is conflict


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        # A figure repeated, rounded, in the same unit is that figure: not a result of a
        # description before it ("8-character" is no divisor of 64^8).
        ("An 8-character base64 key gives 64^8, about 281 trillion keys.", []),
        ("We get 64^8, about 28 trillion keys from an 8-character key.", ["28 trillion"]),
        ("Codes: 62^7 = 350 billion, enough for decades.", ["350 billion"]),
        ("Codes: 62^7 = 3.5 trillion, enough for decades.", []),
    ],
)
def test_a_figure_restated_rounded_is_not_a_new_result(text: str, flagged: list[str]) -> None:
    assert [e.claim.text for e in check_message(text) if e.verdict != "ok"] == flagged


def test_a_peak_factor_after_an_average_does_not_explain_the_average() -> None:
    """ "10x that" applies to the average before it: it cannot make a 10x-off average right."""
    said = (
        "500 million rating changes a day is about 60k per second on average, and peak is 10x "
        "that, so 600k writes per second."
    )
    assert [(e.claim.text, e.verdict) for e in check_message(said)] == [
        ("60k per second", "off"),
        ("600k writes per second", "ok"),
    ]
    # The peak named after the factor is still read off it.
    assert [
        e.verdict for e in check_message("About 6k/s on average and 60k/s at peak, a 10x peak.")
    ] == ["ok"]


def test_a_rate_times_a_reporting_interval_does_not_fault_a_figure() -> None:
    """ "100k messages per second ... report every 5 minutes, so more like 25k at peak" is no
    100k/s × 5 min = 30 million; the slip after it is still found."""
    said = (
        "500,000 vehicles, and if all report every 5 seconds that's 100k messages per second, but "
        "most are parked and report every 5 minutes, so the real number is more like 25k at peak. "
        "Each message is 200 bytes, so 25k × 200 bytes is 5 GB per second."
    )
    assert [(e.claim.text, e.verdict) for e in check_message(said)] == [
        ("100k messages per second", "ok"),
        ("5 GB per second", "unit_slip"),
    ]
    # The count per interval still confirms: 600k/s flushed every 2 s is 1.2M a batch.
    flushed = check_message(
        "At 600k messages per second, flushed every 2 seconds, a batch holds 1.2M."
    )
    assert [e.verdict for e in flushed] == ["ok"]


def test_a_stray_figure_does_not_rescue_a_sentence_that_holds_its_own_working() -> None:
    """ "1.5 million fans in the first 5 minutes is about 500 a second" is the candidate's
    whole working, 10x off; "a limit of 8 per account" from the sentence before makes
    1.5M / 8 / 5 min land near 500 by chance, and must not confirm it."""
    said = (
        "I'll assume reserved seating with a limit of 8 per account. For the big on-sale, 1.5 "
        "million fans in the first 5 minutes is about 500 arrivals a second, so the waiting room "
        "isn't the bottleneck."
    )
    [est] = check_message(said)
    assert (est.claim.text, est.verdict) == ("500 arrivals a second", "off")
    # A figure from the sentence before that counts the claim's own things still completes it.
    split = (
        "Each fan sends about 8 requests. So 1.5 million fans in 5 minutes makes about 40k "
        "requests a second."
    )
    assert [e.verdict for e in check_message(split)] == ["ok"]
