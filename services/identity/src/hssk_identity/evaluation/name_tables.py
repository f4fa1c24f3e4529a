"""Vietnamese name frequencies for the synthetic population (relative weights, not real people).

Surname shares follow published estimates (Nguyễn ~38 %, Trần ~11 %, Lê ~9.5 %, Phạm ~7 %, …).
Names are written with the old tone placement ("Hòa", "Thủy"); `perturb` flips it per person.
"""

from __future__ import annotations

# fmt: off
SURNAMES: dict[str, float] = {
    "Nguyễn": 38.4, "Trần": 11.0, "Lê": 9.5, "Phạm": 7.0, "Hoàng": 3.0, "Huỳnh": 2.0,
    "Phan": 4.5, "Vũ": 2.4, "Võ": 1.6, "Đặng": 2.1, "Bùi": 2.0, "Đỗ": 1.4, "Hồ": 1.3,
    "Ngô": 1.3, "Dương": 1.0, "Lý": 0.5,
    # rarer, ~11 % together
    "Trương": 0.9, "Đinh": 0.9, "Đoàn": 0.7, "Lâm": 0.6, "Mai": 0.6, "Trịnh": 0.6,
    "Lương": 0.6, "Cao": 0.5, "Hà": 0.5, "Tạ": 0.4, "Tô": 0.4, "Lưu": 0.4, "Phùng": 0.4,
    "Quách": 0.3, "Chu": 0.3, "Vương": 0.3, "Thái": 0.3, "Kiều": 0.3, "Đàm": 0.3, "Lại": 0.3,
    "Triệu": 0.3, "Khúc": 0.2, "Nghiêm": 0.2, "Ông": 0.1, "Doãn": 0.1, "Giáp": 0.1,
    "Mạc": 0.1, "Âu": 0.1,
}

# Middle names by sex and era: "Văn" and "Thị" dominate older generations.
MIDDLE_MALE_OLD: dict[str, float] = {
    "Văn": 55, "Đức": 8, "Hữu": 8, "Xuân": 5, "Đình": 5, "Quang": 5, "Minh": 5, "Công": 4,
    "Thanh": 4, "Ngọc": 3, "Trọng": 3, "Mạnh": 2, "Viết": 2,
}
MIDDLE_MALE_NEW: dict[str, float] = {
    "Văn": 25, "Minh": 12, "Đức": 10, "Quốc": 7, "Gia": 6, "Quang": 6, "Hữu": 5, "Thanh": 5,
    "Tuấn": 5, "Hoàng": 5, "Bảo": 5, "Công": 4, "Trung": 3, "Anh": 2, "Nhật": 2, "Đăng": 2,
}
MIDDLE_FEMALE_OLD: dict[str, float] = {
    "Thị": 80, "Ngọc": 4, "Thu": 4, "Kim": 3, "Thanh": 3, "Minh": 2, "Hồng": 2, "Phương": 2,
}
MIDDLE_FEMALE_NEW: dict[str, float] = {
    "Thị": 35, "Ngọc": 12, "Minh": 8, "Thu": 6, "Khánh": 6, "Bảo": 6, "Phương": 6, "Thùy": 5,
    "Mai": 4, "Hà": 4, "Thanh": 4, "Gia": 3, "Hoài": 3, "Diệu": 3,
}
# A second middle syllable, e.g. "Nguyễn Thị Thu Hà", "Trần Ngọc Bảo Anh".
SECOND_MIDDLE_FEMALE = ["Thu", "Ngọc", "Minh", "Kim", "Thanh", "Hồng", "Bảo", "Mai", "Phương"]
SECOND_MIDDLE_MALE = ["Minh", "Quang", "Anh", "Đức", "Hoàng", "Gia", "Bảo"]

