"""`python -m databorder` is the `databorder` command."""

from databorder.cli import main

main()
