"""What proves and measures the recipes, kept out of the package readers install.

* ``testing``: the pytest plugin every test loads (fixtures: the seeded bookshop, clients
  for each kind of caller, a private ``redis-server``).
* ``consistency``: Hypothesis state machines that compare cached reads with the database.
* ``traffic``: a real server (gunicorn) under threads of concurrent readers and writers.
* ``bench``: the benchmark harness that writes every number on the site
  (``python -m harness.bench <scenario>``).
* ``redis_server``: start and stop ``redis-server`` processes on free loopback ports.
"""
