"""The 46-field personal health record template (QĐ 1332 Annex B; docs/domain.md, The record):
field keys (stable), the labels a citizen reads, and which fields a visit fills."""

from __future__ import annotations

from collections.abc import Callable

from hssk_contracts.visit import Visit

FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Họ và tên"),
    ("birth_date", "Ngày sinh"),
    ("sex", "Giới tính"),
    ("ethnicity", "Dân tộc"),
    ("nationality", "Quốc tịch"),
    ("occupation", "Nghề nghiệp"),
    ("personal_id", "Số định danh cá nhân"),
    ("phone", "Số điện thoại"),
    ("bhyt_card", "Thẻ BHYT"),
    ("initial_facility", "Nơi đăng ký KCB ban đầu"),
    ("address", "Địa chỉ"),
    ("representative_name", "Người đại diện"),
    ("representative_relation", "Quan hệ với người đại diện"),
    ("representative_id", "Số định danh người đại diện"),
    ("representative_phone", "Điện thoại người đại diện"),
    ("drug_allergy", "Dị ứng thuốc"),
    ("other_allergy", "Dị ứng khác"),
    ("chronic_diseases", "Bệnh mạn tính"),
    ("vaccinations", "Tiêm chủng"),
    ("facility", "Cơ sở khám chữa bệnh"),
    ("visit_type", "Hình thức khám"),
    ("admitted_at", "Thời gian vào viện"),
    ("discharged_at", "Thời gian ra viện"),
    ("reason", "Lý do khám"),
    ("diagnosis_admission", "Chẩn đoán vào viện"),
    ("diagnosis_discharge", "Chẩn đoán ra viện"),
    ("main_icd10", "Mã bệnh chính"),
    ("secondary_icd10", "Mã bệnh kèm theo"),
    ("outcome", "Kết quả điều trị"),
    ("discharge_type", "Tình trạng ra viện"),
    ("blood_group", "Nhóm máu"),
    ("height", "Chiều cao"),
    ("weight", "Cân nặng"),
    ("tests", "Xét nghiệm"),
    ("test_results", "Kết quả xét nghiệm"),
    ("drugs", "Thuốc"),
    ("procedures", "Thủ thuật, phẫu thuật"),
    ("revisit_date", "Ngày tái khám"),
    ("advice", "Lời dặn"),
    ("referral", "Chuyển tuyến"),
    ("disease_course", "Quá trình bệnh lý"),
    ("key_lab_results", "Tóm tắt kết quả cận lâm sàng"),
    ("treatment", "Phương pháp điều trị"),
    ("summary_outcome", "Kết quả điều trị (tóm tắt)"),
    ("plan_notes", "Ghi chú, kế hoạch"),
    ("treating_doctor", "Bác sĩ điều trị"),
)
assert len(FIELDS) == 46
LABELS = dict(FIELDS)
# Template fields a citizen can fill from a phone, with the declaration field that fills them.
SELF_DECLARABLE: dict[str, str] = {
    "drug_allergy": "drug_allergies",
    "other_allergy": "other_allergies",
    "chronic_diseases": "chronic_conditions",
    "blood_group": "blood_group",
    "vaccinations": "vaccinations",
    "height": "height_cm",
    "weight": "weight_kg",
    "phone": "phone",
    "representative_name": "representative",
    "representative_relation": "representative",
    "representative_id": "representative",
    "representative_phone": "representative",
}


VISIT_FIELDS: dict[str, Callable[[Visit], bool]] = {  # template field -> this visit fills it
    "facility": lambda v: True,
    "visit_type": lambda v: bool(v.visit_type),
    "admitted_at": lambda v: True,
    "discharged_at": lambda v: v.discharged_at is not None,
    "reason": lambda v: bool(v.reason),
    "diagnosis_admission": lambda v: bool(v.diagnosis_admission),
    "diagnosis_discharge": lambda v: bool(v.diagnosis_discharge),
    "main_icd10": lambda v: bool(v.main_icd10),
    "secondary_icd10": lambda v: bool(v.secondary_icd10),
    "outcome": lambda v: bool(v.outcome),
    "discharge_type": lambda v: bool(v.discharge_type),
    "tests": lambda v: bool(v.labs),
    "test_results": lambda v: any(lab.value for lab in v.labs),
    "drugs": lambda v: bool(v.drugs),
    "procedures": lambda v: bool(v.procedures),
    "revisit_date": lambda v: v.revisit_date is not None,
    "advice": lambda v: bool(v.advice),
    "referral": lambda v: v.referral_to is not None,
    "disease_course": lambda v: bool(v.summary and v.summary.disease_course),
    "key_lab_results": lambda v: bool(v.summary and v.summary.key_results),
    "treatment": lambda v: bool(v.summary and v.summary.treatment),
    "summary_outcome": lambda v: bool(v.summary and v.summary.outcome),
    "plan_notes": lambda v: bool(v.summary and v.summary.notes),
    "treating_doctor": lambda v: bool(v.doctor_code),
}


def filled_by(visit: Visit) -> list[str]:
    """The template fields this visit fills."""
    return [name for name, fills in VISIT_FIELDS.items() if fills(visit)]
