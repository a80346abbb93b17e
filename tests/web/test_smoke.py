def test_home_page_in_japanese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "北海道デジタル人材バンク" in response.get_data(as_text=True)
    assert 'lang="ja"' in response.get_data(as_text=True)


def test_the_first_response_a_process_sends_freezes_what_lives_as_long_as_it(client, monkeypatch):
    """Once the first response is closed (as a WSGI server closes it, after sending), the objects alive
    are moved out of the collector's reach, so full collections stop walking the app's own modules."""
    import gc

    from talentbank import startup

    monkeypatch.setattr(startup, "_long_lived_frozen", False)
    gc.unfreeze()
    response = client.get("/")
    assert response.status_code == 200
    assert gc.get_freeze_count() == 0  # not before the response is closed: the client does not wait for it
    response.close()
    assert startup._long_lived_frozen
    assert gc.get_freeze_count() > 100_000
    frozen = gc.get_freeze_count()
    client.get("/").close()
    assert gc.get_freeze_count() <= frozen  # once per process (frozen objects freed by refcount leave it)
