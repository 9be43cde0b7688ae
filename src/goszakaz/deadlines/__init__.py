"""Deadlines as data: each with its clause, due date and state, shown when overdue."""
