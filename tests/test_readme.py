"""The README is for people holding only this repository: every file or folder it names is in it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Named in the README but made at run time, or not a path at all.
NOT_FILES = ("instance/", "application/", "search.py", "badges.py")


def named_paths(text: str) -> set[str]:
    found = set(re.findall(r"\]\(([^)#]+)\)", text))  # Markdown links
    for code in re.findall(r"`([^` ]+)`", text):
        if re.search(r"\.(md|py|sh|txt|ini|cfg|toml|json)$|^[a-z_]+/", code) and not code.startswith("/"):
            found.add(code)
    return {path for path in found if not path.startswith(("http:", "https:", *NOT_FILES))}


def test_everything_the_readme_names_is_in_the_repository():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = named_paths(text)
    assert len(paths) > 10
    assert "../" not in text
    missing = sorted(path for path in paths if not (ROOT / path).exists())
    assert missing == []


def test_the_readme_s_demo_counts_are_what_the_home_page_shows(app, client, db):
    assert app.test_cli_runner().invoke(args=["load-demo"]).exit_code == 0
    home = client.get("/").get_data(as_text=True)
    people, organisations = re.findall(r'class="stat-number">([\d,]+)<', home)[:2]
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{people} accounts" in text and f"{organisations} of them verified" in text
