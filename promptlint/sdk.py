"""Anthropic-SDK-specific shapes: client classes, request methods and the parameters each accepts.

The facts live in ``facts/sdk.json``, generated from the installed ``anthropic`` package by
``python -m promptlint.sdk``. ``python -m promptlint.sdk --check`` reports how the installed SDK
differs from the file (and exits 1 when it does): a maintenance step run after an SDK release,
not a test, so that a new release on the index never breaks the test suite of a fresh checkout.

Its ``history`` part holds, for a list of sampled SDK releases, which request methods, keyword
parameters, ``client.beta`` namespaces and client-side checks each release has, and ``releases``
lists every published release; ``python -m promptlint.sdk --history [WHEEL_DIR]`` regenerates
them from the releases' wheels (downloaded with ``pip download --no-deps``, parsed as text, never
imported) and the package index. Without ``--history`` they are kept as they are.
Importing this module never imports ``anthropic``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from promptlint import facts

DATA_FILE = facts.SDK_FILE
REQUEST_METHODS: tuple[str, ...] = tuple(facts.api("request_methods"))
RESPONSE_WRAPPERS: tuple[str, ...] = tuple(facts.api("response_wrappers"))
SAMPLING_PARAMS: tuple[str, ...] = tuple(facts.api("sampling_params"))
# The SDK's non-streaming guard (``_base_client._calculate_nonstreaming_timeout``):
# expected_time = 3600 * max_tokens / 128_000 seconds must not exceed 600 seconds.
NONSTREAMING_SECONDS_LIMIT: int = facts.api("nonstreaming_seconds_limit")
NONSTREAMING_TOKENS_PER_HOUR: int = facts.api("nonstreaming_tokens_per_hour")


sdk_data = facts.sdk  # read once per process


def client_classes() -> frozenset[str]:
    return frozenset(sdk_data()["client_classes"])


def accepted_params(method: str, beta: bool) -> frozenset[str]:
    key = ("beta." if beta else "") + "messages." + method
    return frozenset(sdk_data()["methods"][key])


def nonstreaming_token_limits() -> dict[str, int]:
    return dict(sdk_data()["nonstreaming_tokens"])


def max_nonstreaming_tokens(model: str | None) -> int:
    """Largest max_tokens the SDK lets through without streaming (its own formula)."""
    limit = NONSTREAMING_SECONDS_LIMIT * NONSTREAMING_TOKENS_PER_HOUR // 3600
    if model is not None and model in nonstreaming_token_limits():
        limit = min(limit, nonstreaming_token_limits()[model])
    return limit


# ---- versions ---------------------------------------------------------------------------------
_VERSION = re.compile(
    r"^\s*v?(?P<release>\d+(?:\.\d+)*)(?:[-_.]?(?P<pre>a|b|rc|alpha|beta|c)[-_.]?(?P<pre_n>\d*))?"
    r"(?:[-_.]?post[-_.]?(?P<post>\d*))?(?:[-_.]?dev[-_.]?(?P<dev>\d*))?\s*$",
    re.IGNORECASE,
)
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2}

VersionKey = tuple[tuple[int, ...], int, int, int]


@lru_cache(maxsize=4096)
def version_key(text: str) -> VersionKey | None:
    """A sortable key for a PEP 440 version (release, pre-release, post, dev), or None."""
    match = _VERSION.match(text)
    if match is None:
        return None
    release = tuple(int(part) for part in match["release"].split("."))
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    if match["dev"] is not None and match["pre"] is None and match["post"] is None:
        return release, -1, int(match["dev"] or 0), 0
    rank = _PRE_RANK[match["pre"].lower()] if match["pre"] else 3
    pre_n = int(match["pre_n"] or 0) if match["pre"] else 0
    return release, rank, pre_n, int(match["post"] or 0) if match["post"] is not None else 0


def newest_version() -> str:
    """The newest SDK release promptlint has data for (that of ``facts/sdk.json``)."""
    return str(sdk_data()["sdk_version"])


def history() -> dict[str, Any]:
    return sdk_data().get("history", {})  # type: ignore[no-any-return]


def sampled_versions() -> list[str]:
    return list(history().get("versions", []))


def runs(ranges: str) -> list[tuple[str, str]]:
    """The ``"first..last, first..last"`` runs of sampled releases, as pairs."""
    out = []
    for part in ranges.split(","):
        if ".." in part:
            first, _, last = part.strip().partition("..")
            out.append((first, last))
    return out


def present_in(ranges: str, version: str) -> bool | None:
    """Whether something present in the sampled releases ``ranges`` (``"first..last"`` runs)
    is there in ``version``: True or False when the sampled releases on both sides of it agree,
    None when they differ or ``version`` is older than every sample. A version newer than the
    newest sample is judged as the newest."""
    samples = sampled_versions()
    key = version_key(version)
    if key is None or not samples:
        return None
    keys = [version_key(v) for v in samples]
    if key < keys[0]:  # type: ignore[operator]
        return None

    def there(index: int) -> bool:
        sample = keys[index]
        return any(version_key(a) <= sample <= version_key(b)  # type: ignore[operator]
                   for a, b in runs(ranges))

    below = max(i for i, k in enumerate(keys) if k <= key)  # type: ignore[operator]
    above = next((i for i, k in enumerate(keys) if k >= key), below)  # type: ignore[operator]
    first, second = there(below), there(above)
    return first if first == second else None


def method_key(method: str, beta: bool) -> str:
    return ("beta." if beta else "") + "messages." + method


def _ranges_of(section: str, name: str) -> str | None:
    found = history().get(section, {}).get(name)
    return found if isinstance(found, str) else None


def _method_entry(method: str, beta: bool) -> dict[str, Any] | None:
    return history().get("methods", {}).get(method_key(method, beta))  # type: ignore[no-any-return]


def _first(ranges: str | None) -> str | None:
    """The oldest sampled release in ``ranges``."""
    return min((a for a, _ in runs(ranges)), key=version_key) if ranges else None


def _removed_after(ranges: str | None) -> str | None:
    """The first sampled release without it after the last one with it."""
    if not ranges:
        return None
    last = version_key(max((b for _, b in runs(ranges)), key=version_key))
    later = [v for v in sampled_versions() if version_key(v) > last]  # type: ignore[operator]
    return later[0] if later else None


def method_in(method: str, beta: bool, version: str) -> bool | None:
    """Whether SDK ``version`` has the request method (None: unknown)."""
    entry = _method_entry(method, beta)
    return False if entry is None else present_in(entry["present"], version)


def param_in(method: str, beta: bool, name: str, version: str) -> bool | None:
    """Whether ``method`` takes the keyword ``name`` in SDK ``version``: True, False (it
    raises TypeError there), or None when that cannot be proven (the method is unknown there,
    takes ``**kwargs``, or the sampled releases around ``version`` disagree)."""
    entry = _method_entry(method, beta)
    if entry is None or present_in(entry["present"], version) is not True:
        return None
    if entry.get("open") and present_in(entry["open"], version) is not False:
        return None
    ranges = entry["params"].get(name)
    return False if ranges is None else present_in(ranges, version)


def known_params(method: str, beta: bool) -> list[str]:
    """Every keyword ``method`` took in any sampled release (for suggestions)."""
    entry = _method_entry(method, beta)
    return sorted(entry["params"]) if entry else []


def param_removed_in(method: str, beta: bool, name: str) -> str | None:
    """The first sampled release without keyword ``name`` after it last had it."""
    entry = _method_entry(method, beta)
    return _removed_after(entry["params"].get(name) if entry else None)


def first_release_with(method: str, beta: bool, param: str) -> str | None:
    entry = _method_entry(method, beta)
    return _first(entry["params"].get(param) if entry else None)


@lru_cache(maxsize=1)
def beta_namespaces() -> frozenset[str]:
    """``client.beta.<name>`` namespaces of any sampled release, other than ``messages``."""
    return frozenset(history().get("beta_namespaces", {})) - {"messages"}


def beta_namespace_in(name: str, version: str) -> bool | None:
    ranges = _ranges_of("beta_namespaces", name)
    return None if ranges is None else present_in(ranges, version)


def namespace_removed_in(name: str) -> str | None:
    """The first sampled release without ``client.beta.<name>`` after it last existed."""
    return _removed_after(_ranges_of("beta_namespaces", name))


def feature_in(name: str, version: str) -> bool | None:
    """Whether SDK ``version`` makes the client-side check ``name`` (FEATURE_MARKERS)."""
    ranges = _ranges_of("features", name)
    return None if ranges is None else present_in(ranges, version)


def feature_since(name: str) -> str | None:
    return _first(_ranges_of("features", name))


def api_version_in(version: str) -> str | None:
    """The ``anthropic-version`` header SDK ``version`` sends by default, when proven."""
    for api, ranges in history().get("api_versions", {}).items():
        if present_in(ranges, version):
            return str(api)
    return None


def api_version_since(api: str) -> str | None:
    """The first sampled release that sends ``anthropic-version: api`` by default."""
    return _first(_ranges_of("api_versions", api))


def short_version(version: str) -> str:
    """``1.0.0`` -> ``1.0``, ``0.41.0`` -> ``0.41``; others unchanged."""
    return version[:-2] if version.endswith(".0") and version.count(".") == 2 else version


# ---- generation (maintenance: imports anthropic, downloads wheels) ---------------------------
def _api_version(constants: Any, package: Path) -> str | None:
    """The ``anthropic-version`` header the installed SDK sends: a constant from 2.0 on, a
    literal header in ``_client.py`` before (read as text)."""
    version = getattr(constants, "ANTHROPIC_API_VERSION", None)
    if version is None:
        try:
            text = (package / "_client.py").read_text("utf-8")
        except OSError:
            return None
        found = re.search(r'"anthropic-version": "(\d{4}-\d{2}-\d{2})"', text)
        version = found.group(1) if found else None
    return version


def generate(history: bool = False, wheels: Path | None = None) -> dict[str, Any]:
    """Read the installed SDK and return the data this module needs (imports ``anthropic``).
    ``history``: also read the sampled releases' wheels (downloading those not already in
    ``wheels``) and the list of releases; else the recorded ones are kept."""
    import inspect
    import typing

    import anthropic
    from anthropic import _constants
    from anthropic.resources.beta.messages import Messages as BetaMessages
    from anthropic.resources.messages import Messages
    from anthropic.types import model_param

    classes = sorted(
        name
        for name in dir(anthropic)
        if inspect.isclass(getattr(anthropic, name))
        and "Anthropic" in name
        and not issubclass(getattr(anthropic, name), BaseException)
    )
    # other names of the same classes: ``anthropic.Client`` is ``anthropic.Anthropic``
    classes = sorted({*classes, *(
        name for name in dir(anthropic)
        if inspect.isclass(getattr(anthropic, name))
        and any(getattr(anthropic, name) is getattr(anthropic, c) for c in classes)
    )})
    methods: dict[str, list[str]] = {}
    for prefix, cls in (("messages.", Messages), ("beta.messages.", BetaMessages)):
        for name in REQUEST_METHODS:
            params = inspect.signature(getattr(cls, name)).parameters
            methods[prefix + name] = sorted(p for p in params if p != "self")
    model_ids: list[str] = []
    for arg in typing.get_args(model_param.ModelParam):
        model_ids.extend(a for a in typing.get_args(arg) if isinstance(a, str))
    return {
        "sdk_version": anthropic.__version__,
        "api_version": _api_version(_constants, Path(anthropic.__file__).parent),
        "client_classes": classes,
        "methods": methods,
        "model_ids": sorted(model_ids),
        "nonstreaming_tokens": dict(sorted(_constants.MODEL_NONSTREAMING_TOKENS.items())),
        **({"releases": " ".join(list_releases()),
            "history": generate_history(list(HISTORY_VERSIONS), Path(anthropic.__file__).parent,
                                        wheels)} if history else
           {key: sdk_data()[key] for key in ("releases", "history") if key in sdk_data()}),
    }


def _package_files(location: Path) -> dict[str, str]:
    """The source files of an ``anthropic`` package (a wheel or an installed folder) that the
    history needs, by path relative to the package's parent."""
    wanted = re.compile(r"^anthropic/(_constants|_client|_base_client"
                        r"|resources/messages(/messages)?"
                        r"|resources/beta/(beta|messages/messages))\.py$")
    out: dict[str, str] = {}
    if location.is_file():
        import zipfile

        with zipfile.ZipFile(location) as wheel:
            for name in wheel.namelist():
                if wanted.match(name):
                    out[name] = wheel.read(name).decode("utf-8")
        return out
    for path in location.rglob("*.py"):
        name = path.relative_to(location.parent).as_posix()
        if wanted.match(name):
            out[name] = path.read_text("utf-8")
    return out


