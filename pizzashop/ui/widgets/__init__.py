"""Widgets of the shift screen: Line API panels that repaint only the lines that changed."""
