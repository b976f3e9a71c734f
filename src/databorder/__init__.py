"""databorder: lawful, minimal, verifiable disclosure of buyers' personal data to recipients."""

__version__ = "0.1.0"

__all__ = ["__version__"]
