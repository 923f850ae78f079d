"""complaints/services/ keeps each function short enough to read in one screen: a longer
one is split into named steps."""

import ast
from pathlib import Path

import complaints.services

LIMIT = 80
PACKAGE = Path(complaints.services.__file__).parent


def _functions() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    return [
        (path.name, node)
        for path in sorted(PACKAGE.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def test_no_function_in_complaints_services_is_longer_than_80_lines():
    functions = _functions()
    too_long = [
        f"{module}:{node.name} is {node.end_lineno - node.lineno + 1} lines"
        for module, node in functions
        if node.end_lineno - node.lineno + 1 > LIMIT
    ]

    assert any(node.name == "complaint_record" for _module, node in functions)
    assert too_long == []
