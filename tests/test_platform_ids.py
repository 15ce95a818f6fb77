"""Platform spellings of model IDs: mapped to their model, judged with the platform's own dates
where the catalogue has them (else the Claude API's, said as such), with per-platform output
limits; retired aliases; prompt rules on retired models."""

from __future__ import annotations

import json
import textwrap

import pytest

from promptlint.lifecycle import lifecycle
from promptlint.models import Catalogue, bundled_data, catalogue


def src(code: str) -> str:
    return textwrap.dedent(code)


@pytest.mark.parametrize(("written", "model", "platform"), [
    ("anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku-20240307", "bedrock"),
    ("eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3-7-sonnet-20250219", "bedrock"),
    ("apac.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4-20250514", "bedrock"),
    ("global.anthropic.claude-opus-4-5-20251101-v1:0", "claude-opus-4-5-20251101", "bedrock"),
    ("anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-20241022", "bedrock"),
    ("arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
     "claude-3-haiku-20240307", "bedrock"),
    ("arn:aws:bedrock:eu-central-1:123456789012:inference-profile/"
     "eu.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4-20250514", "bedrock"),
    ("claude-opus-4-1@20250805", "claude-opus-4-1-20250805", "vertex"),
    ("claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet-20241022", "vertex"),
    ("claude-3-5-sonnet@20240620", "claude-3-5-sonnet-20240620", "vertex"),
    ("publishers/anthropic/models/claude-3-haiku@20240307", "claude-3-haiku-20240307",
     "vertex"),
    ("projects/acme/locations/us-east5/publishers/anthropic/models/claude-opus-4@20250514",
     "claude-opus-4-20250514", "vertex"),
    ("claude-3-opus-latest", "claude-3-opus-20240229", "anthropic"),
    ("claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219", "anthropic"),
])
def test_platform_spellings_map_to_their_model(written: str, model: str, platform: str) -> None:
    resolved = catalogue().resolve(written)
    assert resolved is not None, written
    assert (resolved.info.id, resolved.platform) == (model, platform)


@pytest.mark.parametrize("written", [
    "anthropic.claude-v2:1",  # a Bedrock ID of a model the catalogue does not track
    "claude-3-5-sonnet-v2@2024",  # not a date
    "mistral.mistral-large-2402-v1:0",
])
def test_unknown_platform_spellings_stay_unknown(written: str) -> None:
    assert catalogue().resolve(written) is None


def by_code(findings, code: str) -> list:
    return [f for f in findings if f.code == code]


def test_bedrock_and_vertex_ids_of_retired_models_warn_and_name_the_platform(lint) -> None:
    code = src("""\
        from anthropic import AsyncAnthropicBedrock, AnthropicVertex

        REGION_MODEL = "eu.anthropic.claude-3-7-sonnet-20250219-v1:0"


        class Reports:
            def __init__(self) -> None:
                self.aws = AsyncAnthropicBedrock(aws_region="eu-west-3")
                self.gcp = AnthropicVertex(region="europe-west4", project_id="reports")

            async def weekly(self, t: str) -> str:
                msg = await self.aws.messages.create(
                    model=REGION_MODEL, max_tokens=400, messages=[{"role": "user", "content": t}])
                return msg.content[0].text

            def monthly(self, text: str) -> str:
                return self.gcp.messages.create(
                    model="claude-3-5-sonnet-v2@20241022", max_tokens=400,
                    messages=[{"role": "user", "content": text}]).content[0].text
        """)
    found = by_code(lint(code, today="2026-12-03"), "PRL202")
    assert [f.line for f in found] == [13, 18]
    bedrock, vertex = found
    assert bedrock.severity == vertex.severity == "warning"
    name = catalogue().get("claude-3-7-sonnet-20250219").name
    assert f"({name} on Amazon Bedrock)" in bedrock.message
    assert "retired on the Claude API on 2026-02-19" in bedrock.message
    assert "sets its own retirement dates, which may differ" in bedrock.message
    assert "Google Cloud Vertex AI" in vertex.message and "(Oct 2024)" in vertex.message
    assert bedrock.fix is None and vertex.fix is None  # the successor's platform ID is unknown


