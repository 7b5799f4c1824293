"""Workshops: participants' own routing strategies, headless grading and the leaderboard."""
