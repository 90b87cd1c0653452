"""`python -m core.params MODEL`: the parameter table as CSV (see core.params.table)."""

from core.params.table import main

raise SystemExit(main())