def test_first_party_spellings_on_anthropic_operated_platforms_are_errors(lint) -> None:
    # Foundry and Claude Platform on AWS use first-party IDs and the Claude API's dates
    code = src("""\
        from anthropic import AnthropicFoundry

        foundry = AnthropicFoundry(resource="team")
        foundry.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[])
        """)
    (finding,) = by_code(lint(code, today="2026-12-03"), "PRL202")
    assert finding.severity == "error" and "may differ" not in finding.message


def test_google_cloud_anthropic_managed_uses_first_party_ids_and_dates(lint) -> None:
    code = src("""\
        import anthropic

        gc = anthropic.AsyncAnthropicGoogleCloud(project_id="p", region="us-east5")


        async def ask(q):
            return await gc.messages.create(model="claude-3-5-haiku-20241022", max_tokens=90,
                                            messages=[{"role": "user", "content": q}])
        """)
    (finding,) = by_code(lint(code, today="2026-12-03"), "PRL202")
    assert finding.line == 7 and finding.severity == "error"
    assert "was retired on 2026-02-19: requests to it fail" in finding.message


def test_deprecated_models_on_platforms_give_both_dates_honestly(lint) -> None:
    code = src("""\
        import anthropic

        bedrock = anthropic.AnthropicBedrock()
        vertex = anthropic.AnthropicVertex(region="us-east5", project_id="p")
        bedrock.messages.create(model="us.anthropic.claude-opus-4-5-20251101-v1:0",
                                max_tokens=256, messages=[])
        vertex.messages.create(model="claude-opus-4-5@20251101", max_tokens=256, messages=[])
        """)
    aws, gcp = by_code(lint(code, today="2026-12-03"), "PRL203")
    assert aws.line == 5 and gcp.line == 7
    assert "on the Claude API (Claude Opus 4.5; Amazon Bedrock sets its own" in aws.message
    # the catalogue has Vertex's own (tentative) date for this one
    assert "deprecated on Google Cloud Vertex AI: it will be retired on 2027-01-22 (tentative)" \
        in gcp.message


def test_a_platforms_own_retirement_date_decides() -> None:
    data = bundled_data()
    for entry in data["models"]:
        if entry["id"] == "claude-opus-4-5-20251101":
            entry["platforms"] = {"vertex": {"status": "deprecated",
                                             "retirement_date": "2027-03-01", "source": "test"}}
        if entry["id"] == "claude-3-haiku-20240307":
            entry["platforms"] = {"bedrock": {"status": "active"}}
    cat = Catalogue(data)
    vertex = lifecycle(cat.resolve("claude-opus-4-5@20251101"), "2027-03-01")
    assert (vertex.state, vertex.own_dates, vertex.retirement_date) == (
        "retired", True, "2027-03-01")
    api = lifecycle(cat.resolve("claude-opus-4-5-20251101"), "2027-03-01")
    assert api.state == "deprecated" and api.tentative  # the API's own date stays tentative
    kept = lifecycle(cat.resolve("anthropic.claude-3-haiku-20240307-v1:0"), "2026-12-03")
    assert (kept.state, kept.own_dates) == ("active", True)


def test_platform_output_limits_apply_where_they_differ(codes) -> None:
    code = src("""\
        from anthropic import AnthropicBedrock

        LIMIT = 8192
        aws = AnthropicBedrock(aws_region="us-west-2")


        def draft(t):
            return aws.messages.create(model="anthropic.claude-3-5-sonnet-20240620-v1:0",
                                       max_tokens=LIMIT, messages=[{"role": "user", "content": t}])


        def short(t):
            return aws.messages.create(model="anthropic.claude-3-5-sonnet-20240620-v1:0",
                                       max_tokens=4096, messages=[{"role": "user", "content": t}])
        """)
    found = codes(code, today="2026-12-03")
    assert (9, "PRL102") in found and (14, "PRL102") not in found


def test_platform_limit_message_and_fix(lint) -> None:
    code = src("""\
        import anthropic
        client = anthropic.AnthropicBedrock()
        client.messages.create(model="anthropic.claude-3-5-sonnet-20240620-v1:0", max_tokens=6000,
                               messages=[])
        """)
    (finding,) = by_code(lint(code), "PRL102")
    assert "output limit of 4096" in finding.message and "third-party" in finding.message
    first_party = code.replace("anthropic.claude-3-5-sonnet-20240620-v1:0",
                               "claude-3-5-sonnet-20240620").replace("AnthropicBedrock",
                                                                     "Anthropic")
    assert by_code(lint(first_party), "PRL102") == []  # no sourced limit on the Claude API


