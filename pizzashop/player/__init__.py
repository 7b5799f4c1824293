"""A player's own files: campaign progress, saved games and replays, exported reports."""
