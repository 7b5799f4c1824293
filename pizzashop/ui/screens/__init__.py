"""Screens: the title, the shift, the end-of-shift report, the codex, help and the dialogs."""
