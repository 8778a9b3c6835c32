"""Retrieval: loaders, heading-aware chunking, the Chroma store, incremental ingest, hybrid search.

It knows documents and corpora only; nothing here is about interviews.
"""
