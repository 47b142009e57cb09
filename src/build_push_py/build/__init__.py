"""Login and build: inputs -> logins, cache, builder -> ``docker buildx build`` argv -> run.

Pure parts: ``inputs`` (BuildInputs), ``login`` (RegistryLogin, argv), ``push``, ``cache``,
``builder`` (inspect parsing, builder choice), ``version`` and ``argv``. I/O: ``buildx``.
"""
