"""Prompt rules on real prompt shapes: splices that are not f-strings (PRL503), bounds that do
not bound the reply (PRL104), JSON asked for and parsed elsewhere (PRL403), cache markers on
message blocks (PRL503)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.helpers import findings_json, run_cli

# ~2,400 tokens of fixed instructions: far above every model's minimum cacheable prefix
POLICY = "\n".join(
    f"Clause {n}: quote the contract section you rely on and never invent a deadline."
    for n in range(160)
)


def source(body: str, client: str = "anthropic.Anthropic()") -> str:
    head = f'import string\nimport anthropic\n\nclient = {client}\nPOLICY = """{POLICY}"""\n'
    return head + textwrap.dedent(body)


# ---- 1. splices that are not f-strings put per-call text before fixed text ------------------

SPLICES = {
    "replace": 'POLICY_TEMPLATE.replace("{{CONTRACT}}", contract)',
    "replace-count": 'POLICY_TEMPLATE.replace("{{CONTRACT}}", contract, 1)',
    "percent": '"<contract>%s</contract>\\n" % contract + POLICY',
    "percent-tuple": '"<contract id=%d>%s</contract>\\n%s" % (7, contract, POLICY)',
    "join": '"".join(["<contract>", contract, "</contract>\\n", POLICY])',
    "template": 'string.Template("<contract>$contract</contract>\\n" + POLICY)'
                ".substitute(contract=contract)",
    "template-braced": 'string.Template("${contract}\\n" + POLICY).safe_substitute({"contract": '
                       "contract})",
}


@pytest.mark.parametrize("place", ["system", "user"])
@pytest.mark.parametrize("splice", sorted(SPLICES))
def test_splice_before_static_text_is_reported(codes, splice: str, place: str) -> None:
    where = ('system=PROMPT, messages=[{"role": "user", "content": "Go."}]' if place == "system"
             else 'messages=[{"role": "user", "content": PROMPT}]')
    code = source(f"""
        POLICY_TEMPLATE = "<contract>{{{{CONTRACT}}}}</contract>\\n" + POLICY


        def review(contract: str):
            PROMPT = {SPLICES[splice]}
            return client.messages.create(model="claude-sonnet-4-6", max_tokens=1024,
                                          {where})
        """)
    assert [c for _, c in codes(code)] == ["PRL503"], code


@pytest.mark.parametrize("client", ["anthropic.Anthropic()", "anthropic.AsyncAnthropic()"])
def test_replace_splice_names_the_value_and_points_at_it(lint, client: str) -> None:
    code = source("""
        TEMPLATE = POLICY + "\\n<notes>[[NOTES]]</notes>\\n<ticket>[[TICKET]]</ticket>" + POLICY


        async def answer(ticket_text: str):
            prompt = TEMPLATE.replace("[[NOTES]]", "none").replace("[[TICKET]]", ticket_text)
            return await client.messages.create(
                model="claude-sonnet-4-5", max_tokens=1024,
                messages=[{"role": "user", "content": prompt}])
        """, client)
    found = [f for f in lint(code) if f.code == "PRL503"]
    assert len(found) == 1
    assert found[0].message.startswith("`ticket_text` comes before")


@pytest.mark.parametrize("splice", [
    'POLICY_TEMPLATE.replace("{{CONTRACT}}", "the master agreement")',  # a constant
    'POLICY + "\\n" + "<contract>%s</contract>" % contract',  # per-call text last
    'string.Template(POLICY + "<c>$contract</c>").substitute(contract=contract)',
    'POLICY_TEMPLATE.replace("{{MISSING}}", contract)',  # the marker is not in the text
])
def test_splice_after_static_text_or_constant_is_silent(codes, splice: str) -> None:
    code = source(f"""
        POLICY_TEMPLATE = "<contract>{{{{CONTRACT}}}}</contract>\\n" + POLICY


        def review(contract: str):
            return client.messages.create(model="claude-sonnet-4-6", max_tokens=1024,
                                          messages=[{{"role": "user", "content": {splice}}}])
        """)
    assert "PRL503" not in {c for _, c in codes(code)}, code


def test_substitute_with_a_missing_name_is_unknown(codes) -> None:
    # substitute() raises KeyError on a missing name: nothing is known about the prompt
    code = source("""
        def review(contract: str):
            prompt = string.Template("$contract $other\\n" + POLICY).substitute(contract=contract)
            return client.messages.create(model="claude-sonnet-4-6", max_tokens=1024,
                                          messages=[{"role": "user", "content": prompt}])
        """)
    assert codes(code) == []


# ---- 2. PRL104: small caps, conditional bounds, one instruction among many -----------------

def _request(system: str, max_tokens: int, model: str = "claude-haiku-4-5") -> str:
    return (
        "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"
        "def ask(question: str):\n"
        f"    return client.messages.create(model={model!r}, max_tokens={max_tokens},\n"
        f"        system={system!r},\n"
        "        messages=[{'role': 'user', 'content': question}])\n"
    )


@pytest.mark.parametrize("max_tokens", [65, 120, 200, 256])
def test_small_absolute_cap_is_never_reported(codes, max_tokens: int) -> None:
    assert codes(_request("Reply with a single word: the colour named.", max_tokens)) == []


def test_above_the_floor_is_still_reported(codes) -> None:
    assert codes(_request("Reply with a single word: the colour named.", 300)) == [(7, "PRL104")]


def test_floor_is_an_option(codes) -> None:
    code = _request("Reply with a single word: the colour named.", 120)
    assert codes(code, max_tokens_oversized_floor=64) == [(7, "PRL104")]
    assert codes(_request("Reply with a single word.", 1024),
                 max_tokens_oversized_floor=2048) == []


def test_floor_from_pyproject(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.promptlint]\nmax-tokens-oversized-floor = 100\n")
    (tmp_path / "a.py").write_text(_request("Reply with a single word: the colour named.", 120))
    assert [i["code"] for i in findings_json("a.py", cwd=tmp_path)] == ["PRL104"]
    config.write_text("[tool.promptlint]\nmax-tokens-oversized-floor = -1\n")
    proc = run_cli("check", "a.py", cwd=tmp_path)
    assert proc.returncode == 2
    assert "max-tokens-oversized-floor" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("system", [
    "If the question is ambiguous, answer in one sentence and ask a clarifying question.",
    "Answer fully. When the user only greets you, reply with a single word.",
    "Give the full reasoning. Unless asked for detail, respond with a number.",
    "When the ticket is a duplicate, classify it as DUPLICATE, SPAM or OTHER.",
])
def test_conditional_bound_does_not_bound_the_answer(codes, system: str) -> None:
    assert codes(_request(system, 1024)) == []


def _policy(extra: str, position: int = 17) -> str:
    rules = [f"Rule {n}: cite the handbook section for claim {n} and stay courteous."
             for n in range(40)]
    rules.insert(position, extra)
    return " ".join(rules)


@pytest.mark.parametrize("extra", [
    "Titles of each cited section fit in one sentence.",
    "Keep each bullet under 20 words.",
    "Number the sources in one word labels.",
])
def test_one_instruction_among_many_does_not_bound_the_answer(codes, extra: str) -> None:
    assert codes(_request(_policy(extra), 1024)) == []


@pytest.mark.parametrize(("extra", "kind"), [
    ("Answer yes or no.", "yes/no"),
    ("Classify the request as REFUND, EXCHANGE or OTHER.", "one label of 3"),
    ("Keep your reply under 30 words.", "under 30 words"),
    ("Respond in one sentence.", "one sentence"),
])
def test_bound_on_the_whole_reply_holds_in_a_long_policy(lint, extra: str, kind: str) -> None:
    found = lint(_request(_policy(extra, 3), 2048))
    assert [f.code for f in found] == ["PRL104"]
    assert f"({kind}," in found[0].message


def test_short_prompt_with_one_sentence_bound_still_reported(codes) -> None:
    system = "You tag news headlines. Answer in one sentence."
    assert codes(_request(system, 2048)) == [(7, "PRL104")]


# ---- 3. PRL403: JSON asked for and parsed, found in more places ----------------------------

def _json_module(ask: str, consumer: str, model: str = "claude-haiku-4-5",
                 client: str = "anthropic.Anthropic()") -> str:
    return (
        "import json\nimport re\n\nimport anthropic\n\n"
        f"client = {client}\n\n\n"
        "def extract(note: str):\n"
        f"    reply = client.messages.create(model={model!r}, max_tokens=400,\n"
        f"        system={ask!r},\n"
        "        messages=[{'role': 'user', 'content': note}])\n"
        "    return reply.content[0].text\n\n\n"
        + textwrap.dedent(consumer)
    )


ASK = 'Respond only with JSON {"name": ..., "dose": ...}.'


@pytest.mark.parametrize("consumer", [
    # another function parses what the request function returns
    """
    def parse(raw: str) -> dict:
        return json.loads(raw)


    def medication(note: str) -> dict:
        return parse(extract(note))
    """,
    # the result is kept in a variable first
    """
    def medication(note: str) -> dict:
        text = extract(note)
        return json.loads(text)
    """,
    # parsed right where it is called, at module level
    """
    FIRST = json.loads(extract("two aspirin at night"))
    """,
])
def test_reply_parsed_by_another_function_is_reported(codes, consumer: str) -> None:
    assert [c for _, c in codes(_json_module(ASK, consumer))] == ["PRL403"]


def test_reply_parsed_elsewhere_async(codes) -> None:
    code = _json_module(ASK, """
    async def medication(note: str) -> dict:
        return json.loads(await extract(note))
    """, client="anthropic.AsyncAnthropic()")
    code = code.replace("    reply = client", "    reply = await client").replace(
        "def extract", "async def extract")
    assert [c for _, c in codes(code)] == ["PRL403"]


@pytest.mark.parametrize("consumer", [
    # the reply is shown, and something else is parsed elsewhere
    """
    def show(note: str) -> None:
        print(extract(note))


    def defaults() -> dict:
        return json.loads('{"name": "none"}')
    """,
    # a parser exists but the reply never reaches it
    """
    def load(raw: str) -> dict:
        return json.loads(raw)


    def medication(note: str) -> str:
        return extract(note).upper()
    """,
])
def test_reply_not_parsed_is_silent(codes, consumer: str) -> None:
    assert codes(_json_module(ASK, consumer)) == []


@pytest.mark.parametrize(("ask", "advice"), [
    ("The note below is not valid JSON. Fix it and respond with valid JSON only.", '"{"'),
    ("The input was never JSON. Return the fields as JSON only.", '"{"'),
    ("Put the JSON object inside <result></result> tags.", '"<result>"'),
    ('Respond in JSON, in this shape: <result>{"name": ...}</result>', '"<result>"'),
])
def test_json_demands_found_and_advised(lint, ask: str, advice: str) -> None:
    code = _json_module(ask, """
    def medication(note: str) -> dict:
        return json.loads(extract(note))
    """)
    found = lint(code)
    assert [f.code for f in found] == ["PRL403"]
    assert f'"content": {advice}' in found[0].message


def test_json_demand_on_a_model_without_prefill_advises_structured_outputs(lint) -> None:
    code = _json_module(ASK, """
    def medication(note: str) -> dict:
        return json.loads(extract(note))
    """, model="claude-sonnet-4-6")
    found = lint(code)
    assert [f.code for f in found] == ["PRL403"]
    assert "output_config" in found[0].message and "prefill the answer" not in found[0].message


@pytest.mark.parametrize("ask", [
    "Respond in plain prose, not JSON.",
    "Do not answer in JSON; reply with one line per field.",
    "Reply in plain text: no markdown or JSON.",
    # a reasoning step comes first: the reply does not start with the JSON
    "Think it through in <thinking> tags first, then respond with JSON only.",
])
def test_output_negation_and_thinking_step_are_silent(codes, ask: str) -> None:
    code = _json_module(ask, """
    def medication(note: str) -> dict:
        return json.loads(extract(note))
    """)
    assert "PRL403" not in {c for _, c in codes(code)}


# ---- 4. cache markers: the whole cacheable prefix, in the API's order ----------------------

def _marked(lint, body: str, client: str = "anthropic.Anthropic()") -> list[str]:
    return [f.message for f in lint(source(body, client)) if f.code == "PRL503"]


def test_marked_user_block_that_starts_with_per_call_data(lint) -> None:
    messages = _marked(lint, """
        def review(contract: str):
            return client.messages.create(
                model="claude-sonnet-4-6", max_tokens=1024,
                messages=[{"role": "user", "content": [
                    {"type": "text", "text": f"{contract}\\n\\nList the risky clauses.",
                     "cache_control": {"type": "ephemeral"}}]}])
        """)
    assert messages == ["cache_control marks a first user message block that contains "
                        "`{contract}`: the cached prefix changes with every request, so each "
                        "request pays the cache-write premium and none reads it"]


@pytest.mark.parametrize("client", ["anthropic.Anthropic()", "anthropic.AsyncAnthropic()"])
def test_marker_after_a_per_request_system_value(lint, client: str) -> None:
    messages = _marked(lint, """
        async def review(contract: str, reviewer: str):
            return await client.messages.create(
                model="claude-sonnet-4-6", max_tokens=1024,
                system=f"Reviewer: {reviewer}",
                messages=[{"role": "user", "content": [
                    {"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}},
                    {"type": "text", "text": contract}]}])
        """, client)
    assert len(messages) == 1
    assert messages[0].startswith("cache_control marks a first user message block, but "
                                  "`{reviewer}` in the system before it changes per request")


def test_tools_built_per_user_before_a_cached_system_prompt(lint) -> None:
    messages = _marked(lint, """
        def tools_for(user_id: str) -> list:
            return [{"name": f"lookup_{user_id}", "input_schema": {"type": "object"}}]


        def review(contract: str, user_id: str):
            return client.messages.create(
                model="claude-sonnet-4-6", max_tokens=1024, tools=tools_for(user_id),
                system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],
                messages=[{"role": "user", "content": contract}])
        """)
    assert len(messages) == 1
    assert "in the tools before it changes per request" in messages[0]


@pytest.mark.parametrize("body", [
    # the document in a block of its own, cached for the questions that follow
    """
    def ask(document: str, question: str):
        return client.messages.create(
            model="claude-sonnet-4-6", max_tokens=1024,
            system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": [
                {"type": "text", "text": document, "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": question}]}])
    """,
    # a marker on the newest turn of a conversation: cached per conversation
    """
    def chat(first: str, answer: str, question: str):
        return client.messages.create(
            model="claude-sonnet-4-6", max_tokens=1024,
            system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": first},
                      {"role": "assistant", "content": answer},
                      {"role": "user", "content": [{"type": "text", "text": question,
                                                    "cache_control": {"type": "ephemeral"}}]}])
    """,
    # the per-request value comes after the marked prefix
    """
    def review(contract: str):
        return client.messages.create(
            model="claude-sonnet-4-6", max_tokens=1024,
            system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}},
                    {"type": "text", "text": f"Contract: {contract}"}],
            messages=[{"role": "user", "content": "Review it."}])
    """,
    # tools handed in by the caller: not known to change per request
    """
    def review(contract: str, tools: list):
        return client.messages.create(
            model="claude-sonnet-4-6", max_tokens=1024, tools=tools,
            system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": contract}])
    """,
])
def test_cacheable_prefix_without_per_request_value_is_silent(lint, body: str) -> None:
    assert _marked(lint, body) == []


# ---- 5. values fixed for the life of the process are not per-request -----------------------

@pytest.mark.parametrize("header", [
    'STARTED = datetime.date.today().isoformat()\nHEADER = f"Deployed {STARTED}."',
    'HEADER = f"Host {platform.machine()}, since {datetime.datetime.now():%Y-%m-%d}."',
    'if platform.system() == "Linux":\n    HEADER = f"Build {uuid.uuid4()}"',
])
def test_import_time_values_are_not_per_request(codes, header: str) -> None:
    code = source("""
        import datetime
        import platform
        import uuid
        {header}


        def review(contract: str):
            return client.messages.create(
                model="claude-sonnet-4-6", max_tokens=1024,
                system=[{"type": "text", "text": HEADER + POLICY,
                          "cache_control": {"type": "ephemeral"}}],
                messages=[{"role": "user", "content": contract}])
        """).replace("{header}", header)
    assert "PRL503" not in {c for _, c in codes(code)}, code


@pytest.mark.parametrize("stamp", [
    "datetime.datetime.now().isoformat()",  # in the function: per request
    "str(uuid.uuid4())",
])
def test_per_request_clock_and_ids_are_still_reported(codes, stamp: str) -> None:
    code = source(f"""
        import datetime
        import uuid


        def review(contract: str):
            header = f"Request at {{{stamp}}}. "
            return client.messages.create(
                model="claude-sonnet-4-6", max_tokens=1024, system=header + POLICY,
                messages=[{{"role": "user", "content": contract}}])
        """)
    assert [c for _, c in codes(code)] == ["PRL503"]


def test_module_level_loop_value_is_per_request(codes) -> None:
    code = source("""
        import datetime

        for contract in ["a", "b"]:
            stamp = datetime.datetime.now()
            client.messages.create(model="claude-sonnet-4-6", max_tokens=1024,
                                   system=f"Now {stamp}. " + POLICY,
                                   messages=[{"role": "user", "content": contract}])
        """)
    assert "PRL503" in [c for _, c in codes(code)]


# ---- 5b. PRL505: a set's hash order written into the cached prefix -------------------------

def _cached_system(expr: str, prelude: str = "", client: str = "anthropic.Anthropic()",
                   marker: bool = True) -> str:
    cache = ', "cache_control": {"type": "ephemeral"}' if marker else ""
    return source(f"""
        import json

        PRELUDE


        async def answer(question: str):
            text = {expr}
            return await client.messages.create(
                model="claude-sonnet-4-6", max_tokens=1024,
                system=[{{"type": "text", "text": text + POLICY{cache}}}],
                messages=[{{"role": "user", "content": question}}])
        """, client).replace("PRELUDE", prelude)


@pytest.mark.parametrize(("prelude", "expr"), [
    ('NAMES = {"alpha", "beta", "gamma"}', '", ".join(NAMES)'),
    ('NAMES = frozenset(["alpha", "beta"])', '"\\n".join(f"- {n}" for n in NAMES)'),
    ('BASE = ["alpha", "beta"]\nNAMES = set(BASE) - {"beta"}', "json.dumps(list(NAMES))"),
    ("", 'str({"alpha", "beta"})'),
    ('NAMES = {str(n) for n in range(5)}\nJOINED = " ".join(NAMES)', "JOINED"),
])
@pytest.mark.parametrize("client", ["anthropic.Anthropic()", "anthropic.AsyncAnthropic()"])
def test_set_of_strings_in_the_cached_prefix(lint, prelude: str, expr: str, client: str) -> None:
    found = [f for f in lint(_cached_system(expr, prelude, client)) if f.code == "PRL505"]
    assert len(found) == 1, expr
    assert "in hash order, which differs from process to process" in found[0].message


@pytest.mark.parametrize(("prelude", "expr", "marker"), [
    ('NAMES = {"alpha", "beta"}', '", ".join(sorted(NAMES))', True),
    ("NUMBERS = {3, 1, 2}", "json.dumps(list(NUMBERS))", True),  # int hashes are not random
    ('NAMES = ["alpha", "beta"]', '", ".join(NAMES)', True),  # a list keeps its order
    ("", '", ".join(set(question.split()))', True),  # items not known to be strings
    ('NAMES = {"alpha", "beta"}', '", ".join(NAMES)', False),  # nothing is cached
])
def test_ordered_or_uncached_is_silent(codes, prelude: str, expr: str, marker: bool) -> None:
    assert "PRL505" not in {c for _, c in codes(_cached_system(expr, prelude, marker=marker))}


def test_counter_in_the_prefix_is_per_request(codes) -> None:
    code = source("""
        import itertools

        COUNTER = itertools.count()


        def answer(question: str):
            return client.messages.create(
                model="claude-sonnet-4-6", max_tokens=1024,
                system=f"Request number {next(COUNTER)}.\\n" + POLICY,
                messages=[{"role": "user", "content": question}])
        """)
    assert [c for _, c in codes(code)] == ["PRL503"]


# ---- notebooks ----------------------------------------------------------------------------

def _notebook(tmp_path: Path, *cells: str) -> Path:
    import json

    path = tmp_path / "explore.ipynb"
    path.write_text(json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                   "source": textwrap.dedent(cell).lstrip("\n")} for cell in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }))
    return path


def test_notebook_replace_splice_and_cell_clock(tmp_path: Path) -> None:
    (tmp_path / "policy.txt").write_text(POLICY)
    _notebook(
        tmp_path,
        """
        import datetime
        import anthropic
        client = anthropic.Anthropic()
        TEMPLATE = "<doc>[[DOC]]</doc>\\n" + open("policy.txt").read()
        """,
        """
        for doc in contracts:
            prompt = TEMPLATE.replace("[[DOC]]", doc)
            client.messages.create(model="claude-sonnet-4-6", max_tokens=1024,
                                   messages=[{"role": "user", "content": prompt}])
        """,
        """
        now = datetime.datetime.now()  # a cell runs again for each request
        client.messages.create(model="claude-sonnet-4-6", max_tokens=1024,
                               system=f"It is {now}.\\n" + open("policy.txt").read(),
                               messages=[{"role": "user", "content": "Summarise."}])
        """,
    )
    found = sorted((i["cell"], i["code"]) for i in findings_json("explore.ipynb", cwd=tmp_path)
                   if i["code"] == "PRL503")
    assert found == [(2, "PRL503"), (3, "PRL503")]


# ---- wrappers that build the request's arguments in a local dict ---------------------------

@pytest.mark.parametrize("client", ["anthropic.Anthropic()", "anthropic.AsyncAnthropic()"])
def test_wrapper_building_a_kwargs_dict_is_followed_to_its_callers(tmp_path: Path,
                                                                   client: str) -> None:
    awaited = "await " if "Async" in client else ""
    asynchronous = "async " if "Async" in client else ""
    (tmp_path / "llm.py").write_text(textwrap.dedent(f"""\
        import anthropic

        client = {client}


        {asynchronous}def complete(text: str, limit: int = 3000) -> str:
            turn = {{"role": "user", "content": text}}
            options = dict(model="claude-haiku-4-5", max_tokens=limit, messages=[turn])
            reply = {awaited}client.messages.create(**options)
            return reply.content[0].text
        """))
    (tmp_path / "checks.py").write_text(textwrap.dedent(f"""\
        import json

        from llm import complete


        {asynchronous}def is_spam(message: str) -> dict:
            return json.loads({awaited}complete('Answer yes or no, as JSON {{"spam": true}}. '
                                               + message))
        """))
    found = sorted((i["path"], i["code"]) for i in findings_json(".", cwd=tmp_path))
    assert found == [("checks.py", "PRL104"), ("checks.py", "PRL403")]
