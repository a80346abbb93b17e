"""Import rules for `talentbank`, `badges` and `matching` (#14): DESIGN.md's "dependencies point one way",
checked on the source, so a wrong import fails here before anyone has to notice it in review.

Layers, lowest first. A module may import its own layer and the layers below it, never a higher one.

    rank  layer       modules (first matching row wins)              what lives there
    ----  ----------  ---------------------------------------------  ---------------------------------------
    0     engine      badges, badges.*, matching, matching.*         plain libraries: no Flask, no database
    1     foundation  talentbank.models[.*], .db, .config, .errors,  ORM classes, session, settings, domain
                      .extensions, .security, .audit, .mail,         errors, permission checks and the small
                      .notifications, .lookup, .data                 helpers every service calls
    2     service     every other talentbank module                  the feature code: verb_noun functions,
                      (accounts.services, profiles.inputs, ...)      frozen inputs, ranking, search, demo data
    3     form        *.forms (talentbank.forms and each feature's)  Flask-WTF classes that build the inputs
    4     web         *.views, *_views, *.blueprint, talentbank.web, blueprints and routes, the JSON API and
                      talentbank.api, talentbank.api.*               the request plumbing they share
    5     app         talentbank (create_app), talentbank.__main__,  the app factory and the command line:
                      talentbank.cli, *.cli                          they wire everything together

The rules, each its own test below:
  (a) engines import none of ENGINE_FORBIDDEN (Flask and its extensions, SQLAlchemy, Alembic, WTForms,
      talentbank itself);
  (b) a foundation or service module imports no form and no web module (services take frozen inputs,
      never forms; views call services, not the other way round);
  (c) no module imports a module of a higher layer than its own;
  (d) no import cycles: no two modules reach each other through imports, directly or round a longer loop.

What counts as an import: every `import` / `from ... import` anywhere in a module, including inside
functions (they run later, but the dependency is the same, and hiding one in a function is the usual way
a cycle is papered over) and `importlib.import_module("literal")`. Relative imports are resolved, and
`from pkg import name` is an import of `pkg.name` when that is a module. Importing `a.b.c` also runs
`a/__init__` and `a/b/__init__`; that implicit edge is not counted, or every module would depend on its
package and every package that imports a submodule would be a cycle.

`if TYPE_CHECKING:` imports never run, but they are still a dependency a reader has to follow, so they
count for every rule, cycles included, with one exception (ORM_MODULES): TYPE_CHECKING imports from one
ORM model module to another are left out of the cycle rule. They type the two ends of a relationship
(`User.memberships` / `Membership.user`, `Profile.user` / `User.profile`), and a relationship between
two aggregates in two modules needs each end to name the other's class: any typed arrangement is a
cycle, and breaking it means moving classes, untyped `Mapped[Any]` ends, or one-way relationships. At
run time the mapper registry already ties the model modules together (targets are resolved by class
name when the mappers configure, and talentbank.models imports them all), so the cycle costs nothing
the registry does not cost already. A run-time import between two model modules still counts.

Known violations that are being removed elsewhere are listed, one place, in PENDING. An entry that is no
longer a violation fails too, so the list cannot go stale.
"""

from __future__ import annotations

import ast
import fnmatch
import itertools
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("badges", "matching", "talentbank")

ENGINES = ("badges", "matching")
# Top-level import names an engine must not use; "flask_*" covers every Flask extension (a distribution
# named flask-foo imports as flask_foo).
ENGINE_FORBIDDEN = ("flask", "flask_*", "sqlalchemy", "alembic", "wtforms", "talentbank")

FOUNDATION = (
    "talentbank.models",
    "talentbank.models.*",
    "talentbank.db",
    "talentbank.config",
    "talentbank.errors",
    "talentbank.extensions",
    "talentbank.security",
    "talentbank.audit",
    "talentbank.mail",
    "talentbank.notifications",
    "talentbank.lookup",
    "talentbank.data",
)
FORMS = ("*.forms",)
WEB = ("*.views", "*_views", "*.blueprint", "talentbank.web", "talentbank.api", "talentbank.api.*")
APP = ("talentbank", "talentbank.__main__", "talentbank.cli", "*.cli")

