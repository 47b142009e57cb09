"""The action's inputs as text: the table of every input and output (``table``), and the
readers of their grammars, each mirroring the upstream function it ports (``lists`` for
list inputs and CSV attributes, ``grammar`` for booleans)."""
