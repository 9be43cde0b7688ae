"""Web pages per role (server-rendered templates), each declaring its Action (web.permissions)."""