# (rank, layer, patterns), in the order they are tried: the first row whose pattern matches wins, so
# `talentbank.api.*` is web before anything else is tried and `talentbank.opendata.cli` is app.
LAYERS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (0, "engine", ("badges", "badges.*", "matching", "matching.*")),
    (5, "app", APP),
    (4, "web", WEB),
    (3, "form", FORMS),
    (1, "foundation", FOUNDATION),
    (2, "service", ("talentbank.*",)),
)

# See the module docstring: TYPE_CHECKING imports between these modules are not cycle edges.
ORM_MODULES = ("talentbank.models.*",)

# Known violations being removed by work in progress elsewhere (empty since #14 split credentials and
# accounts). An edge (importer, imported) excuses every rule that edge breaks; a frozenset names a cycle
# by its members. Every entry names a module under FROZEN: this is not a place to park new violations.
FROZEN = (
    "talentbank.accounts",
    "talentbank.organisations",
    "talentbank.credentials",
    "talentbank.api.achievements",
    "talentbank.api.credentials",
    "talentbank.api.verify",
)
PENDING: set[tuple[str, str] | frozenset[str]] = set()  # empty since the #14 credentials/accounts split


@dataclass(frozen=True)
class Import:
    """One import statement's dependency of `importer` on `imported` (a module name, maybe external)."""

    importer: str
    imported: str
    path: str
    lineno: int
    line: str
    in_function: bool
    type_checking: bool

    def where(self) -> str:
        notes = [
            note for flag, note in ((self.in_function, "in a function"), (self.type_checking, "TYPE_CHECKING")) if flag
        ]
        suffix = f"  ({', '.join(notes)})" if notes else ""
        return f"{self.path}:{self.lineno}: {self.line}{suffix}"


@dataclass(frozen=True)
class Violation:
    rule: str
    key: tuple[str, str] | frozenset[str]
    message: str


