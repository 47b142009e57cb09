"""The cosign CLI: its argv and verify commands (``argv``, pure), and the pinned binary
(``binary``)."""
