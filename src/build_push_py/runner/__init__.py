"""Talking to the GitHub runner: workflow commands on stdout and the file commands of the
environment a step is given (``workflow``), and the Markdown of the job summary (``summary``)."""
