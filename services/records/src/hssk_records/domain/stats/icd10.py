"""ICD-10 as statistics group it: the 22 chapters a visit's main diagnosis falls in, and the
chronic conditions leaders follow (their three-character codes). HIV and TB never reach
records (docs/domain.md, HIV and TB), so neither is a group here."""

from __future__ import annotations

# (chapter, first code, last code, label) in WHO's order; a code belongs to the first chapter
# whose range holds its first three characters.
CHAPTERS: tuple[tuple[str, str, str, str], ...] = (
    ("I", "A00", "B99", "Bệnh nhiễm trùng và ký sinh trùng"),
    ("II", "C00", "D48", "Bướu tân sinh"),
    ("III", "D50", "D89", "Bệnh máu và cơ quan tạo máu"),
    ("IV", "E00", "E90", "Bệnh nội tiết, dinh dưỡng, chuyển hóa"),
    ("V", "F00", "F99", "Rối loạn tâm thần và hành vi"),
    ("VI", "G00", "G99", "Bệnh hệ thần kinh"),
    ("VII", "H00", "H59", "Bệnh mắt"),
    ("VIII", "H60", "H95", "Bệnh tai và xương chũm"),
    ("IX", "I00", "I99", "Bệnh hệ tuần hoàn"),
    ("X", "J00", "J99", "Bệnh hệ hô hấp"),
    ("XI", "K00", "K93", "Bệnh hệ tiêu hóa"),
    ("XII", "L00", "L99", "Bệnh da và mô dưới da"),
    ("XIII", "M00", "M99", "Bệnh hệ cơ, xương, khớp"),
    ("XIV", "N00", "N99", "Bệnh hệ tiết niệu sinh dục"),
    ("XV", "O00", "O99", "Thai nghén, sinh đẻ, hậu sản"),
    ("XVI", "P00", "P96", "Bệnh lý xuất phát thời kỳ chu sinh"),
    ("XVII", "Q00", "Q99", "Dị tật bẩm sinh"),
    ("XVIII", "R00", "R99", "Triệu chứng, dấu hiệu bất thường"),
    ("XIX", "S00", "T98", "Vết thương, ngộ độc, nguyên nhân bên ngoài"),
    ("XX", "V01", "Y98", "Nguyên nhân bên ngoài của bệnh tật và tử vong"),
    ("XXI", "Z00", "Z99", "Yếu tố ảnh hưởng sức khỏe, tiếp xúc dịch vụ y tế"),
    ("XXII", "U00", "U85", "Mã dành cho mục đích đặc biệt"),
)
UNCODED = "-"  # a visit without a main diagnosis code
CHAPTER_LABELS = {c: label for c, _, _, label in CHAPTERS} | {UNCODED: "Chưa có mã bệnh"}

# condition -> (Vietnamese label, English label, three-character codes)
CONDITIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "hypertension": ("Tăng huyết áp", "Hypertension", ("I10", "I11", "I12", "I13", "I15")),
    "diabetes": ("Đái tháo đường", "Diabetes", ("E10", "E11", "E12", "E13", "E14")),
    "ischaemic_heart": (
        "Bệnh tim thiếu máu cục bộ",
        "Ischaemic heart disease",
        ("I20", "I21", "I22", "I23", "I24", "I25"),
    ),
    "heart_failure": ("Suy tim", "Heart failure", ("I50",)),
    "stroke": ("Đột quỵ và di chứng", "Stroke", tuple(f"I{n}" for n in range(60, 70))),
    "copd": ("Bệnh phổi tắc nghẽn mạn tính", "COPD", ("J44",)),
    "asthma": ("Hen phế quản", "Asthma", ("J45", "J46")),
    "kidney": ("Bệnh thận mạn", "Chronic kidney disease", ("N18",)),
    "liver": ("Bệnh gan mạn", "Chronic liver disease", ("K74", "B18")),
    "cancer": ("Ung thư", "Cancer", tuple(f"C{n:02d}" for n in range(98))),
    "epilepsy": ("Động kinh", "Epilepsy", ("G40",)),
    "mental": ("Rối loạn tâm thần", "Mental disorders", ("F20", "F31", "F32", "F33")),
}
_CONDITION_OF = {code: name for name, (_, _, codes) in CONDITIONS.items() for code in codes}


def stem(code: str) -> str:
    """ "E11.9" and "E119" -> "E11"."""
    return code.replace(".", "").strip().upper()[:3]


def chapter(code: str | None) -> str:
    if not code:
        return UNCODED
    three = stem(code)
    for name, first, last, _ in CHAPTERS:
        if first <= three <= last:
            return name
    return UNCODED


def conditions(codes: list[str]) -> set[str]:
    """The chronic condition groups `codes` (any ICD-10 form) fall in."""
    return {c for code in codes if (c := _CONDITION_OF.get(stem(code)))}
