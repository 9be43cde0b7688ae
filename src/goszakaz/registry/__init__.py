"""Cities and their pilot periods, and the people who use the system with their role and scope."""
