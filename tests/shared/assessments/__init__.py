"""Tests of the assessment tools in ``shared.assessments``, against tables written here."""
