"""Web pages per role (server-rendered templates), with their permission rules."""
