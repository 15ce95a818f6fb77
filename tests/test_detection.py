"""Finding requests: every client class, every way of holding a client, and the traps."""

from __future__ import annotations

import textwrap

import pytest

MISSING = "PRL101"  # max-tokens-missing: the simplest visible signal that a call is a request


def src(code: str) -> str:
    return textwrap.dedent(code).lstrip("\n")


@pytest.mark.parametrize(
    "code",
    [
        # module-level client, plain import
        """
        import anthropic
        client = anthropic.Anthropic()
        client.messages.create(model="claude-sonnet-5-5", messages=[])
        """,
        # aliased class import
        """
        from anthropic import Anthropic as A
        c = A()
        c.messages.create(model="claude-sonnet-5-5", messages=[])
        """,
        # aliased module, inline client
        """
        import anthropic as ant
        ant.Anthropic().messages.create(model="claude-sonnet-5-5", messages=[])
        """,
        # async client in a coroutine
        """
        from anthropic import AsyncAnthropic
        async def main():
            client = AsyncAnthropic()
            return await client.messages.create(model="claude-sonnet-5-5", messages=[])
        """,
        # self.client assigned in __init__
        """
        import anthropic
        class Bot:
            def __init__(self):
                self.client = anthropic.Anthropic()
            def ask(self):
                return self.client.messages.create(model="claude-sonnet-5-5", messages=[])
        """,
        # class attribute
        """
        from anthropic import Anthropic
        class Bot:
            client = Anthropic()
            def ask(self):
                return self.client.messages.create(model="claude-sonnet-5-5", messages=[])
        """,
        # parameter annotated with a client class (Optional, string annotation)
        """
        from typing import Optional
        import anthropic
        def ask(client: Optional[anthropic.Anthropic]):
            return client.messages.create(model="claude-sonnet-5-5", messages=[])
        """,
        """
        from anthropic import AsyncAnthropic
        async def ask(client: "AsyncAnthropic"):
            return await client.messages.create(model="claude-sonnet-5-5", messages=[])
        """,
        # context manager
        """
        from anthropic import Anthropic
        with Anthropic() as c:
            c.messages.create(model="claude-sonnet-5-5", messages=[])
        """,
        # beta, raw response, streaming response, stream, parse
        """
        import anthropic
        client = anthropic.Anthropic()
        client.beta.messages.create(model="claude-sonnet-5-5", messages=[])
        """,
        """
        import anthropic
        client = anthropic.Anthropic()
        client.messages.with_raw_response.create(model="claude-sonnet-5-5", messages=[])
        """,
        """
        import anthropic
        client = anthropic.Anthropic()
        with client.messages.with_streaming_response.create(model="claude-sonnet-5-5",
                                                            messages=[]) as r:
            pass
        """,
        """
        import anthropic
        client = anthropic.Anthropic()
        with client.messages.stream(model="claude-sonnet-5-5", messages=[]) as s:
            pass
        """,
        """
        import anthropic
        client = anthropic.Anthropic()
        client.beta.messages.parse(model="claude-sonnet-5-5", messages=[])
        """,
        # Bedrock and Vertex clients
        """
        from anthropic import AnthropicBedrock
        client = AnthropicBedrock()
        client.messages.create(model="anthropic.claude-haiku-4-5-20251001-v1:0", messages=[])
        """,
        """
        from anthropic import AnthropicVertex
        client = AnthropicVertex(region="us-east5", project_id="p")
        client.messages.create(model="claude-haiku-4-5@20251001", messages=[])
        """,
        # untraced receiver in a module that imports anthropic, Messages-shaped arguments
        """
        import anthropic
        def ask(llm, question):
            return llm.messages.create(model="claude-sonnet-5-5", messages=[question])
        """,
        # a subclass of the client
        """
        import anthropic
        class MyClient(anthropic.Anthropic):
            pass
        MyClient().messages.create(model="claude-sonnet-5-5", messages=[])
        """,
    ],
)
def test_request_is_found(codes, code: str) -> None:
    found = codes(src(code))
    assert [c for _, c in found] == [MISSING], found


def test_every_sdk_client_class_is_recognised(codes) -> None:
    from promptlint.sdk import client_classes

    for name in sorted(client_classes()):
        code = src(f"""
        from anthropic import {name}
        client = {name}()
        client.messages.create(model="claude-sonnet-5-5", messages=[])
        """)
        assert [c for _, c in codes(code)] == [MISSING], name


