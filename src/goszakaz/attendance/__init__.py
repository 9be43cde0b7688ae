"""Monthly attendance sheets (Табель): daily marks, the parent's confirmation, disputes (A7.13-A7.16)."""
