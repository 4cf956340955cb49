"""A NUL character in an address is a clear 400, never a server error (PostgreSQL refuses U+0000)."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/orders/AB%00CD", "/api/v1/orders?status=%00", "/api/v1/courses?q=a%00"])
def test_the_api_refuses_a_nul_in_the_address_with_its_error_shape(tenant, url):
    response = tenant.client.get(url)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("url", ["/pelatihan/kursus/1%00/", "/mitra/status/abc%00/"])
def test_pages_refuse_a_nul_in_the_address(client_en, url):
    response = client_en.get(url)
    assert response.status_code == 400 and b"not allowed" in response.content


def test_an_ordinary_address_passes(client):
    assert client.get("/pelatihan/?q=kopi").status_code == 200
