"""The preschool queue: applications, categories and queue numbers, allocation runs (Taraz)."""
