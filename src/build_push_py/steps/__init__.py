"""The steps of a run, each doing one job with the plan: ``login``, ``builder``, ``build``,
``merge``, ``post``; ``outputs`` is the one writer of outputs, env exports, state and the job
summary; ``job`` holds what every step is given."""
