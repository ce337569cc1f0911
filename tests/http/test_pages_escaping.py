"""Whatever visitors write (messages, lead fields, page addresses, referrers) reaches the
owner's pages as text: escaped by the templates, never marked safe."""

import re

from tests.http.conftest import Owner
from tests.http.pages import PlantingVisitor, submit

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'><svg onload=alert(3)>"
# Markup a browser would run if any of it reached the page unescaped.
LIVE = re.compile(r"<script>alert|<img src=x|<svg onload|href=\"javascript:", re.IGNORECASE)


def assert_inert(html: str) -> None:
    body = html.split("<body>", 1)[1]
    assert LIVE.search(body) is None, LIVE.search(body)


async def test_visitor_text_is_escaped_on_the_transcript_and_leads_pages(owner: Owner, new_client) -> None:
    site = await owner.add_site()
    await owner.add_snippet(site["id"], "Hours", "We open at nine on weekdays.")
    visitor = PlantingVisitor(await new_client(), site["widgetKey"])
    viewed = await visitor.view(
        "https://acme.example/<script>alert(1)</script>", 'https://evil.example/"><img src=x onerror=alert(2)>'
    )
    assert viewed.status_code == 204, viewed.text
    conversation = await visitor.converse(f"When do you open? {PAYLOAD} [click](javascript:alert(4))")
    lead = await visitor.leave_lead(
        conversation,
        name="Vera <script>alert(5)</script>",
        email="vera@example.org",
        message=PAYLOAD,
        pageUrl='https://acme.example/"><script>alert(6)</script>',
    )
    assert lead.status_code == 201, lead.text

    transcript = await owner.client.get(f"/sites/{site['id']}/conversations/{conversation}")
    leads = await owner.client.get(f"/sites/{site['id']}/leads")

    for page in (transcript, leads):
        assert page.status_code == 200
        assert_inert(page.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in transcript.text
    assert "Vera &lt;script&gt;alert(5)&lt;/script&gt;" in leads.text
    assert "&lt;svg onload=alert(3)&gt;" in leads.text


async def test_answers_render_the_widgets_markdown_subset_from_escaped_text(owner: Owner, new_client) -> None:
    site = await owner.add_site()
    hostile = "Gift wrapping costs **5 euros**, see `ribbon` <img src=x onerror=alert(1)> [guide](javascript:alert(2))"
    await owner.add_snippet(site["id"], "Gift wrapping", hostile)
    visitor = PlantingVisitor(await new_client(), site["widgetKey"])
    conversation = await visitor.converse("How much is gift wrapping?")

    transcript = await owner.client.get(f"/sites/{site['id']}/conversations/{conversation}")
    tried = await submit(owner.client, f"/sites/{site['id']}/knowledge/try", {"question": "How much is gift wrapping?"})

    for page in (transcript, tried):
        assert page.status_code == 200
        assert_inert(page.text)
        assert "<strong>5 euros</strong>" in page.text


async def test_a_snippet_and_a_site_name_with_markup_show_as_text(owner: Owner) -> None:
    created = await submit(owner.client, "/sites", {"name": "<b>Acme</b>", "url": "https://acme.example"})
    site_id = created.headers["location"].split("/")[2]
    await submit(
        owner.client,
        f"/sites/{site_id}/knowledge/snippets",
        {"kind": "text", "title": "<script>alert(1)</script>", "text": "<img src=x onerror=alert(2)>"},
    )
    page = await owner.client.get(f"/sites/{site_id}/knowledge")
    assert_inert(page.text)
    assert "&lt;b&gt;Acme&lt;/b&gt;" in page.text
