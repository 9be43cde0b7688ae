"""The project's date and number formats per language (settings.FORMAT_MODULE_PATH): one
dd.mm.yyyy in ru, kk and en (docs/readings.md, "Formats")."""
