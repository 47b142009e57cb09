"""What the run will do, decided before anything runs: every input parsed once (``inputs``),
and the pure, complete ``Plan`` (``plan``) with its policies for pushing (``push``), the cache
(``cache``) and the fan-out's digest files (``digests``)."""
