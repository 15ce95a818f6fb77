"""Requests made through the project's own wrapper functions, and the output-shape rules."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.helpers import findings_json, run_cli

LLM = textwrap.dedent('''\
    import json

    import anthropic

    client = anthropic.Anthropic()
    MODEL = "claude-sonnet-5-5"
    SYSTEM = "You are the assistant of Acme's support team."


    def ask(prompt, system=SYSTEM, max_tokens=1024, model=MODEL):
        response = client.messages.create(
            model=model,
            system=system,
            max_tokens=max_tokens,
            messages=[{"role": "user", "content": prompt}],
        )
        return response.content[0].text


    def extract(prompt, model="claude-haiku-4-5"):
        response = client.messages.create(
            model=model,
            max_tokens=1024,
            system="Extract the order details. Respond with JSON only.",
            messages=[{"role": "user", "content": prompt}],
        )
        return json.loads(response.content[0].text)


    class Assistant:
        def __init__(self):
            self.client = anthropic.Anthropic()

        def complete(self, prompt, **options):
            return self.client.messages.create(
                model="claude-3-opus-20240229",
                max_tokens=512,
                messages=[{"role": "user", "content": prompt}],
                **options,
            )

        def triage(self, ticket):
            return self.complete(f"Is this ticket urgent? Answer yes or no.\\n{ticket}",
                                 temperature=0)
    ''')

VIEWS = textwrap.dedent('''\
    from app import llm
    from app.llm import ask, extract


    def classify(ticket):
        return ask(f"Classify this ticket as billing, technical or general:\\n{ticket}",
                   max_tokens=4096, model="claude-haiku-4-5")


    def essay(topic):
        return ask(f"Write an essay about {topic}", max_tokens=8000)


    def chat(history):
        return ask(history[-1], max_tokens=4096)


    def legacy(topic):
        return llm.ask(topic, model="claude-3-opus-20240229")


    def order(email):
        return extract(email)


    def order_new(email):
        return extract(email, model="claude-sonnet-5-5")


    def summarise_all(documents):
        return [ask(f"Summarise:\\n{doc}", max_tokens=2048) for doc in documents]
    ''')


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "llm.py").write_text(LLM)
    (tmp_path / "app" / "views.py").write_text(VIEWS)
    return tmp_path


def by_place(items: list[dict]) -> list[tuple[str, int, str]]:
    return [(i["path"], i["line"], i["code"]) for i in items]


def test_wrapper_calls_are_analysed_at_the_call(app: Path) -> None:
    items = findings_json("--extend-select", "PRL601", "app", cwd=app)
    assert by_place(items) == [
        ("app/llm.py", 25, "PRL403"),  # extract()'s own default Haiku 4.5: once, in extract()
        ("app/llm.py", 36, "PRL202"),  # the method's own retired model: reported once, there
        ("app/llm.py", 43, "PRL104"),  # triage(): yes/no through complete(), max_tokens=512
        ("app/llm.py", 43, "PRL301"),  # temperature passed through **options
        ("app/views.py", 7, "PRL104"),  # classify: a label, max_tokens=4096 at the call
        ("app/views.py", 19, "PRL202"),  # the caller picks a retired model
        ("app/views.py", 27, "PRL403"),  # extract() on Sonnet 5.5: no prefill advice there
        ("app/views.py", 31, "PRL601"),  # one request per document, results only collected
    ]
    messages = {(i["path"], i["line"], i["code"]): i["message"] for i in items}
    assert "prefill the answer" in messages[("app/llm.py", 25, "PRL403")]
    new_model = messages[("app/views.py", 27, "PRL403")]
    assert "claude-sonnet-5-5 rejects prefill" in new_model and "output_config" in new_model
    assert "one label of 3" in messages[("app/views.py", 7, "PRL104")]
    retired = next(i for i in items if (i["path"], i["line"]) == ("app/views.py", 19))
    assert retired["column"] == 33  # the caller's own argument


def test_fix_edits_only_the_callers_argument(app: Path) -> None:
    proc = run_cli("fix", "--unsafe-fixes", "app/views.py", cwd=app)
    assert proc.returncode == 1, proc.stdout
    views = (app / "app" / "views.py").read_text()
    assert "max_tokens=64, model=" in views  # the classifier's cap, at the call
    assert 'model="claude-opus-5-5"' in views
    assert (app / "app" / "llm.py").read_text() == LLM  # the wrapper is untouched


def test_files_that_only_call_wrappers_are_checked(app: Path) -> None:
    assert b"messages" not in VIEWS.encode()
    items = findings_json("app/views.py", "app/llm.py", cwd=app)
    assert {i["path"] for i in items} == {"app/views.py", "app/llm.py"}


def test_declared_wrapper_with_parameter_map(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent('''\
        [tool.promptlint]
        wrappers = [{function = "svc:call", params = {limit = "max_tokens"}}]
        '''))
    (tmp_path / "svc.py").write_text(textwrap.dedent('''\
        import anthropic
        from settings import clamp

        client = anthropic.Anthropic()


        def call(prompt, limit=1000):
            return client.messages.create(model="claude-haiku-4-5", max_tokens=clamp(limit),
                                          messages=[{"role": "user", "content": prompt}])


        def moderate(text):
            return call(f"Answer ALLOW or BLOCK for this message:\\n{text}", limit=3000)
        '''))
    items = findings_json("svc.py", cwd=tmp_path)
    assert by_place(items) == [("svc.py", 13, "PRL104")]
    (tmp_path / "pyproject.toml").write_text("[tool.promptlint]\n")
    assert findings_json("svc.py", cwd=tmp_path) == []  # without the map: unknown, silent


@pytest.mark.parametrize(
    "entry",
    ['wrappers = "svc:call"', 'wrappers = ["svc"]', 'wrappers = [{function = "svc:call", x = 1}]'],
)
def test_bad_wrapper_config(tmp_path: Path, entry: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.promptlint]\n{entry}\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    proc = run_cli("check", "a.py", cwd=tmp_path)
    assert proc.returncode == 2 and "wrappers" in proc.stderr


@pytest.mark.parametrize(
    ("ask", "expected"),
    [
        ("Is this review positive? Answer yes or no.", "yes/no"),
        ("Reply with a single word: the sentiment.", "one word"),
        ("Classify the email as spam, promo, personal or work.", "one label of 4"),
        ("Answer ALLOW or BLOCK.", "one label of 2"),
        ("Return only a number: the invoice total.", "a number or date"),
        ("Describe the bug in one sentence.", "one sentence"),  # explicit limits win
        ("Describe the bug.", None),
        ("Answer questions about orders. Start with yes or no, then explain.", None),
        ("Respond to the customer with empathy and care.", None),
        ("Answer questions about the date of delivery.", None),
        ("Classify the bug report as bug, feature or question.", "one label of 3"),
        ("Give the gist in under 30 words.", "under 30 words"),
        ("Reply with a JSON object with keys name, email and plan.", "a JSON object with 3 keys"),
        ("Write a short story about a robot.", None),
        ("Summarise this thread.", None),
        ("Explain step by step how to rotate the keys.", None),
    ],
)
def test_bounded_answers(codes, ask: str, expected: str | None) -> None:
    from promptlint.config import Config
    from promptlint.lint import lint_source
    from promptlint.sources import decode

    code = textwrap.dedent(f"""
    import anthropic
    client = anthropic.Anthropic()
    def run(text):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=4000,
                                      system={ask!r},
                                      messages=[{{"role": "user", "content": text}}])
    """)
    found = lint_source("x.py", decode(code.encode()), Config(select=("PRL104",))).findings
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and f"({expected}," in found[0].message


def test_models_that_think_by_default_are_not_flagged(codes) -> None:
    code = textwrap.dedent("""
    import anthropic
    client = anthropic.Anthropic()
    def run(text):
        return client.messages.create(model="claude-opus-5-5", max_tokens=4096,
                                      system="Answer yes or no.",
                                      messages=[{"role": "user", "content": text}])
    """)
    assert codes(code) == []


def test_thinking_and_forced_tools(codes) -> None:
    code = textwrap.dedent("""
    import anthropic
    client = anthropic.Anthropic()
    TOOLS = [{"name": "verdict", "description": "Record the verdict",
              "input_schema": {"type": "object", "properties": {
                  "verdict": {"type": "string", "enum": ["approve", "reject"]},
                  "confidence": {"type": "number"}}}}]
    def review(diff):
        client.messages.create(model="claude-haiku-4-5", max_tokens=4096, tools=TOOLS,
                               tool_choice={"type": "tool", "name": "verdict"},
                               messages=[{"role": "user", "content": diff}])
        client.messages.create(model="claude-haiku-4-5", max_tokens=4096,
                               thinking={"type": "enabled", "budget_tokens": 2048},
                               system="Answer yes or no.",
                               messages=[{"role": "user", "content": diff}])
    """)
    assert codes(code) == [(9, "PRL104")]


def test_max_tokens_ceiling(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.promptlint]\nmax-tokens-ceiling = 8000\n")
    (tmp_path / "a.py").write_text(textwrap.dedent("""\
        import anthropic
        client = anthropic.Anthropic()
        client.messages.stream(model="claude-sonnet-5-5", max_tokens=16000, messages=[])
        client.messages.stream(model="claude-sonnet-5-5", max_tokens=8000, messages=[])
        """))
    items = findings_json("a.py", cwd=tmp_path)
    assert [(i["line"], i["code"], i["message"]) for i in items] == [
        (3, "PRL104", "max_tokens=16000 exceeds the team ceiling of 8000 (max-tokens-ceiling)")]


def test_batch_candidate_is_opt_in_and_skips_conversations(codes) -> None:
    code = textwrap.dedent("""
    import anthropic
    client = anthropic.Anthropic()
    def label_all(docs):
        out = []
        for doc in docs:
            out.append(client.messages.create(model="claude-sonnet-5-5", max_tokens=2048,
                                              messages=[{"role": "user", "content": doc}]))
        return out
    def chat(turns):
        history = []
        for turn in turns:
            history.append({"role": "user", "content": turn})
            reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=2048,
                                           messages=history)
            history.append({"role": "assistant", "content": reply.content[0].text})
    def poll(question):
        while True:
            reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=2048,
                                           messages=[{"role": "user", "content": question}])
    """)
    assert codes(code) == [(7, "PRL601")]
