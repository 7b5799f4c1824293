"""pizzashop: a terminal game and simulator that teaches system design through a pizza shop."""

__version__ = "0.1.0"