@pytest.mark.parametrize(
    "code",
    [
        # OpenAI assistants threads
        """
        import anthropic
        from openai import OpenAI
        openai_client = OpenAI()
        openai_client.beta.threads.messages.create(thread_id="t", role="user", content="hi")
        """,
        # Twilio SMS in a module that never imports anthropic
        """
        from twilio.rest import Client
        client = Client(sid, token)
        client.messages.create(body="hello", to="+1555", from_="+1666")
        """,
        # Twilio traced to its own class even where anthropic is imported
        """
        import anthropic
        from twilio.rest import Client
        sms = Client(sid, token)
        sms.messages.create(body="hello", to="+1555", from_="+1666", model="x")
        """,
        # untraced receiver without Messages-shaped arguments
        """
        import anthropic
        def notify(client):
            client.messages.create(body="hello", to="+1555")
        """,
        # untraced receiver, Messages-shaped, but the module never imports anthropic
        """
        def ask(llm):
            return llm.messages.create(model="claude-sonnet-5-5", messages=[])
        """,
        # call text inside strings and comments
        '''
        import anthropic
        DOC = "client.messages.create(model='claude-3-opus-20240229', messages=[])"
        # client.messages.create(model="claude-3-opus-20240229", messages=[])
        ''',
        # count_tokens takes no max_tokens
        """
        import anthropic
        client = anthropic.Anthropic()
        client.messages.count_tokens(model="claude-sonnet-5-5", messages=[])
        """,
        # an unresolved **kwargs may carry max_tokens
        """
        import anthropic
        client = anthropic.Anthropic()
        def ask(**kwargs):
            return client.messages.create(model="claude-sonnet-5-5", messages=[], **kwargs)
        """,
    ],
)
def test_not_a_request_or_silent(codes, code: str) -> None:
    assert codes(src(code)) == []


@pytest.mark.parametrize(
    "params",
    [
        'params = {"model": "claude-sonnet-5-5", "messages": [], "max_tokens": 1024}',
        'params = dict(model="claude-sonnet-5-5", messages=[], max_tokens=1024)',
        'params = {"model": "claude-sonnet-5-5", "messages": []}\nparams["max_tokens"] = 1024',
        'params = {"model": "claude-sonnet-5-5", "messages": []}\nparams.update(max_tokens=1024)',
        'params = {"model": "claude-sonnet-5-5", "messages": []}\n'
        'params.update({"max_tokens": 1024})',
    ],
)
def test_dict_params_supply_arguments(codes, params: str) -> None:
    code = "import anthropic\nclient = anthropic.Anthropic()\n" + params + "\n"
    code += "client.messages.create(**params)\n"
    assert codes(code) == []


def test_dict_params_and_keywords_combine(lint) -> None:
    code = src("""
    import anthropic
    client = anthropic.Anthropic()
    base = {"model": "claude-3-opus-20240229", "messages": []}
    client.messages.create(**base, max_tokens=100000)
    """)
    found = lint(code)
    assert sorted(f.code for f in found) == ["PRL102", "PRL103", "PRL202"]
    retired = next(f for f in found if f.code == "PRL202")
    assert retired.line == 4 and retired.column == 24  # at the **base argument in the call
    assert [(r.line, r.message) for r in retired.related] == [(3, "model defined here")]


def test_dict_params_with_unknown_mutation_are_open(codes) -> None:
    code = src("""
    import anthropic
    client = anthropic.Anthropic()
    params = {"model": "claude-sonnet-5-5", "messages": []}
    params[key] = value
    client.messages.create(**params)
    """)
    assert codes(code) == []


def test_batch_requests(codes) -> None:
    code = src("""
    import anthropic
    from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
    from anthropic.types.messages.batch_create_params import Request
    client = anthropic.Anthropic()
    client.messages.batches.create(requests=[
        {"custom_id": "a", "params": {"model": "claude-3-opus-20240229", "max_tokens": 10,
                                      "messages": []}},
        Request(custom_id="b", params=MessageCreateParamsNonStreaming(
            model="claude-sonnet-5-5", messages=[])),
        {"custom_id": "c", "params": {"model": "claude-sonnet-5-5", "max_tokens": 1024,
                                      "messages": [], "temperature": 0.5}},
    ])
    client.beta.messages.batches.create(requests=[
        {"custom_id": d, "params": {"model": "claude-sonnet-5-5", "messages": []}}
        for d in docs
    ])
    """)
    assert codes(code) == [(6, "PRL202"), (8, "PRL101"), (11, "PRL301"), (14, "PRL101")]


