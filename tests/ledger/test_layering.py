"""The ledger is a lower layer: it records leaves and knows nothing of what they describe."""

import ast
from pathlib import Path

import databorder.ledger

# What may sit above the ledger and so must never be imported by it.
ABOVE = ("gateway", "rights", "audit", "api", "web", "cli", "sim", "runtime")


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def layer(module: str) -> str | None:
    """`databorder.gateway.models` is in the `gateway` layer; other packages are in none."""
    root, _, rest = module.partition(".")
    return rest.partition(".")[0] if root == "databorder" else None


def test_no_ledger_module_imports_a_layer_above_it() -> None:
    package = Path(databorder.ledger.__file__).parent
    offending = {
        f"{path.name}: {name}"
        for path in sorted(package.glob("*.py"))
        for name in imported(path)
        if layer(name) in ABOVE
    }
    assert offending == set()
