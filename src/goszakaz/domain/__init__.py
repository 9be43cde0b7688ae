"""Pure rules of the pilot: standard library only, frozen dataclasses in and out, no I/O."""