def test_constants_and_arithmetic_resolve(lint) -> None:
    code = src("""
    import anthropic
    BIG = 1024 * 100
    FAMILY = "claude-" + "sonnet-4-5"
    client = anthropic.Anthropic()
    class Config:
        MODEL = FAMILY + "-20250929"
    def ask():
        return client.messages.create(model=Config.MODEL, max_tokens=BIG, messages=[],
                                      timeout=600)
    """)
    found = {f.code: f for f in lint(code)}
    assert set(found) == {"PRL102", "PRL202"}  # Sonnet 4.5 retired on 2026-11-30
    assert found["PRL102"].message == (
        "max_tokens=102400 exceeds claude-sonnet-4-5-20250929's output limit of 64000"
    )
    assert found["PRL102"].related[0].line == 2


def test_rebound_names_are_unknown(codes) -> None:
    code = src("""
    import anthropic
    client = anthropic.Anthropic()
    model = "claude-3-opus-20240229"
    if fast:
        model = "claude-haiku-4-5"
    client.messages.create(model=model, max_tokens=1024, messages=[])
    """)
    assert codes(code) == []


def test_bedrock_and_vertex_spellings_map_to_first_party_limits(codes) -> None:
    code = src("""
    from anthropic import AnthropicBedrock, AnthropicVertex
    bedrock = AnthropicBedrock()
    vertex = AnthropicVertex()
    bedrock.messages.create(model="anthropic.claude-3-opus-20240229-v1:0", max_tokens=8000,
                            messages=[])
    vertex.messages.create(model="claude-haiku-4-5@20251001", max_tokens=70000,
                           messages=[], timeout=900)
    """)
    # retired on the Claude API; Bedrock's own date is not in the catalogue: a PRL202 warning
    assert codes(code) == [(4, "PRL102"), (4, "PRL202"), (6, "PRL102")]


def test_noqa(codes) -> None:
    code = src("""
    import anthropic
    client = anthropic.Anthropic()
    client.messages.create(model="claude-sonnet-5-5", messages=[])  # noqa: PRL101
    client.messages.create(model="claude-sonnet-5-5", messages=[])  # noqa
    client.messages.create(model="claude-sonnet-5-5", messages=[])  # noqa: PRL202
    """)
    assert codes(code, ignore=("PRL901",)) == [(5, "PRL101")]
    # and with every rule on, the noqa that suppresses nothing is itself reported (as RUF100)
    assert codes(code) == [(5, "PRL101"), (5, "PRL901")]


def test_with_options_timeout_silences_streaming_check(codes) -> None:
    code = src("""
    import anthropic
    client = anthropic.Anthropic()
    client.with_options(timeout=1800.0).messages.create(
        model="claude-opus-5-5", max_tokens=32000, messages=[])
    client.with_options(max_retries=5).messages.create(
        model="claude-opus-5-5", max_tokens=32000, messages=[])
    """)
    assert codes(code) == [(6, "PRL103")]


def test_shared_constant_findings_point_at_each_call(lint) -> None:
    code = src("""
    import anthropic
    client = anthropic.Anthropic()
    THINKING = {"type": "enabled", "budget_tokens": 16000}
    EXTRA = {"temperature": 0.2}
    client.messages.create(model="claude-haiku-4-5", max_tokens=8000, thinking=THINKING,
                           messages=[])
    client.messages.create(model="claude-sonnet-5-5", max_tokens=1024, extra_body=EXTRA,
                           messages=[])
    """)
    found = [(f.code, f.line, [r.line for r in f.related]) for f in lint(code)]
    assert found == [("PRL105", 5, [3]), ("PRL301", 7, [4])]


def test_fstring_prefill_with_trailing_space(codes) -> None:
    code = src("""
    import anthropic
    client = anthropic.Anthropic()
    def greet(name):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=100, messages=[
            {"role": "user", "content": "Write a letter"},
            {"role": "assistant", "content": f"Dear {name}, "}])
    """)
    assert codes(code) == [(6, "PRL402")]


def test_implausible_versions_are_typos(lint) -> None:
    code = src("""
    import anthropic
    client = anthropic.Anthropic()
    client.messages.create(model="claude-opus-45", max_tokens=100, messages=[])
    client.messages.create(model="claude-opus-6", max_tokens=100, messages=[])
    """)
    assert [(f.line, f.code) for f in lint(code)] == [(3, "PRL201")]
