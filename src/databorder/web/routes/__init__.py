"""The web pages' routes, one module per group of pages; each handler only translates HTTP."""
