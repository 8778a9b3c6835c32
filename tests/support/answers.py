"""Six answers to the URL shortener, one per phase, for tests that take a whole interview."""

from __future__ import annotations

ANSWERS = [
    "Users shorten long URLs and get redirected; custom aliases and expiry are optional. "
    "Reads dominate writes about 100 to 1.",
    "POST /links takes the long URL and returns a seven character code; GET /{code} answers "
    "302 so we can count clicks. A links table keyed by code holds url, owner and expiry.",
    "100 million new links a month is about 40 writes a second; at 100:1 that is 4,000 "
    "redirects a second, and 500 bytes a link is 600 GB over ten years.",
    "An API tier behind a load balancer, a key-value store for code to URL, a Redis cache "
    "in front for hot codes, and a counter range service to hand out ids without collisions.",
    "Codes come from base62 of a unique id; each app server leases a block of ids from the "
    "range service, so no coordination per request and no collisions.",
    "The cache is read-through with a TTL; if the store fails we serve from cache and queue "
    "writes. Trade-off: 302 costs more traffic than 301 but keeps analytics accurate.",
]
