// The doctor's one-glance view of a record: alerts first ("none known" said as such, "not
// recorded" as a warning), then vitals with provenance, visits and appointments; without a
// care relationship, the emergency access with its coded purpose, reason and visible banner.
"use strict";

const $ = (id) => document.getElementById(id);
const person = location.pathname.split("/").pop();
const BADGES = { self_declared: "tự khai", facility_reported: "cơ sở y tế báo",
                 clinician_confirmed: "bác sĩ xác nhận" };

async function call(method, path, body) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const answer = await fetch(path, init);
  return { status: answer.status, data: await answer.json().catch(() => null) };
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function badge(fact) {
  const kind = fact && fact.source && fact.source.kind;
  return kind ? el("span", BADGES[kind] || kind, "badge") : null;
}

function items(value) {
  const list = (value && value.items) || [];
  return list.map((i) => [i.substance || i.name || i.icd10 || i.code, i.reaction || i.icd10 || ""]
    .filter(Boolean).join(" — ")).join("; ");
}

function alertRow(dl, label, fact, extra) {
  dl.append(el("dt", label));
  const dd = el("dd");
  if (!fact || fact.status === "not_recorded") {
    dd.append(el("span", "Chưa rõ: chưa được ghi nhận", "unknown"));
  } else if (fact.status === "none_known") {
    dd.append(el("span", "Không có (đã khai là không có)", "none"));
  } else {
    dd.append(el("span", items(fact.value) || String(fact.value)));
  }
  const b = badge(fact);
  if (b) dd.append(b);
  if (extra) dd.append(el("span", ` ${extra}`));
  dl.append(dd);
}

function render(r) {
  const id = r.identity || {};
  $("who").textContent = (id.name && id.name.value) || r.person_id;
  const known = (fact) => fact && fact.status === "recorded" && fact.value;
  const sexes = { male: "Nam", female: "Nữ" };
  $("born").textContent = [known(id.birth_date) && `Ngày sinh ${id.birth_date.value}`,
                           known(id.sex) && (sexes[id.sex.value] || id.sex.value)]
    .filter(Boolean).join(" · ");
  const a = r.alerts || {};
  const alerts = $("alerts");
  alerts.replaceChildren();
  alertRow(alerts, "Dị ứng thuốc", a.drug_allergies);
  alertRow(alerts, "Dị ứng khác", a.other_allergies);
  const chronic = a.chronic_conditions || {};
  const reported = (chronic.reported_by_facilities || []).join(", ");
  alertRow(alerts, "Bệnh mạn tính", chronic, reported && `(cơ sở y tế báo: ${reported})`);
  const meds = a.current_medications || {};
  alerts.append(el("dt", "Thuốc đang dùng"));
  alerts.append(el("dd", meds.items && meds.items.length
    ? meds.items.map((m) => m.name || m.code).join("; ") : "Không có thuốc nào được ghi nhận"));
  alertRow(alerts, "Nhóm máu", a.blood_group);

  const vitals = $("vitals");
  vitals.replaceChildren();
  for (const [key, label] of [["height_cm", "Chiều cao (cm)"], ["weight_kg", "Cân nặng (kg)"],
                              ["blood_pressure", "Huyết áp"]]) {
    const fact = (r.vitals || {})[key];
    vitals.append(el("dt", label));
    const dd = el("dd");
    if (!fact || fact.status !== "recorded") {
      dd.textContent = "chưa ghi nhận";
    } else {
      const v = fact.value;
      dd.append(el("span", typeof v === "object" ? `${v.systolic}/${v.diastolic}` : String(v)));
      dd.append(el("span", ` (${new Date(fact.source.at).toLocaleDateString("vi-VN")})`));
      dd.append(badge(fact));
    }
    vitals.append(dd);
  }
  $("visits").replaceChildren(...(r.encounters || []).slice(0, 5).map((e) =>
    el("li", [e.admitted_at && new Date(e.admitted_at).toLocaleDateString("vi-VN"),
              e.facility_code, e.main_icd10, e.diagnosis].filter(Boolean).join(" · "))));
  const labs = (r.labs || []).slice(-8).reverse();  // the latest first
  $("labs").replaceChildren(...(labs.length ? labs.map((l) =>
    el("li", [new Date(l.at).toLocaleDateString("vi-VN"), l.name,
              [l.value, l.unit].filter(Boolean).join(" "), l.conclusion]
      .filter(Boolean).join(" · "))) : [el("li", "Chưa có kết quả xét nghiệm nào.")]));
  $("appointments").replaceChildren(...(r.appointments || []).map((p) =>
    el("li", `${p.date} tại ${p.facility_code}`)));
}

const CHANGES = { visit_added: "Thêm lần khám", visit_revised: "Sửa lần khám",
                  self_declared: "Người dân tự khai", clinician_confirmed: "Bác sĩ xác nhận",
                  person_merged: "Gộp hồ sơ trùng", merged_away: "Gộp vào hồ sơ khác",
                  person_unmerged: "Tách hồ sơ đã gộp", restored: "Khôi phục hồ sơ",
                  person_updated: "Cập nhật thông tin hành chính" };

async function history() {
  const { status, data } = await call(
    "GET", `/v1/records/${encodeURIComponent(person)}/history?limit=20`);
  const list = $("history");
  if (status !== 200) {
    list.replaceChildren(el("li", "Không tải được lịch sử hồ sơ."));
    return;
  }
  list.replaceChildren(...data.items.map((h) => el("li",
    [`Phiên bản ${h.version}`, new Date(h.at).toLocaleString("vi-VN"),
     CHANGES[h.change] || h.change, h.by && `bởi ${h.by}`,
     h.sections && h.sections.length && `(${h.sections.join(", ")})`]
      .filter(Boolean).join(" · "))));
}

async function load() {
  const { status, data } = await call("GET", `/v1/records/${encodeURIComponent(person)}`);
  if (status === 401) {
    $("sign-in").href = `/staff?next=${encodeURIComponent(location.pathname)}`;
    show("signed-out");
  } else if (status === 403 || status === 404) {
    show("refused");
  } else if (status === 200) {
    render(data);
    show("record");
    await history();
  } else {
    $("status").textContent = (data && data.message) || "Không tải được hồ sơ.";
  }
}

function show(id) {
  for (const s of ["signed-out", "refused", "record"]) $(s).hidden = s !== id;
}

async function emergency(event) {
  event.preventDefault();
  const form = event.target;
  $("error-reason").textContent = "";
  const body = { purpose: form.purpose.value, reason: form.reason.value.trim() };
  const { status, data } = await call(
    "POST", `/v1/records/${encodeURIComponent(person)}/emergency-access`, body);
  if (status === 201) {
    const until = new Date(data.expires_at).toLocaleTimeString("vi-VN");
    const banner = $("emergency-banner");
    banner.textContent = `Đang truy cập khẩn cấp đến ${until}. Mọi lần xem được ghi lại và báo cho người bệnh.`;
    banner.hidden = false;
    await load();
    return;
  }
  const p = data && data.problems && data.problems[0];
  $("error-reason").textContent = (p && p.message) || (data && data.message) || "Không mở được.";
  form.reason.setAttribute("aria-invalid", "true");
}

document.addEventListener("DOMContentLoaded", () => {
  $("emergency").addEventListener("submit", emergency);
  load();
});
