"""An organiser password guards creating debates and the archive; the debate itself is as is.

In-process (the app over httpx's ASGITransport): a gate on pages and forms, no socket needed.
"""

from __future__ import annotations

from support.clients import csrf_fields, location_path


async def test_an_organiser_password_guards_new_debates_and_the_archive(make_app):
    app = await make_app(admin_password="s3cret organiser")
    debate = await app.new("Guarded archive", ["One"])
    async with app.client() as stranger:
        for path in ("/new", "/archive", f"/d/{debate.id}/results"):
            page = await stranger.get(path)
            assert page.status_code == 401, path
            assert 'name="password"' in page.text
        # the phones and the projector need no password (the projector needs its link's key)
        assert (await stranger.get(f"/j/{debate.join_code}")).status_code == 200
        assert (await stranger.get(debate.screen_url)).status_code == 303
        assert (await stranger.get(f"/d/{debate.id}/screen")).status_code == 200

        page = await stranger.get("/admin?next=/archive")
        fields, headers = csrf_fields(stranger, page.text)
        wrong = await stranger.post("/admin", data={"password": "guess", "next": "/archive",
                                                    **fields}, headers=headers)
        assert wrong.status_code == 401
        assert (await stranger.get("/archive")).status_code == 401
        # an open redirect to another site is not possible
        right = await stranger.post("/admin", data={
            "password": "s3cret organiser", "next": "//evil.example/", **fields}, headers=headers)
        assert right.status_code == 303 and location_path(right) == "/"
        # (location_path reads "//evil.example/" as "/" too: the header itself must say "/")
        assert right.headers["location"] == "/", right.headers["location"]
        archive = await stranger.get("/archive")
        assert archive.status_code == 200 and "Guarded archive" in archive.text
        assert (await stranger.get("/new")).status_code == 200


async def test_without_a_password_the_archive_is_open(app):
    await app.new("Open archive", ["One"])
    async with app.client() as anyone:
        archive = await anyone.get("/archive")
        assert archive.status_code == 200 and "Open archive" in archive.text
