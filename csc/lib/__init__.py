"""Pure helpers with no model imports (see docs/architecture.md)."""
