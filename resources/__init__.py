"""Icons and data shipped with gd-explorer (installed as gd_explorer.resources)."""
