"""The app runs with Streamlit's "magic" switched off (.streamlit/config.toml), which is only right
while no script relies on it: a bare expression in app.py or a page would silently show nothing."""
from __future__ import annotations

import ast
import tomllib

import pytest

from tests.conftest import ROOT

SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]


def bare_expressions(source: str) -> list[int]:
    """Lines of expression statements magic would have written: any but a call or a docstring."""
    tree = ast.parse(source)
    documented = {id(node.body[0]) for node in ast.walk(tree)  # the docstrings magic leaves alone
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
                  and isinstance(node.body[0].value.value, str)}
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Expr)
            and not isinstance(node.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)) and id(node) not in documented]


def test_magic_is_off():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_script_shows_a_bare_expression(script):
    assert bare_expressions(script.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_bare_expression_but_not_a_docstring_or_a_call():
    source = '"""The page."""\nimport streamlit as st\n\ndef f():\n    """Why."""\n    return 1\n\nst.title("x")\nf\nif True:\n    "shown"\n'
    assert bare_expressions(source) == [9, 11]