GIVEN_MALE: dict[str, float] = {
    "Anh": 4, "Minh": 5, "Hùng": 5, "Dũng": 5, "Tuấn": 5, "Hải": 4, "Nam": 4, "Long": 4,
    "Quang": 3, "Sơn": 4, "Thắng": 4, "Hiếu": 3, "Hoàng": 3, "Huy": 4, "Khoa": 2, "Đức": 3,
    "Phúc": 2, "Trung": 4, "Thành": 4, "Cường": 4, "Hưng": 3, "Tài": 2, "Bình": 3, "Toàn": 3,
    "Việt": 3, "Khánh": 2, "Lâm": 2, "Phong": 3, "Vinh": 3, "Hòa": 2, "Tùng": 3, "Kiên": 2,
    "Đạt": 3, "Bảo": 3, "Hào": 1, "Lộc": 2, "Nghĩa": 3, "Thịnh": 2, "Tiến": 3, "Tâm": 2,
    "Thiện": 1, "Quý": 2, "Tú": 2, "Hậu": 2, "Duy": 3, "Hoan": 1, "Thụy": 0.5, "Chiến": 2,
    "Quân": 3, "Sang": 1, "Trí": 2, "Nhân": 2, "Khải": 1, "Thuận": 1, "Lợi": 1, "Phát": 1,
    "Hiển": 1, "Định": 1, "Giang": 1, "Thái": 1, "Vũ": 1, "Đông": 1, "An": 2, "Khôi": 2,
    "Nguyên": 2, "Kiệt": 1, "Thọ": 1, "Luân": 1, "Thủy": 0.3,
}
GIVEN_FEMALE: dict[str, float] = {
    "Anh": 5, "Linh": 5, "Hương": 5, "Lan": 4, "Mai": 4, "Hà": 4, "Hạnh": 3, "Hoa": 3,
    "Phương": 4, "Thảo": 4, "Trang": 5, "Vy": 3, "Yến": 3, "Ngọc": 3, "Hằng": 4, "Nhung": 3,
    "Huyền": 4, "Thủy": 3, "Thúy": 3, "Nga": 3, "Loan": 2, "Oanh": 2, "Hiền": 3, "Dung": 3,
    "Hồng": 3, "Quyên": 2, "Trinh": 2, "Nhi": 3, "Ngân": 3, "Hòa": 1, "Uyên": 2, "Xuân": 2,
    "Tuyết": 2, "Chi": 3, "Giang": 3, "My": 2, "Thư": 3, "Vân": 3, "Diệp": 1, "Khánh": 1,
    "Châu": 2, "Liên": 2, "Nhàn": 1, "Thoa": 1, "Tâm": 2, "Duyên": 2, "Lệ": 1, "Thơ": 1,
    "Quỳnh": 3, "Nguyệt": 2, "Thùy": 1, "An": 2, "Hân": 2, "Thụy": 0.5,
}

# Paired names for same-sex twins, one tone or one letter apart: the household guard's hard case.
TWIN_NAMES: dict[str, list[tuple[str, str]]] = {
    "male": [("Hùng", "Hưng"), ("Phúc", "Phước"), ("Minh", "Mạnh"), ("Tuấn", "Tuân")],
    "female": [("Thủy", "Thúy"), ("Hương", "Hường"), ("Anh", "Ánh"), ("Hằng", "Hạnh")],
}

# Synthetic wards: (5-digit commune code, ward name) and street names for addresses.
WARDS = [
    ("00004", "Phường Ba Đình"), ("00008", "Phường Ngọc Hà"), ("00025", "Phường Giảng Võ"),
    ("00070", "Phường Hoàn Kiếm"), ("00082", "Phường Cửa Nam"), ("00256", "Phường Hồng Hà"),
]
STREETS = [
    "Phố Đội Cấn", "Phố Kim Mã", "Phố Giảng Võ", "Phố Hàng Bông", "Phố Lý Thường Kiệt",
    "Phố Thụy Khuê", "Đường Hoàng Hoa Thám", "Phố Nguyễn Thái Học", "Phố Hàng Gai",
    "Phố Văn Cao", "Đường Láng", "Phố Quán Thánh",
]
PHONE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "086", "088", "032",
                  "033", "034", "035", "036", "037", "038", "039", "070", "076", "077", "081"]
# fmt: on
