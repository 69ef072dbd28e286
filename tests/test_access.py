"""Only the moderator controls the debate: every route of the route table that is not public
refuses an anonymous browser. The table is walked, so a route added later is covered without
anyone remembering to.

In-process (the app over httpx's ASGITransport): sessions and CSRF are the app's own middleware.
"""

from __future__ import annotations

from starlette.routing import Route
from support.clients import csrf_fields

from poll.routes import routes

# Routes anyone may use: attendees, the projector, creating a debate, the archive, monitoring,
# the static files every page loads.
PUBLIC = {"index", "join", "vote", "vote_submit", "new", "new_submit", "archive",
          "admin", "openapi", "admit", "choose_group", "propose", "give_reason", "remove_reason",
          "plus_one", "floor", "plus_proposal",
          "results", "report", "healthz", "static"}


async def test_every_route_outside_the_public_set_refuses_an_anonymous_browser(app):
    debate = await app.new("Guarded", ["One", "Two"])
    params = {"debate_id": debate.id, "code": debate.join_code, "statement_id": debate.sid(1),
              "proposal_id": 1, "reason_id": 1}
    checked = []
    async with app.client() as stranger:
        front = await stranger.get("/new")  # a real browser holds the CSRF cookie and token
        fields, headers = csrf_fields(stranger, front.text)
        for route in routes:
            if not isinstance(route, Route) or route.name in PUBLIC:
                continue
            path = route.path
            for name, value in params.items():
                path = path.replace(f"{{{name}}}", str(value)).replace(
                    f"{{{name}:int}}", str(value))
            assert "{" not in path, f"test does not know a parameter of {route.path}"
            for method in sorted((route.methods or set()) - {"HEAD"}):
                data = {"action": "open", "text": "Taken over", **fields}
                if method == "POST":
                    response = await stranger.post(path, data=data, headers=headers)
                else:
                    response = await stranger.request(method, path, headers=headers)
                assert response.status_code in (401, 403), (method, path, response.status_code)
                checked.append(f"{method} {route.path}")
    # the walk really covered the moderator's routes
    assert "POST /d/{debate_id}/control" in checked
    assert "GET /d/{debate_id}/export.json" in checked
    assert "POST /d/{debate_id}/duplicate" in checked
    assert "POST /d/{debate_id}/settings" in checked
    assert len(checked) >= 7

    # nothing changed in the room
    async with app.client() as projector:
        assert (await projector.get(debate.screen_url)).status_code == 303  # with its key
        page = await projector.get(f"/d/{debate.id}/screen")
        assert page.status_code == 200 and "Taken over" not in page.text
