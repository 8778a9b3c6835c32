"""The content bank: schema, cross-references, counts and topic coverage."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app
from content.loader import load_bank

# Every topic the content issue lists, and the question or note that covers it.
QUESTION_TOPICS = {
    "url shortener": "url-shortener",
    "rate limiter": "rate-limiter",
    "news feed": "news-feed",
    "messaging (whatsapp)": "chat-messaging",
    "file storage and sync": "file-sync",
    "ticket booking under contention": "ticket-booking",
    "calendar and scheduling": "calendar-scheduling",
    "maps and routing": "maps-routing",
    "media encoding pipeline": "media-encoding-pipeline",
    "search autocomplete": "search-autocomplete",
    "database connection pool": "db-connection-pool",
    "secret manager with envelope encryption": "secret-manager",
    "certificate authority / pki": "certificate-authority",
    "carpooling": "carpooling",
    "dockless bike and scooter sharing": "bike-scooter-sharing",
    "log ingestion pipeline": "log-ingestion",
    "metrics and monitoring": "metrics-monitoring",
    "e-commerce platform": "ecommerce-platform",
    "ml training job orchestration": "ml-training-orchestration",
    "payment processing": "payment-processing",
    "idempotent webhook delivery": "webhook-delivery",
    "edge latency budget at p99": "edge-latency-budget",
    "crypto exchange": "crypto-exchange",
    "llm inference serving": "llm-inference-serving",
    "genai pipeline": "genai-pipeline",
    "feature store": "feature-store",
    "distributed cron / job scheduler": "distributed-cron",
    "notification service": "notification-service",
    "multi-region active-active": "multi-region-active-active",
    "multi-tenant saas": "multi-tenant-saas",
    "event-driven order processing": "event-driven-orders",
    "ride-sharing dispatch with surge": "ride-sharing-dispatch",
    "activity feed for b2b saas": "b2b-activity-feed",
    "key-value store": "key-value-store",
    "web crawler": "web-crawler",
    "typeahead/search": "full-text-search",
    "distributed cache": "distributed-cache",
    "circuit breaker and retries": "flaky-dependency-resilience",
    "data lakehouse": "data-lakehouse",
    "real-time analytics": "real-time-analytics",
}
NOTE_TOPICS = {
    "45-minute interview framework": "interview-framework",
    "constraints first": "constraints-first",
    "latency vs throughput": "latency-vs-throughput",
    "availability and consistency": "availability-consistency",
    "replication": "replication",
    "partitioning and consistent hashing": "partitioning-consistent-hashing",
    "caching and its failure modes": "caching",
    "choosing a database": "choosing-databases",
    "queues, streams and back pressure": "queues-streams-backpressure",
    "idempotency, retries, exactly-once": "idempotency-retries",
    "rate limiting algorithms": "rate-limiting-algorithms",
    "circuit breakers": "circuit-breakers",
    "load balancing": "load-balancing",
    "cdns and edge": "cdn-edge",
    "slos, slis and error budgets": "slos-error-budgets",
    "observability and golden signals": "observability-golden-signals",
    "multi-region active-active": "multi-region-design",
    "multi-tenant isolation": "multi-tenant-isolation",
    "security of apis": "api-security",
    "envelope encryption and pki": "envelope-encryption-pki",
    "back-of-envelope numbers": "back-of-envelope",
    "event-driven architecture": "event-driven-architecture",
    "warehouses, lakes and lakehouses": "warehouses-lakes-lakehouses",
    "feature stores and ml data": "feature-stores",
    "llm inference serving": "llm-serving",
    "genai pipelines at scale": "genai-pipelines",
    "cost and unit economics": "cost-unit-economics",
    "distributed job scheduling": "distributed-job-scheduling",
    "connection pooling": "connection-pooling",
    "search and autocomplete structures": "search-autocomplete-structures",
    "geospatial indexing": "geospatial-indexing",
}


def test_content_check_json_reports_the_bank_without_errors() -> None:
    result = CliRunner().invoke(app, ["content", "check", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["errors"] == []
    assert summary["questions"] >= 40 and summary["notes"] >= 40
    assert summary["rubric_items"] >= 12 * summary["questions"]


def test_every_listed_topic_has_its_question_or_note() -> None:
    bank = load_bank()
    missing = [t for t, qid in QUESTION_TOPICS.items() if qid not in bank.questions]
    missing += [t for t, nid in NOTE_TOPICS.items() if nid not in bank.notes]
    assert not missing


def test_quality_bar_per_question() -> None:
    for q in load_bank().questions.values():
        kinds = [p.trigger_kind for p in q.probes]
        assert len(q.rubric) >= 12 and len(q.probes) >= 6, q.id
        assert kinds.count("concept") >= 3 and kinds.count("item") >= 3, q.id
        assert len(q.failure_scenarios) >= 3 and len(q.reference_outline) >= 8, q.id
        assert all(p.question.count("?") == 1 for p in q.probes), q.id


def test_broken_content_is_reported_with_file_and_field(tmp_path) -> None:
    (tmp_path / "questions").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "concepts").mkdir()
    (tmp_path / "questions" / "bad.yaml").write_text("id: bad\ntitle: Bad\nprompt: x\n")
    (tmp_path / "notes" / "n.md").write_text("no front matter")
    problems = [str(p) for p in load_bank(tmp_path).problems]
    assert any("questions/bad.yaml" in p and "levels" in p for p in problems)
    assert any("notes/n.md" in p and "front matter" in p for p in problems)


def test_item_topics_are_written_for_the_interviewer_not_derived_from_ids() -> None:
    """The offline interviewer asks "What's your plan for {topic}?": a topic is a phrase someone
    wrote, distinct within its question, and never the item's id read aloud."""
    from agents.interviewer.phrasing import phrases, topic

    bank = load_bank()
    for q in bank.questions.values():
        topics = [i.topic for i in q.rubric]
        assert len(set(topics)) == len(topics), f"{q.id}: two items share a topic"
        for item in q.rubric:
            assert item.topic.lower() != item.id.replace("-", " "), f"{q.id}/{item.id}"
    item = bank.questions["rate-limiter"].rubric[1]
    asked = phrases().item_question[2].format(topic=topic(item))
    assert asked == "What's your plan for the limiter's own load and memory?"