def discover_modules(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Every module of the given top-level packages under `root`, by dotted name."""
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _walk(node: ast.AST, *, in_function: bool, type_checking: bool) -> Iterator[tuple[ast.AST, bool, bool]]:
    """Every import-like node in the tree with whether it sits in a function and in `if TYPE_CHECKING:`."""
    if isinstance(node, ast.Import | ast.ImportFrom | ast.Call):
        yield node, in_function, type_checking
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for statement in node.body:
            yield from _walk(statement, in_function=in_function, type_checking=True)
        for statement in node.orelse:
            yield from _walk(statement, in_function=in_function, type_checking=type_checking)
        return
    in_function = in_function or isinstance(node, _FUNCTIONS)
    for child in ast.iter_child_nodes(node):
        yield from _walk(child, in_function=in_function, type_checking=type_checking)


def _literal_import_module(call: ast.Call) -> str | None:
    """The module named by `importlib.import_module("x.y")` / `import_module("x.y")`, or None."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name != "import_module" or not call.args:
        return None
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and not first.value.startswith("."):
        return first.value
    return None


def _known(name: str, modules: dict[str, Path]) -> str:
    """`name` itself when it is a module of the tree, else its longest prefix that is (an attribute of it)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return name


def _targets(node: ast.AST, module: str, is_package: bool, modules: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [_known(alias.name, modules) for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            anchor = package[: len(package) - (node.level - 1)]
            base = ".".join([*anchor, *([base] if base else [])])
        targets = []
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            targets.append(submodule if submodule in modules else _known(base, modules))
        return targets
    if isinstance(node, ast.Call) and (named := _literal_import_module(node)):
        return [_known(named, modules)]
    return []


def imports_of(module: str, path: Path, modules: dict[str, Path], root: Path) -> list[Import]:
    """Every dependency `module` declares, with where it is declared."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source, filename=str(path))
    is_package = path.name == "__init__.py"
    found = []
    for node, in_function, type_checking in _walk(tree, in_function=False, type_checking=False):
        for imported in dict.fromkeys(_targets(node, module, is_package, modules)):
            if imported == module:
                continue
            found.append(
                Import(
                    importer=module,
                    imported=imported,
                    path=path.relative_to(root).as_posix(),
                    lineno=node.lineno,
                    line=lines[node.lineno - 1].strip(),
                    in_function=in_function,
                    type_checking=type_checking,
                )
            )
    return found


def collect(root: Path, packages: Iterable[str] = PACKAGES) -> tuple[dict[str, Path], list[Import]]:
    modules = discover_modules(root, packages)
    imports = [found for module, path in modules.items() for found in imports_of(module, path, modules, root)]
    return modules, imports


def _matches(module: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(module, pattern) for pattern in patterns)


def layer_of(module: str) -> tuple[int, str]:
    for rank, layer, patterns in LAYERS:
        if _matches(module, patterns):
            return rank, layer
    raise LookupError(f"{module} is in no layer; add it to LAYERS in tests/test_architecture.py")


def _is_internal(module: str, modules: dict[str, Path]) -> bool:
    return module in modules


def _grouped(imports: Iterable[Import]) -> dict[tuple[str, str], list[Import]]:
    edges: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for found in imports:
        edges[found.importer, found.imported].append(found)
    return edges


def _lines(imports: Iterable[Import]) -> str:
    return "".join(f"\n    {found.where()}" for found in imports)


def engine_violations(imports: Iterable[Import]) -> list[Violation]:
    """(a) badges/ and matching/ know nothing of Flask, the database or the app."""
    violations = []
    for (importer, imported), where in _grouped(imports).items():
        if importer.split(".")[0] not in ENGINES:
            continue
        top = imported.split(".")[0].replace("-", "_")
        if _matches(top, ENGINE_FORBIDDEN):
            message = (
                f"{importer} (an engine) imports {imported}; badges/ and matching/ take what they need as "
                f"arguments and know nothing of Flask, the database or talentbank:{_lines(where)}"
            )
            violations.append(Violation("engine", (importer, imported), message))
    return violations


def service_violations(imports: Iterable[Import], modules: dict[str, Path]) -> list[Violation]:
    """(b) services (and what they stand on) import no form and no view."""
    violations = []
    for (importer, imported), where in _grouped(imports).items():
        if not (importer.startswith("talentbank.") and _is_internal(imported, modules)):
            continue
        importer_layer, imported_layer = layer_of(importer)[1], layer_of(imported)[1]
        if importer_layer in {"foundation", "service"} and imported_layer in {"form", "web"}:
            message = (
                f"{importer} ({importer_layer}) imports the {imported_layer} module {imported}; services take "
                f"frozen inputs (a dataclass in the feature's inputs module), never forms, and never call "
                f"views:{_lines(where)}"
            )
            violations.append(Violation("service", (importer, imported), message))
    return violations


def layer_violations(imports: Iterable[Import], modules: dict[str, Path]) -> list[Violation]:
    """(c) no module imports a module of a higher layer."""
    violations = []
    for (importer, imported), where in _grouped(imports).items():
        if not _is_internal(imported, modules):
            continue
        (low, low_name), (high, high_name) = layer_of(importer), layer_of(imported)
        if high > low:
            message = (
                f"{importer} (layer {low} {low_name}) imports {imported} (layer {high} {high_name}); "
                f"move what it needs down a layer, or the call up:{_lines(where)}"
            )
            violations.append(Violation("layer", (importer, imported), message))
    return violations


def strongly_connected(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Tarjan's strongly connected components (iterative, so deep graphs do not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(frozenset(component))
    return components


def _shortest_loop(start: str, members: frozenset[str], graph: dict[str, set[str]]) -> list[str]:
    """The shortest path start → ... → start inside one component (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in sorted(graph[node] & members):
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if successor not in previous:
                    previous[successor] = node
                    following.append(successor)
        frontier = following
    raise AssertionError(f"{start} is in no loop of {sorted(members)}")


def cycle_violations(imports: Iterable[Import], modules: dict[str, Path]) -> list[Violation]:
    """(d) no import cycles, function-level and TYPE_CHECKING imports included."""
    internal = [
        found
        for found in imports
        if _is_internal(found.imported, modules)
        and not (
            found.type_checking and _matches(found.importer, ORM_MODULES) and _matches(found.imported, ORM_MODULES)
        )
    ]
    edges = _grouped(internal)
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for importer, imported in edges:
        graph[importer].add(imported)
    violations = []
    for members in strongly_connected(graph):
        if len(members) < 2:
            continue
        loop = _shortest_loop(min(members), members, graph)
        steps = "".join(
            f"\n  {importer} -> {imported}:{_lines(edges[importer, imported])}"
            for importer, imported in itertools.pairwise(loop)
        )
        others = sorted(
            (importer, imported)
            for importer, imported in edges
            if importer in members and imported in members and (importer, imported) not in itertools.pairwise(loop)
        )
        rest = "".join(
            f"\n  {importer} -> {imported}:{_lines(edges[importer, imported])}" for importer, imported in others
        )
        message = (
            f"import cycle between {', '.join(sorted(members))}; break one of these imports (move the "
            f"shared code down, or pass it in):{steps}"
            + (f"\n  and the other imports inside the cycle:{rest}" if rest else "")
        )
        violations.append(Violation("cycle", members, message))
    return violations


def check(root: Path, packages: Iterable[str] = PACKAGES) -> list[Violation]:
    """Every violation of every rule in the tree under `root`."""
    modules, imports = collect(root, packages)
    return [
        *engine_violations(imports),
        *service_violations(imports, modules),
        *layer_violations(imports, modules),
        *cycle_violations(imports, modules),
    ]


def _report(violations: Iterable[Violation]) -> str:
    return "\n\n".join(f"[{violation.rule}] {violation.message}" for violation in violations)


def _name(key: tuple[str, str] | frozenset[str]) -> str:
    return f"cycle {sorted(key)}" if isinstance(key, frozenset) else f"{key[0]} -> {key[1]}"


def compare(
    violations: Iterable[Violation], pending: set[tuple[str, str] | frozenset[str]]
) -> tuple[list[Violation], list[str]]:
    """The violations PENDING does not excuse, and the PENDING entries that are no longer violations."""
    violations = list(violations)
    new = [violation for violation in violations if violation.key not in pending]
    stale = sorted(_name(key) for key in pending - {violation.key for violation in violations})
    return new, stale


@pytest.fixture(scope="module")
def violations() -> list[Violation]:
    return check(ROOT)


@pytest.mark.parametrize("rule", ["engine", "service", "layer", "cycle"])
def test_no_new_violations(violations: list[Violation], rule: str) -> None:
    new, _ = compare([violation for violation in violations if violation.rule == rule], PENDING)
    if new:
        pytest.fail(f"{len(new)} {rule} rule violation(s):\n\n{_report(new)}", pytrace=False)


def test_pending_violations_still_exist(violations: list[Violation]) -> None:
    _, stale = compare(violations, PENDING)
    if stale:
        pytest.fail("fixed: no longer violations, so remove them from PENDING:\n  " + "\n  ".join(stale), pytrace=False)


def test_pending_names_only_frozen_modules() -> None:
    frozen = [*FROZEN, *(f"{package}.*" for package in FROZEN)]
    outside = [_name(key) for key in PENDING if not any(_matches(module, frozen) for module in key)]
    assert not outside, f"PENDING is for the credentials/accounts split only: {outside}"


def test_every_module_has_a_layer() -> None:
    modules = discover_modules(ROOT)
    assert {"talentbank", "talentbank.models.accounts", "badges.verify", "matching.rank"} <= modules.keys()
    for module in modules:
        layer_of(module)


# ---- the checker checked: small trees with one known fault each -----------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (path: source) under `root`, with an empty __init__.py in every package folder."""
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    for folder in {path.parent for path in root.rglob("*.py")}:
        while folder != root:
            (folder / "__init__.py").touch()
            folder = folder.parent
    return root


GOOD_TREE = {
    "badges/verify.py": """\
        import json
        from dataclasses import dataclass

        from .model import Credential
        """,
    "badges/model.py": "import uuid\n",
    "matching/rank.py": "import numpy as np\nfrom matching import model\n",
    "matching/model.py": "",
    "talentbank/__init__.py": """\
        from flask import Flask


        def create_app():
            from talentbank import cli, db
            from talentbank.profiles.views import bp

            return Flask(__name__)
        """,
    "talentbank/__main__.py": "from talentbank import create_app\n",
    "talentbank/cli.py": """\
        from talentbank import db


        def seed():
            from talentbank.profiles import services
        """,
    "talentbank/db.py": "import sqlalchemy as sa\n",
    "talentbank/errors.py": "",
    "talentbank/models/__init__.py": """\
        from talentbank.models.accounts import User
        from talentbank.models.profiles import Profile
        """,
    # Both ends of one relationship, typed: a TYPE_CHECKING cycle between model modules is allowed.
    "talentbank/models/accounts.py": """\
        from typing import TYPE_CHECKING

        from talentbank.db import Base

        if TYPE_CHECKING:
            from talentbank.models.profiles import Profile
        """,
    "talentbank/models/profiles.py": """\
        import typing

        from talentbank import db

        if typing.TYPE_CHECKING:
            from talentbank.models.accounts import User
        """,
    "talentbank/forms.py": "from flask_wtf import FlaskForm\n",
    "talentbank/profiles/inputs.py": "from dataclasses import dataclass\n",
    "talentbank/profiles/services.py": """\
        from badges.verify import verify
        from matching import rank
        from talentbank.errors import NotFound
        from talentbank.models import Profile
        from talentbank.profiles.inputs import ProfileInput
        """,
    "talentbank/profiles/forms.py": """\
        from talentbank.forms import BaseForm
        from talentbank.profiles.inputs import ProfileInput
        """,
    "talentbank/profiles/views.py": """\
        from flask import Blueprint

        from talentbank.profiles import services
        from talentbank.profiles.forms import ProfileForm
        from talentbank.web import current_actor
        """,
    "talentbank/web.py": "from flask_login import current_user\n",
    "talentbank/api/__init__.py": "from . import profiles\n",
    "talentbank/api/profiles.py": "from ..profiles import services\n",
}


def _check(tmp_path: Path, changes: dict[str, str]) -> list[Violation]:
    return check(_tree(tmp_path, {**GOOD_TREE, **changes}))


def test_a_good_tree_passes(tmp_path: Path) -> None:
    assert check(_tree(tmp_path, GOOD_TREE)) == []


@pytest.mark.parametrize(
    "line",
    [
        "from flask import current_app",
        "import flask_login",
        "from flask_babel import gettext as _",
        "import sqlalchemy.orm",
        "from alembic import op",
        "import wtforms",
        "from talentbank.models import Credential",
        "import talentbank",
    ],
)
def test_an_engine_importing_flask_the_database_or_the_app_fails(tmp_path: Path, line: str) -> None:
    found = _check(tmp_path, {"badges/baking.py": f"import json\n\n\ndef bake():\n    {line}\n"})
    engine = [violation for violation in found if violation.rule == "engine"]
    assert len(engine) == 1, found
    assert engine[0].key[0] == "badges.baking"
    assert f"badges/baking.py:5: {line}  (in a function)" in engine[0].message


def test_a_service_importing_a_form_fails(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        {"talentbank/profiles/services.py": "from talentbank.profiles.forms import ProfileInput\n"},
    )
    key = ("talentbank.profiles.services", "talentbank.profiles.forms")
    assert {(violation.rule, violation.key) for violation in found} == {("service", key), ("layer", key)}
    service = next(violation for violation in found if violation.rule == "service")
    assert "talentbank.profiles.services (service) imports the form module talentbank.profiles.forms" in (
        service.message
    )
    assert "talentbank/profiles/services.py:1: from talentbank.profiles.forms import ProfileInput" in service.message


def test_a_service_importing_a_view_fails_even_for_type_checking(tmp_path: Path) -> None:
    source = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from talentbank.profiles import views\n"
    found = _check(tmp_path, {"talentbank/profiles/search.py": source})
    assert {violation.rule for violation in found} == {"service", "layer"}
    assert all(violation.key == ("talentbank.profiles.search", "talentbank.profiles.views") for violation in found)
    assert "search.py:4: from talentbank.profiles import views  (TYPE_CHECKING)" in found[0].message


def test_a_two_module_cycle_through_a_function_level_import_fails(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        {
            "talentbank/projects/ranking.py": "from talentbank.projects import applications\n",
            "talentbank/projects/applications.py": """\
                def rank_again():
                    if True:
                        from .ranking import rank
                """,
        },
    )
    members = frozenset({"talentbank.projects.ranking", "talentbank.projects.applications"})
    assert [violation.key for violation in found] == [members]
    message = found[0].message
    assert "talentbank.projects.applications -> talentbank.projects.ranking" in message
    assert "talentbank/projects/applications.py:3: from .ranking import rank  (in a function)" in message
    assert "talentbank/projects/ranking.py:1: from talentbank.projects import applications" in message


def test_a_longer_cycle_fails_and_names_its_loop(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        {
            "talentbank/projects/a.py": "import talentbank.projects.b\n",
            "talentbank/projects/b.py": "from talentbank.projects.c import thing\n",
            "talentbank/projects/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n",
        },
    )
    assert [violation.key for violation in found] == [
        frozenset({"talentbank.projects.a", "talentbank.projects.b", "talentbank.projects.c"})
    ]
    assert "c.py:3: from . import a  (TYPE_CHECKING)" in found[0].message


def test_a_run_time_cycle_between_model_modules_fails(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        {
            "talentbank/models/profiles.py": "from talentbank.models.accounts import User\n",
            "talentbank/models/accounts.py": "def owner():\n    from talentbank.models.profiles import Profile\n",
        },
    )
    assert [violation.key for violation in found] == [
        frozenset({"talentbank.models.accounts", "talentbank.models.profiles"})
    ]


@pytest.mark.parametrize(
    ("path", "source", "key"),
    [
        ("talentbank/models/accounts.py", "from talentbank.profiles import services\n", "talentbank.profiles.services"),
        ("talentbank/db.py", "from talentbank.profiles.forms import ProfileForm\n", "talentbank.profiles.forms"),
        ("talentbank/profiles/services.py", "from talentbank import cli\n", "talentbank.cli"),
        ("talentbank/profiles/forms.py", "import talentbank.api.profiles\n", "talentbank.api.profiles"),
        ("talentbank/web.py", "from talentbank import create_app\n", "talentbank"),
    ],
)
def test_a_lower_layer_importing_a_higher_one_fails(tmp_path: Path, path: str, source: str, key: str) -> None:
    found = _check(tmp_path, {path: source})
    layer = [violation for violation in found if violation.rule == "layer"]
    assert len(layer) == 1, found
    importer = path.removesuffix(".py").replace("/", ".")
    assert layer[0].key == (importer, key)
    assert f"{path}:1: {source.strip()}" in layer[0].message


def test_pending_entries_that_are_fixed_are_reported(tmp_path: Path) -> None:
    found = _check(tmp_path, {"talentbank/profiles/services.py": "from talentbank.profiles.forms import X\n"})
    fixed = frozenset({"talentbank.a", "talentbank.b"})
    new, stale = compare(found, {("talentbank.profiles.services", "talentbank.profiles.forms"), fixed})
    assert new == []
    assert stale == ["cycle ['talentbank.a', 'talentbank.b']"]
    new, stale = compare(found, set())
    assert len(new) == 2 and stale == []
