"""``python -m improvado_async``: the ``improvado`` command."""

from .cli import main

raise SystemExit(main())
