"""Namespace versioning and what builds on it: copy this folder into your app, whole.

* ``namespaces.py``: version numbers for groups of entries, and the ViewSet mixin that caches
  rendered responses with them (the versioning recipe). It stands alone.
* ``signals.py``: bump those namespaces from model events, after commit (the signals recipe).
* ``conditional.py``: ETag and Last-Modified from the same versions, 304 and 412 (the
  conditional recipe).

The modules import each other relatively, so the folder works under any name and in any app.
"""
