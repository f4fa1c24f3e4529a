""" "Who looked at my record", said in plain Vietnamese: who (role, facility), what, when, why and
how it ended, one sentence per access-log entry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

VN = timedelta(hours=7)
WHO = {
    "doctor": "Bác sĩ",
    "ward_officer": "Cán bộ y tế phường, xã",
    "leader": "Lãnh đạo ngành y tế",
    "hospital": "Hệ thống của bệnh viện",
    "operator": "Kỹ thuật viên vận hành hệ thống",
    "citizen": "Một người dùng khác",
}
WHAT = {
    "record.read": "xem hồ sơ sức khỏe của bạn",
    "record.history": "xem lịch sử hồ sơ của bạn",
    "record.emergency_access": "mở quyền xem khẩn cấp hồ sơ của bạn",
    "record.confirm": "xác nhận thông tin trong hồ sơ của bạn",
    "record.qr": "tạo mã QR để bạn tự khai thông tin",
    "record.export": "tải hồ sơ của bạn về",
    "fhir.patient": "xem thông tin hành chính của bạn qua chuẩn FHIR",
    "fhir.summary": "xem bản tóm tắt hồ sơ sức khỏe của bạn qua chuẩn FHIR",
    "fhir.everything": "xem toàn bộ hồ sơ sức khỏe của bạn qua chuẩn FHIR",
    "share.use": "xem hồ sơ của bạn qua đường chia sẻ bạn tạo",
    "reminders.read": "xem lịch nhắc của bạn",
    "person.read": "xem thông tin định danh của bạn",
    "identity.resolve": "tra cứu danh tính của bạn",
    "review.resolve": "xử lý nghi vấn trùng hồ sơ của bạn",
    "person.merge": "gộp hai hồ sơ trùng của bạn",
    "person.unmerge": "tách hồ sơ đã gộp của bạn",
    "dlq.read": "xem một dữ liệu khám bị từ chối có thông tin của bạn",
    "dlq.replay": "gửi lại một dữ liệu khám bị từ chối có thông tin của bạn",
    "access_log.read": "xem nhật ký truy cập của bạn",
}
OUTCOME = {
    "allowed": "",
    "denied": " nhưng đã bị từ chối",
    "not_found": " nhưng không tìm thấy",
}
PURPOSE = {
    "treatment": "khám, chữa bệnh",
    "emergency": "cấp cứu",
    "shared by the citizen": "bạn đã chia sẻ",
    "identification": "xác định danh tính",
    "registration": "đăng ký khám",
    "dead-letter handling": "xử lý dữ liệu khám bị lỗi",
    "integrity check": "kiểm tra tính toàn vẹn",
}


def when(at: str | datetime) -> str:
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    local = moment + VN - (moment.utcoffset() or timedelta())
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def sentence(access: dict[str, Any]) -> str:
    role = access.get("role", "")
    who = WHO.get(role, "Một người")
    if access.get("facility"):
        who += f" tại cơ sở {access['facility']}"
    elif access.get("ward") and role == "ward_officer":
        who += f" {access['ward']}"
    what = WHAT.get(access.get("action", ""), "truy cập dữ liệu sức khỏe của bạn")
    outcome = access.get("outcome", "")
    did = "đã yêu cầu" if outcome in ("denied", "not_found") else "đã"  # a refused look saw nothing
    text = f"{who} {did} {what}{OUTCOME.get(outcome, '')} lúc {when(access['at'])}"
    if purpose := PURPOSE.get(access.get("purpose", "")):
        text += f", mục đích: {purpose}"
    if access.get("emergency") and access.get("reason"):
        text += f". Lý do khẩn cấp được nêu: “{access['reason']}”"
    if access.get("record_version"):
        text += f". Phiên bản hồ sơ được xem: {access['record_version']}"
    return text + "."