def test_retired_latest_aliases_are_retired_not_unknown(lint) -> None:
    code = src("""\
        import anthropic
        client = anthropic.Anthropic()
        for model in ("x",):
            client.messages.create(model="claude-3-opus-latest", max_tokens=100, messages=[])
        client.messages.create(model="claude-3-5-haiku-latest", max_tokens=100, messages=[])
        """)
    found = lint(code)
    assert [f.code for f in found] == ["PRL202", "PRL202"]
    assert "use 'claude-opus-5-5'" in found[0].message
    assert "use 'claude-haiku-5-5'" in found[1].message


# ---- prompt rules on retired models -----------------------------------------------------------

GUIDE = "Answer in the house style; cite the clause you rely on; never invent figures. " * 260


def test_caching_rules_use_the_successors_facts_and_say_so(lint) -> None:
    code = src(f"""\
        import time
        import anthropic

        GUIDE = {GUIDE!r}
        client = anthropic.AsyncAnthropic()


        async def review(claim):
            return await client.messages.create(
                model="claude-3-7-sonnet-20250219", max_tokens=500,
                system=[{{"type": "text", "text": f"Now: {{time.time()}}. " + GUIDE,
                         "cache_control": {{"type": "ephemeral"}}}}],
                messages=[{{"role": "user", "content": claim}}])


        async def triage(claim):
            return await client.messages.create(
                model="claude-3-7-sonnet-latest", max_tokens=500, system=GUIDE,
                messages=[{{"role": "user", "content": claim}}])
        """)
    found = lint(code)
    codes = sorted((f.line, f.code) for f in found)
    assert (10, "PRL202") in codes and (18, "PRL202") in codes
    assert any(c == "PRL503" for _, c in codes)
    (missing,) = by_code(found, "PRL502")
    assert missing.line == 18
    note = "judged for claude-sonnet-5-5, the successor of retired claude-3-7-sonnet-latest"
    assert note in missing.message
    assert all("judged for claude-sonnet-5-5" in f.message for f in by_code(found, "PRL503"))


def test_short_cached_prefix_on_a_retired_model(lint) -> None:
    code = src("""\
        import anthropic
        client = anthropic.Anthropic()
        client.messages.create(
            model="claude-3-haiku-20240307", max_tokens=200,
            system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": "hi"}])
        """)
    (short,) = by_code(lint(code), "PRL504")
    assert "judged for claude-haiku-5-5" in short.message


def long_system_request(model: str) -> str:
    return src(f"""\
        import anthropic
        client = anthropic.Anthropic()
        GUIDE = {GUIDE!r}
        client.messages.create(model="{model}", max_tokens=300, system=GUIDE,
                               messages=[{{"role": "user", "content": "hi"}}])
        """)


def test_a_retired_model_without_successor_stays_silent(lint) -> None:
    found = lint(long_system_request("claude-2.1"))
    assert [f.code for f in found] == ["PRL202"]  # unknown facts: no caching advice


def test_live_models_are_judged_by_their_own_facts(lint) -> None:
    (finding,) = by_code(lint(long_system_request("claude-haiku-4-5")), "PRL502")
    assert "judged for" not in finding.message and "4,096" in finding.message


def test_json_output_advice_on_a_retired_model(lint) -> None:
    code = src("""\
        import json
        import anthropic

        client = anthropic.Anthropic()


        def extract(text):
            reply = client.messages.create(
                model="claude-opus-4-1", max_tokens=400,
                messages=[{"role": "user", "content": "Return JSON with keys a and b: " + text}])
            return json.loads(reply.content[0].text)
        """)
    found = lint(code)
    assert {"PRL202", "PRL403"} <= {f.code for f in found}


def test_models_json_lists_platform_facts() -> None:
    data = json.loads(json.dumps(bundled_data()))
    entry = next(m for m in data["models"] if m["id"] == "claude-3-5-sonnet-20240620")
    bedrock = entry["platforms"]["bedrock"]
    assert bedrock["max_output_tokens"] == 4096 and bedrock["source"] in data["sources"]
