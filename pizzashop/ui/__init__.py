"""The Textual front end: it renders simulation state and sends actions; it holds no game rules."""
