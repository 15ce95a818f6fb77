"""The analysis of one module: scopes -> Resolver -> RequestFinder -> wrappers, assembled here.

The linted file, the wrapper pass of a run and the project modules a file imports are all
analysed through these functions, so the pipeline is built in one place. The module loader
(``external.Project``) stays below it: it parses and caches modules, this module makes sense
of them.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from promptlint.prefilter import may_contain_request
from promptlint.resolve.external import Project
from promptlint.resolve.request_scopes import RequestScopes, request_scopes
from promptlint.resolve.requests import Request, RequestFinder
from promptlint.resolve.values import Resolver
from promptlint.resolve.wrappers import Wrapper, WrapperCalls, detect, forced_names

if TYPE_CHECKING:
    from promptlint.config import Config


def find_requests(module: cst.Module, path: Path | None = None,
                  project: Project | None = None,
                  scopes: RequestScopes | None = None) -> list[Request]:
    """Requests written in this module (wrapper calls not included)."""
    scopes = scopes or request_scopes(module)
    return RequestFinder(module, scopes, Resolver(path, project)).find()


def find_all_requests(module: cst.Module, path: Path, project: Project, config: Config,
                      scopes: RequestScopes | None = None
                      ) -> tuple[list[Request], list[str], dict[int, int]]:
    """Requests written here plus those made through wrapper functions called here, the
    names of the wrappers this module defines, and the statement index of every node."""
    scopes = scopes or request_scopes(module)
    resolver = Resolver(path, project)
    requests = RequestFinder(module, scopes, resolver).find()
    local = detect(module, scopes, requests, path,
                   forced_names(config.wrappers, path, project))
    param_maps = {name: dict(pairs) for name, pairs in config.wrapper_params}
    through_wrappers = WrapperCalls(module, scopes, resolver, project, local, param_maps,
                                    partial(wrappers_of, project)).requests()
    return requests + through_wrappers, sorted(local), scopes.statement_of


def wrappers_of(project: Project, path: Path) -> dict[str, Wrapper]:
    """The wrapper functions defined in another module of the project (cached for the run)."""
    path = path.resolve()
    project.touched.add(path)
    if path in project.wrappers:
        return project.wrappers[path]
    project.wrappers[path] = {}
    if project.in_sdk(path):
        return {}  # the SDK's own methods are its surface, not the project's wrappers
    try:
        if not may_contain_request(path.read_bytes(), path.suffix == ".ipynb"):
            return {}  # a module that makes no request defines no wrapper: not parsed
    except OSError:
        return {}
    loaded = project.load(path)
    if loaded is None:
        return {}
    try:
        requests = find_requests(loaded.module, path, project, loaded.scopes)
        found = detect(loaded.module, loaded.scopes, requests, path,
                       forced_names(project.wrapper_config, path, project))
    except RecursionError:
        found = {}
    project.wrappers[path] = found
    return found