def read_release(files: dict[str, str]) -> dict[str, Any]:
    """Methods (keyword parameters, ``**kwargs``), beta namespaces and API version of one
    release, from its source text (parsed with ``ast``, never imported)."""
    import ast

    def class_methods(source: str | None, class_name: str) -> dict[str, list[ast.FunctionDef]]:
        found: dict[str, list[ast.FunctionDef]] = {}
        if source is None:
            return found
        for node in ast.parse(source).body:
            if isinstance(node, ast.ClassDef) and node.name == class_name:
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        found.setdefault(item.name, []).append(item)
        return found

    methods: dict[str, dict[str, Any]] = {}
    sources = {
        "messages.": files.get("anthropic/resources/messages/messages.py")
        or files.get("anthropic/resources/messages.py"),
        "beta.messages.": files.get("anthropic/resources/beta/messages/messages.py"),
    }
    for prefix, source in sources.items():
        defs = class_methods(source, "Messages")
        for name in REQUEST_METHODS:
            if name not in defs:
                continue
            params: set[str] = set()
            takes_kwargs = False
            for fn in defs[name]:  # the overloads and the implementation
                args = fn.args
                params.update(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
                takes_kwargs = takes_kwargs or args.kwarg is not None
            params.discard("self")
            methods[prefix + name] = {"params": sorted(params), "open": takes_kwargs}
    namespaces = sorted(
        name for name, fns in class_methods(files.get("anthropic/resources/beta/beta.py"),
                                            "Beta").items()
        if not name.startswith(("with_", "_"))
        and any(isinstance(d, ast.Name) and d.id == "cached_property"
                for fn in fns for d in fn.decorator_list)
    )
    api = None
    for name in ("anthropic/_constants.py", "anthropic/_client.py"):
        found = re.search(r'(?:ANTHROPIC_API_VERSION\s*=\s*|"anthropic-version":\s*)'
                          r'"(\d{4}-\d\d-\d\d)"', files.get(name, ""))
        if found:
            api = found.group(1)
            break
    features = sorted(name for name, marker in FEATURE_MARKERS.items()
                      if any(marker in text for text in files.values()))
    return {"methods": methods, "beta_namespaces": namespaces, "api_version": api,
            "features": features}


# client-side checks some releases make, found by a name in their sources
FEATURE_MARKERS = {
    # the non-streaming guard ("Streaming is required for operations that may take longer
    # than 10 minutes"), in _base_client.py
    "nonstreaming_guard": "def _calculate_nonstreaming_timeout",
}


def _ranges(versions: list[str], present: list[bool]) -> str:
    """The runs of sampled versions where something is present: "first..last[, first..last]"."""
    out: list[list[str]] = []
    start: str | None = None
    for index, (version, there) in enumerate(zip(versions, present, strict=True)):
        if there and start is None:
            start = version
        if start is not None and (not there or index == len(versions) - 1):
            out.append([start, version if there else versions[index - 1]])
            start = None
    return ", ".join(f"{a}..{b}" for a, b in out)


def build_history(releases: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The compact history: per method and parameter, the runs of sampled releases that have it."""
    versions = sorted(releases, key=version_key)  # type: ignore[arg-type, return-value]
    keys = sorted({m for r in releases.values() for m in r["methods"]})
    methods: dict[str, Any] = {}
    for key in keys:
        have = [key in releases[v]["methods"] for v in versions]
        names = sorted({p for v in versions for p in
                        releases[v]["methods"].get(key, {}).get("params", [])})
        methods[key] = {
            "present": _ranges(versions, have),
            "open": _ranges(versions, [releases[v]["methods"].get(key, {}).get("open", False)
                                       for v in versions]),
            "params": {name: _ranges(versions, [
                name in releases[v]["methods"].get(key, {}).get("params", [])
                for v in versions]) for name in names},
        }
    namespaces = sorted({n for r in releases.values() for n in r["beta_namespaces"]})
    apis = sorted({r["api_version"] for r in releases.values() if r["api_version"]})
    return {
        "versions": versions,
        "methods": methods,
        "beta_namespaces": {n: _ranges(versions, [n in releases[v]["beta_namespaces"]
                                                  for v in versions]) for n in namespaces},
        "api_versions": {a: _ranges(versions, [releases[v]["api_version"] == a
                                               for v in versions]) for a in apis},
        "features": {f: _ranges(versions, [f in releases[v].get("features", [])
                                           for v in versions]) for f in sorted(FEATURE_MARKERS)},
    }


def list_releases() -> list[str]:
    """Every release of ``anthropic`` on the package index, oldest first (``pip index``)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "anthropic"],
                         check=True, capture_output=True, text=True).stdout
    found = re.search(r"Available versions:\s*(.+)", out)
    listed = [v.strip() for v in found.group(1).split(",")] if found else []
    return sorted((v for v in listed if version_key(v) is not None), key=version_key)  # type: ignore[arg-type, return-value]


