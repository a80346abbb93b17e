"""The `talentbank` program (the console script, or `python -m talentbank`): Flask's command line around
`create_app`, so it has every command `talentbank.cli` registers on the app."""

from __future__ import annotations

from flask.cli import FlaskGroup

from talentbank import create_app


def main() -> None:
    FlaskGroup(create_app=create_app)(prog_name="talentbank")


if __name__ == "__main__":
    main()
