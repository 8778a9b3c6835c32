"""Drill cards: what a scored interview says to practise, graded by the reference-answer grader
and scheduled by FSRS."""