def test_every_note_section_has_search_terms_checked_against_its_headings(tmp_path) -> None:
    from content.loader import heading_paths

    bank = load_bank()
    for nid, note in bank.notes.items():
        assert nid in bank.search_terms, f"content/search_terms/{nid}.yaml is missing"
        assert set(bank.search_terms[nid].sections) == set(heading_paths(note)), nid
    # A term for a heading the note does not have, or for no note at all, is reported.
    for sub in ("notes", "search_terms"):
        (tmp_path / sub).mkdir()
    (tmp_path / "notes" / "n1.md").write_text(
        "---\nid: n1\ntitle: Note one\ntopics: [caching]\n---\n# Note one\n\n## Keys\n\ntext\n"
    )
    (tmp_path / "search_terms" / "n1.yaml").write_text(
        "note: n1\nsections:\n  Keys: [cache key]\n  Values: [cache value]\n"
    )
    (tmp_path / "search_terms" / "n2.yaml").write_text("note: n2\nsections:\n  Keys: [k1]\n")
    (tmp_path / "search_terms" / "n3.yaml").write_text("note: n3\nsections:\n  Keys: ['a; b']\n")
    (tmp_path / "search_terms" / "n4.yaml").write_text("")
    problems = [str(p) for p in load_bank(tmp_path).problems]
    assert any("search_terms/n1.yaml: sections.Values: no such heading" in p for p in problems)
    assert any("search_terms/n2.yaml: note: no note 'n2'" in p for p in problems)
    assert any("search_terms/n3.yaml" in p and "sections" in p for p in problems)
    assert any("search_terms/n4.yaml: (file): empty file" in p for p in problems)
