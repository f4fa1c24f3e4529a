"""The staff pages' shared parts: the strict CSP (a form may go to one named other origin, no
more), links between the desk's pages, and a shell that escapes the text it is given."""

from __future__ import annotations

from hssk_kit import staff_pages as pages


def test_a_page_is_strict_and_a_form_may_go_to_one_named_origin_only():
    plain = pages.html("<p>x</p>").headers["content-security-policy"]
    assert "form-action 'self';" in plain and "unsafe-inline" not in plain
    wider = pages.html("<p>x</p>", forms_to="http://127.0.0.1:8002/desk")
    csp = wider.headers["content-security-policy"]
    assert "form-action 'self' http://127.0.0.1:8002;" in csp
    assert wider.headers["cache-control"] == "no-store"


def test_the_desk_links_across_services_and_marks_where_the_officer_is():
    nav = pages.desk_nav({"identity": "http://127.0.0.1:8001"}, "identity")
    assert 'href="http://127.0.0.1:8001/desk/reviews" aria-current="page"' in nav
    assert 'href="/desk"' in nav and 'href="/desk/worklist"' in nav  # this host's


def test_the_shell_escapes_its_title_and_who():
    page = pages.shell("<b>", "<p>body</p>", who="<i>")
    assert "<title>&lt;b&gt;</title>" in page and "&lt;i&gt;" in page and "<p>body</p>" in page
    assert pages.sign_in_url("production", {}) is None
    assert pages.sign_in_url("dev", {"records": "http://r"}) == "http://r/staff"
