"""The action's inputs: the table of every input and output (``table``), the readers of their
grammars, each mirroring the upstream function it ports (``lists`` for list inputs and CSV
attributes, ``grammar`` for booleans, ``attributes`` for ``key=value`` items), and one parser
per group, each returning a frozen record (``build``, ``driver``, ``digests``, ``sign``,
``report``, ``retry``); ``secrets`` finds what to mask before any of them runs."""
