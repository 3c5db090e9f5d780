import pytest

from portal.security import safe_next


def test_every_page_carries_security_headers_and_a_csp_without_inline_script(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script(client):
    for url in ("/", "/account/login", "/account/signup", "/account/reset"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "onclick=" not in html and "style=" not in html


def test_production_sets_hsts(app_factory):
    app = app_factory(
        PORTAL_ENV="production",
        BASE_URL="https://portal.example",
        ENCRYPTION_KEYS="hWm3n1rLOWG0TVRcqFxFHyYJr1BHVtCz1ybQW1zUXak=",
    )
    response = app.test_client().get("/", base_url="https://portal.example")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_unknown_page_gets_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_10_mb_form_body_gets_413_and_a_plain_message(client):
    response = client.post("/account/login", data={"email": "a@example.com", "password": "x" * (10 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_an_unexpected_error_gets_a_friendly_500_without_details(app_factory, caplog):
    app = app_factory()

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret diagnosis text")

    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "secret diagnosis text" not in body and "Traceback" not in body


@pytest.mark.parametrize("target", ["/me/", "/account/login?x=1", "/practitioner/clients/3#notes"])
def test_safe_next_keeps_paths_on_this_site(target):
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "me/",
        "/\x00x",
        "/" + "a" * 2100,
    ],
)
def test_safe_next_refuses_anything_that_could_leave_the_site(target):
    assert safe_next(target) is None
