"""`python -m pizzashop` runs the same command line as the `pizzashop` script."""

from pizzashop.cli import main

raise SystemExit(main())
