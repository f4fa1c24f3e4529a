"""How many keyboard slips apart two spellings are (Damerau-Levenshtein), for the name
comparisons; language-blind."""

from __future__ import annotations

from collections import Counter


def within(a: str, b: str, edits: int) -> bool:
    """At most `edits` apart (and not equal), without computing the distance of strings whose
    lengths or letters already say they are further apart (most pairs compared)."""
    if a == b or abs(len(a) - len(b)) > edits:
        return False
    if sum((Counter(a) - Counter(b)).values()) > edits:  # letters the other lacks
        return False
    return distance(a, b) <= edits


def distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment): insert, delete, substitute, or swap two
    neighbouring letters, each costing one."""
    rows = [list(range(len(b) + 1))]
    for i, char_a in enumerate(a, start=1):
        row = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
