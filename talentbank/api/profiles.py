"""Profiles over the API."""

from __future__ import annotations