def download_release(version: str, directory: Path) -> Path:
    """The wheel of ``anthropic==version`` in ``directory`` (pip download, no dependencies)."""
    import subprocess
    import sys

    found = next(directory.glob(f"anthropic-{version}-*.whl"), None)
    if found is not None:
        return found
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                    "--only-binary=:all:", "-d", str(directory), f"anthropic=={version}"],
                   check=True)
    return next(directory.glob(f"anthropic-{version}-*.whl"))


def generate_history(versions: list[str], installed: Path | None = None,
                     wheels: Path | None = None) -> dict[str, Any]:
    """The history of the sampled ``versions`` (wheels kept in ``wheels``, else a temporary
    folder) and of the installed package folder."""
    import tempfile

    releases: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = wheels or Path(tmp)
        for version in versions:
            releases[version] = read_release(_package_files(download_release(version, folder)))
    if installed is not None:
        import anthropic

        releases[anthropic.__version__] = read_release(_package_files(installed))
    return build_history(releases)


# Releases sampled for the history: each side of a change the rules report
# (client.beta.tools: 0.26.1 -> 0.27.0; client.beta.prompt_caching: 0.40.0 -> 0.41.0; the
# non-streaming guard: 0.45.0 -> 0.50.0; temperature/top_p/top_k: 0.125.0 -> 1.0.0; API version
# 2026-10-21: 1.17.0 -> 2.0.0) and a few between, so that a parameter's first release is known
# to within a few releases. A release between two samples that disagree is judged unknown.
HISTORY_VERSIONS = (
    "0.25.0", "0.26.0", "0.26.1", "0.27.0", "0.30.0", "0.35.0", "0.40.0", "0.41.0", "0.42.0",
    "0.45.0", "0.50.0", "0.75.0", "0.100.0", "0.125.0", "1.0.0", "1.17.0", "2.0.0", "2.12.0",
)


