"""Use cases that cross apps, one module each, named for what a person does; the only place that
calls more than one domain app's services (DESIGN, Layout)."""
