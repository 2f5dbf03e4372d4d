# From the DRF caching cookbook 0.8.2 (its CHANGELOG.md says what changed since).
# Supports Django 5.2 LTS (5.2.19+) on Python 3.11+, and Django 6 on Python 3.12+.
"""Namespace versioning and what builds on it: copy into your app the modules you use, in a
folder of their own (``versioned/``), with this file.

* ``namespaces.py``: version numbers for groups of entries, and the ViewSet mixin that caches
  rendered responses with them (the versioning recipe). It stands alone: every recipe of
  this folder needs it.
* ``signals.py``: bump those namespaces from model events, after commit (the signals recipe).
* ``conditional.py``: ETag and Last-Modified from the same versions, 304 and 412 (the
  conditional recipe).

The modules import each other relatively, so the folder works under any name and in any app.
"""