def drift(recorded: dict[str, Any], installed: dict[str, Any]) -> list[str]:
    """What the installed SDK's facts (``installed``) change in the recorded ones, a line each."""
    lines: list[str] = []
    for key in ("sdk_version", "api_version"):
        if recorded.get(key) != installed.get(key):
            lines.append(f"{key}: {recorded.get(key)} -> {installed.get(key)}")
    for key in ("client_classes", "model_ids"):
        old, new = set(recorded.get(key, ())), set(installed.get(key, ()))
        lines += [f"{key}: + {name}" for name in sorted(new - old)]
        lines += [f"{key}: - {name}" for name in sorted(old - new)]
    old_methods, new_methods = recorded.get("methods", {}), installed.get("methods", {})
    for method in sorted(set(old_methods) | set(new_methods)):
        old, new = set(old_methods.get(method, ())), set(new_methods.get(method, ()))
        lines += [f"{method}: + {name}" for name in sorted(new - old)]
        lines += [f"{method}: - {name}" for name in sorted(old - new)]
    old_limits, new_limits = recorded.get("nonstreaming_tokens", {}), installed.get(
        "nonstreaming_tokens", {})
    for model in sorted(set(old_limits) | set(new_limits)):
        if old_limits.get(model) != new_limits.get(model):
            lines.append(f"nonstreaming_tokens[{model}]: {old_limits.get(model)} -> "
                         f"{new_limits.get(model)}")
    return lines


def main(argv: list[str]) -> int:  # pragma: no cover - maintenance entry point
    """``--check``: report drift; ``--history [WHEEL_DIR]``: regenerate everything (the folder
    keeps downloaded wheels between runs); no argument: regenerate the installed SDK's facts."""
    if argv == ["--check"]:
        installed = generate()
        changes = drift(sdk_data(), installed)
        sampled = sdk_data().get("history", {}).get("versions", [])
        if sampled and installed["sdk_version"] not in sampled:
            changes.append(f"history: newest sampled release {sampled[-1]}, installed "
                           f"{installed['sdk_version']} (regenerate with --history)")
        for line in changes:
            print(line)
        print(f"{DATA_FILE} was generated from anthropic {sdk_data()['sdk_version']}; installed: "
              f"{installed['sdk_version']}: " + (f"{len(changes)} differences (regenerate with "
                                                 "`python -m promptlint.sdk`)" if changes
                                                 else "no differences"))
        return 1 if changes else 0
    with_history = argv[:1] == ["--history"]
    keep = Path(argv[1]) if with_history and len(argv) > 1 else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    data = generate(history=with_history, wheels=keep)
    out = facts.path(DATA_FILE)
    out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    import sys

    sys.exit(main(sys.argv[1:]))
