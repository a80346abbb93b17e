"""Supply-and-demand dashboard (需要と供給): people per skill category and subprefecture vs open project needs."""
