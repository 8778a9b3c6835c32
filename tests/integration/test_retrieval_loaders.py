"""PDF and HTML documents: text extraction (pypdf, BeautifulSoup), ingest and search."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.ingest import ingest_paths
from retrieval.loaders import EmptyDocument, LoaderError, load_bytes, load_file
from retrieval.search import Retriever


def make_pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF: one Helvetica text line per page, with a correct xref table."""
    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n} >>",
    ]
    font = 3 + 2 * n
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {4 + 2 * i} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = b"%PDF-1.4\n"
    offsets = []
    for num, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{num} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


HTML = """<!doctype html><html><head><title>Queue guide</title><style>p{}</style></head>
<body><nav>Home | About</nav>
<h1>Queues</h1><p>Queues decouple <b>producers</b> from consumers.</p>
<h2>Back pressure</h2><div>Limit the queue size and return HTTP 503 when it is full.</div>
<ul><li>Clients retry with exponential backoff.</li></ul>
<script>var ignored = "script text";</script></body></html>"""


def test_pdf_pages_become_sections(tmp_path: Path) -> None:
    path = tmp_path / "replication.pdf"
    path.write_bytes(make_pdf(["Leader follower replication copies writes.", "Quorum reads."]))
    doc = load_file(path)
    assert [s.path for s in doc.sections] == [("replication", "Page 1"), ("replication", "Page 2")]
    assert "Leader follower replication" in doc.sections[0].text


def test_html_headings_become_paths_and_noise_is_dropped() -> None:
    doc = load_bytes(HTML.encode(), source="guide.html")
    by_path = {s.path: s.text for s in doc.sections}
    assert "producers from consumers" in by_path[("Queues",)]
    back = by_path[("Queues", "Back pressure")]
    assert "503" in back and "exponential backoff" in back
    assert "script text" not in back and "Home" not in " ".join(by_path.values())


def test_empty_and_broken_files_are_refused() -> None:
    with pytest.raises(EmptyDocument):
        load_bytes(b"   \n", source="empty.md")
    with pytest.raises(EmptyDocument):
        load_bytes(b"<html><body><script>x</script></body></html>", source="blank.html")
    with pytest.raises(LoaderError):
        load_bytes(b"not a pdf at all", source="broken.pdf")


def test_pdf_and_html_are_searchable(settings, embedder, tmp_path: Path) -> None:
    tree = tmp_path / "docs"
    tree.mkdir()
    (tree / "replication.pdf").write_bytes(make_pdf(["Leader follower replication copies writes."]))
    (tree / "guide.html").write_text(HTML)
    report = ingest_paths([tree], "mixed", settings, embedder)
    assert report.files == 2
    retriever = Retriever(settings, embedder)
    assert retriever.search("replication of writes", k=1, corpus="mixed")[0].heading == (
        "replication > Page 1"
    )
    top = retriever.search("HTTP 503", k=1, corpus="mixed")[0]
    assert top.heading == "Queues" and "503" in top.text  # the whole small page is one chunk
