"""The simulated pilot year (issue 9): plays the people and the banks, never the system."""
