"""``python -m siting``: the same command line as the ``siting`` script."""

from siting.cli import main

raise SystemExit(main())
