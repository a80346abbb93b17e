def test_home_page_in_japanese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "北海道デジタル人材バンク" in response.get_data(as_text=True)
    assert 'lang="ja"' in response.get_data(as_text=True)
