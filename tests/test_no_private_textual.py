"""tui_app/ uses only Textual's public API (issue 13), so that a Textual upgrade is a version
bump: no private module (`textual.widgets._data_table`), no private name imported, no private
attribute of a Textual object read or written, and none of our widgets or screens defines a
private name its Textual base class already has (that would silently replace Textual's)."""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from functools import lru_cache
from pathlib import Path

import textual

import tui_app

ROOT = Path(tui_app.__file__).parent


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _defined_private_names(tree: ast.AST) -> set[str]:
    """Private names a source defines: functions, classes, attributes it assigns
    (self._x = …) and class-level names."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and _private(node.name):
            out.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _private(node.attr):
            out.add(node.attr)
        elif isinstance(node, ast.ClassDef):
            for stmt in node.body:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else \
                    [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
                out |= {t.id for t in targets if isinstance(t, ast.Name) and _private(t.id)}
    return out


@lru_cache(maxsize=None)
def textual_private_names() -> frozenset[str]:
    names: set[str] = set()
    for path in Path(textual.__file__).parent.rglob("*.py"):
        names |= _defined_private_names(ast.parse(path.read_text(encoding="utf-8")))
    return frozenset(names)


def our_sources() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def test_no_private_module_or_name_of_textual_is_imported():
    bad = []
    for path in our_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "textual":
                if any(_private(part) for part in node.module.split(".")):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno} from {node.module}")
                bad += [f"{path.relative_to(ROOT)}:{node.lineno} import {a.name}"
                        for a in node.names if _private(a.name)]
            elif isinstance(node, ast.Import):
                bad += [f"{path.relative_to(ROOT)}:{node.lineno} import {a.name}" for a in node.names
                        if a.name.split(".")[0] == "textual" and any(map(_private, a.name.split(".")))]
    assert not bad, "Закрытые модули/имена Textual:\n" + "\n".join(bad)


def _private_uses(tree: ast.AST, textual_names: frozenset[str], ours: set[str]) -> list[ast.Attribute]:
    """Attributes read or written that only Textual defines as private names; an attribute of
    a module the source imports (os._exit, sys._getframe) is the standard library's."""
    modules = {(a.asname or a.name).split(".")[0] for node in ast.walk(tree)
               if isinstance(node, ast.Import) for a in node.names
               if a.name.split(".")[0] != "textual"}
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in textual_names and node.attr not in ours
            and not (isinstance(node.value, ast.Name) and node.value.id in modules)]


def test_no_private_attribute_of_textual_is_used():
    textual_names = textual_private_names()
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in our_sources()}
    ours: set[str] = set()
    for tree in trees.values():
        ours |= _defined_private_names(tree)
    bad = [f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}"
           for path, tree in trees.items() for node in _private_uses(tree, textual_names, ours)]
    assert not bad, "Закрытые атрибуты Textual:\n" + "\n".join(bad)


def test_the_private_attribute_check_tells_textual_from_the_standard_library():
    names = textual_private_names()
    assert "_exit" in names and "_exit_renderables" in names  # Textual defines both
    tree = ast.parse("import os\nos._exit(0)\nself.app._exit_renderables.clear()\n")
    assert [n.attr for n in _private_uses(tree, names, set())] == ["_exit_renderables"]


def _own_textual_subclasses():
    for info in pkgutil.walk_packages(tui_app.__path__, "tui_app."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and any(
                    b.__module__.split(".")[0] == "textual" for b in cls.__mro__[1:]):
                yield cls


@lru_cache(maxsize=None)
def _textual_names_of(base: type) -> frozenset[str]:
    """A Textual class's private names, read once per class (App and Widget are shared by
    most of our classes, and parsing their source each time took most of a minute)."""
    return frozenset(_names_of(base) | {n for n in vars(base) if _private(n)})


def _names_of(cls: type) -> set[str]:
    try:
        return _defined_private_names(ast.parse(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return {n for n in vars(cls) if _private(n)}


def test_our_widgets_do_not_replace_private_names_of_their_textual_base():
    bad = []
    for cls in _own_textual_subclasses():
        base_names: set[str] = set()
        for base in cls.__mro__[1:]:
            if base.__module__.split(".")[0] == "textual":
                base_names |= _textual_names_of(base)
        clash = _names_of(cls) & base_names
        if clash:
            bad.append(f"{cls.__module__}.{cls.__name__}: {', '.join(sorted(clash))}")
    assert not bad, "Имена, совпадающие с закрытыми именами Textual:\n" + "\n".join(bad)
