"""`python -m pizzashop` runs the same command line as the `pizzashop` script."""

from pizzashop.cli import main

if __name__ == "__main__":  # not when a worker process (`levels check --jobs`) imports it
    raise SystemExit(main())
