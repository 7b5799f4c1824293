"""Hosting a workshop: the game over SSH (`pizzashop serve ssh`) or in a browser (`serve web`).

Each player gets their own game process; the processes share the data directory, so they share
the leaderboard. Nothing here imports the game itself: a session runs `python -m pizzashop`.
"""
