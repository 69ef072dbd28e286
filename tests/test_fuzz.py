"""Bad input, systematically: schemathesis drives the JSON API from its OpenAPI schema, hypothesis
sends websocket messages of every shape. No 5xx, no unhandled exception in the server's log, and the
state stays consistent (the live tallies equal a recount of the archive).

The number of cases is bounded for CI; set POLL_FUZZ_EXAMPLES for a longer run."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.clients import screen_cookie, socket_url
from support.server import Server, create_debate_with_cli, describe, free_port, run_poll
from websockets.asyncio.client import connect

EXAMPLES = int(os.environ.get("POLL_FUZZ_EXAMPLES", "30"))


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fuzz")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    debate = create_debate_with_cli(directory / "poll.db", url, "Fuzzed <b>debate</b>",
                                    ["=SUM(A1)", "Tweede stelling 🙂", "שלום"])
    server = Server(directory / "poll.db", port, (), directory).start()
    yield server, debate
    server.stop()
    log = server.stderr()
    assert "Traceback" not in log and "Exception in ASGI" not in log, log[-4000:]


def test_the_json_api_never_fails_on_any_input(fuzz_server):
    server, _ = fuzz_server
    # schemathesis' own pytest plugin does not run on pytest 9 yet; its strategies do, with
    # hypothesis driving them here.
    api = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert {op.path for op in operations} >= {"/j/{code}/vote", "/d/{debate_id}/control"}
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        @given(case=operation.as_strategy())
        def call(case: schemathesis.Case) -> None:
            response = case.call(base_url=server.url, timeout=30)
            assert response.status_code < 500, (case.method, case.path, response.text[:300])
            case.validate_response(response)

        call()


# -- websocket messages ------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=10,
)
votes = st.fixed_dictionaries({
    "type": st.sampled_from(["vote", "vote", "ping", "VOTE", "", "tally"]),
    "id": st.one_of(st.text(min_size=0, max_size=80), st.integers(), st.none()),
    "statement": st.one_of(st.integers(-5, 10**12), st.text(max_size=5), st.booleans(),
                           st.none(), st.floats(allow_nan=False)),
    "choice": st.one_of(st.sampled_from(["agree", "neutral", "disagree"]), st.text(max_size=10),
                        st.integers(), st.none()),
})
others = st.fixed_dictionaries({
    "type": st.sampled_from(["group", "propose"]),
    "id": st.one_of(st.text(min_size=0, max_size=80), st.integers(), st.none()),
    "group": st.one_of(st.integers(-5, 10**12), st.text(max_size=5), st.none()),
    "text": st.one_of(st.text(max_size=400), st.integers(), st.none()),
})
frames = st.one_of(
    votes.map(json.dumps),
    others.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=300),
    st.binary(max_size=300),
)


@settings(max_examples=EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck),
          database=None)
@given(batch=st.lists(frames, min_size=1, max_size=8))
def test_websocket_messages_of_any_shape_get_an_answer_and_break_nothing(batch, fuzz_server):
    server, debate = fuzz_server

    async def exchange() -> list[dict]:
        answers = []
        async with connect(socket_url(server, debate, "phone"), compression=None) as ws:
            snapshot = [json.loads(await ws.recv())["type"] for _ in range(4)]
            assert snapshot == ["welcome", "state", "floor", "reasons"]
            for frame in batch:
                await ws.send(frame)
                answer = json.loads(await asyncio.wait_for(ws.recv(), 30))
                answers.append(answer)
        return answers

    answers = asyncio.run(exchange())
    assert len(answers) == len(batch)
    for answer in answers:
        assert answer["type"] in ("ack", "error", "pong", "group"), answer
        if answer["type"] == "error":
            assert answer["code"] and answer["message"]


def test_after_the_fuzzing_the_results_equal_a_recount(fuzz_server, tmp_path: Path):
    """Runs after the fuzz tests above (file order): open voting, let the fuzzers' state settle,
    and check that the live tally the moderator sees equals a recount of the archive."""
    server, debate = fuzz_server

    async def live_tally() -> dict:
        cookie = await screen_cookie(server, debate)
        async with connect(socket_url(server, debate, "screen"),
                           additional_headers={"Cookie": cookie}) as ws:
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if frame["type"] == "tally":
                    return frame

    tally = asyncio.run(live_tally())
    server.stop()
    exported = run_poll("export", debate.id, "--format", "json", "--db", server.db)
    assert exported.returncode == 0, describe(exported)
    document = json.loads(exported.stdout)
    current = next(s for s in document["statements"] if s["id"] == tally["statement"])
    assert current["results"]["total"] == tally["total"]
    latest: dict[str, str] = {}
    for vote in document["votes"]:
        if vote["statement_id"] == tally["statement"]:
            latest[vote["participant"]] = vote["choice"]
    assert len(latest) == tally["total"]
    server.start()  # the module fixture stops it again and checks its log
