// The citizen's page: open the record with a QR code, see what is missing, declare it, see who
// looked. Plain script, no framework; every call is the /v1/me API with the session cookie.
"use strict";

const TEXT = {
  vi: {
    title: "Hồ sơ sức khỏe của tôi", lang: "English",
    open_intro: "Mã QR này mở hồ sơ sức khỏe của bạn. Mỗi mã chỉ dùng được một lần.",
    open_button: "Mở hồ sơ của tôi", opening: "Đang mở hồ sơ…", loading: "Đang tải…",
    scan: "Hãy quét mã QR mà cán bộ y tế phường đưa cho bạn để mở hồ sơ.",
    filled: (f, t) => `Hồ sơ đã có ${f}/${t} mục (${Math.round((100 * f) / t)}%).`,
    complete: "Hồ sơ đã đầy đủ. Cảm ơn bạn!",
    next_title: "Nên khai báo trước:",
    why: "Bác sĩ cần biết điều này để chữa trị an toàn cho bạn, nhất là khi cấp cứu.",
    missing_title: "Các mục còn thiếu", form_title: "Tự khai báo",
    height: "Chiều cao (cm)", weight: "Cân nặng (kg)", pressure: "Huyết áp (mmHg)",
    systolic: "Số trên (tâm thu)", diastolic: "Số dưới (tâm trương)", blood_group: "Nhóm máu",
    unknown: "Chưa biết", no_drug_allergy: "Tôi không bị dị ứng thuốc nào",
    no_chronic: "Tôi không mắc bệnh mạn tính nào", save: "Lưu",
    saved: "Đã lưu. Cảm ơn bạn!", nothing: "Bạn chưa điền mục nào.",
    fix: "Có mục chưa đúng, vui lòng xem lại.",
    log_title: "Ai đã xem hồ sơ của tôi", log_empty: "Chưa có ai xem hồ sơ của bạn.",
    sign_out: "Đăng xuất", signed_out: "Bạn đã đăng xuất.",
    failed: "Không kết nối được. Vui lòng thử lại.",
    self: "tự khai", facility: "cơ sở y tế báo", confirmed: "bác sĩ xác nhận",
    share_title: "Chia sẻ với bác sĩ",
    share_intro: "Cho bác sĩ quét mã để xem hồ sơ của bạn trong thời gian bạn chọn. Bạn thu hồi được bất cứ lúc nào.",
    share_scope: "Bác sĩ được xem", scope_summary: "Tóm tắt: dị ứng, bệnh mạn tính, thuốc, chỉ số",
    scope_full: "Toàn bộ hồ sơ", share_hours: "Trong bao lâu", hours_1: "1 giờ",
    hours_24: "1 ngày", hours_168: "7 ngày", share_button: "Tạo mã chia sẻ",
    share_qr: "Mã QR chia sẻ hồ sơ với bác sĩ",
    share_until: (d) => `Bác sĩ quét mã này để xem hồ sơ, đến ${d}.`,
    share_active: (s, d) => `${s === "full" ? "Toàn bộ" : "Tóm tắt"}, đến ${d}`,
    revoke: "Thu hồi", revoked: "Đã thu hồi. Mã không còn mở được hồ sơ.",
    reminders_title: "Nhắc nhở", reminders_link: "Chọn cách nhận nhắc nhở",
  },
  en: {
    title: "My health record", lang: "Tiếng Việt",
    open_intro: "This QR code opens your health record. Each code works once.",
    open_button: "Open my record", opening: "Opening your record…", loading: "Loading…",
    scan: "Scan the QR code your ward health officer gave you to open your record.",
    filled: (f, t) => `Your record has ${f} of ${t} items (${Math.round((100 * f) / t)}%).`,
    complete: "Your record is complete. Thank you!",
    next_title: "Best to declare first:",
    why: "Doctors need to know this to treat you safely, above all in an emergency.",
    missing_title: "Items still missing", form_title: "Declare it yourself",
    height: "Height (cm)", weight: "Weight (kg)", pressure: "Blood pressure (mmHg)",
    systolic: "Upper number (systolic)", diastolic: "Lower number (diastolic)",
    blood_group: "Blood group", unknown: "Not known", no_drug_allergy: "I have no drug allergy",
    no_chronic: "I have no chronic disease", save: "Save",
    saved: "Saved. Thank you!", nothing: "You have not filled anything in.",
    fix: "Something is not right; please check.",
    log_title: "Who looked at my record", log_empty: "Nobody has looked at your record yet.",
    sign_out: "Sign out", signed_out: "You are signed out.",
    failed: "Could not connect. Please try again.",
    self: "self-declared", facility: "facility-reported", confirmed: "confirmed by a doctor",
    share_title: "Share with a doctor",
    share_intro: "Let a doctor scan a code to see your record for as long as you choose. You can take it back at any time.",
    share_scope: "The doctor may see", scope_summary: "Summary: allergies, chronic diseases, medicines, vitals",
    scope_full: "The whole record", share_hours: "For how long", hours_1: "1 hour",
    hours_24: "1 day", hours_168: "7 days", share_button: "Make a sharing code",
    share_qr: "QR code sharing the record with a doctor",
    share_until: (d) => `A doctor scans this code to see your record, until ${d}.`,
    share_active: (s, d) => `${s === "full" ? "Whole record" : "Summary"}, until ${d}`,
    revoke: "Take back", revoked: "Taken back. The code opens nothing now.",
    reminders_title: "Reminders", reminders_link: "Choose how you are reminded",
  },
};
const BADGE = { self_declared: "self", facility_reported: "facility", clinician_confirmed: "confirmed" };
let lang = localStorage.getItem("hssk-lang") === "en" ? "en" : "vi";
let record = null;
const $ = (id) => document.getElementById(id);
const t = (key, ...args) => {
  const value = TEXT[lang][key];
  return typeof value === "function" ? value(...args) : value;
};

function translate() {
  document.documentElement.lang = lang;
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  $("lang").textContent = t("lang");
  $("lang").lang = lang === "vi" ? "en" : "vi";
  if (record) render(record);
}

const localTime = (iso) => new Date(iso).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB");

function show(...ids) {
  for (const id of ["open", "signed-out", "record", "declare", "share", "reminders", "log",
                    "sign-out"]) {
    $(id).hidden = !ids.includes(id);
  }
}

function say(key, message) {
  $("status").textContent = message || (key ? t(key) : "");
}

async function call(method, path, body) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const answer = await fetch(path, init);
  const data = answer.status === 204 ? null : await answer.json().catch(() => null);
  return { status: answer.status, data };
}

function message(data) {
  if (!data) return t("failed");
  const en = lang === "en";
  if (data.problems && data.problems.length) {
    const p = data.problems[0];
    return (en && p.message_en) || p.message;
  }
  return (en && data.message_en) || data.message || (data.detail && data.detail.message) || t("failed");
}

async function openWithCode(token) {
  say("opening");
  try {
    const { status, data } = await call("POST", "/v1/qr/redeem", { token, deliver: "cookie" });
    if (status !== 200) {
      say(null, message(data));
      return;
    }
    history.replaceState(null, "", "/me"); // the code leaves the address bar and the history
    await load();
  } catch (e) {
    say("failed");
  }
}

async function load() {
  say("loading");
  try {
    const { status, data } = await call("GET", "/v1/me");
    if (status === 401 || status === 403) {
      say();
      show("signed-out");
      return;
    }
    if (status !== 200) {
      say(null, message(data));
      return;
    }
    record = data;
    say();
    render(record);
    show("record", "declare", "share", "reminders", "log", "sign-out");
    await Promise.all([loadLog(), loadShares()]);
  } catch (e) {
    say("failed");
  }
}

function badge(fact) {
  const kind = fact && fact.source && BADGE[fact.source.kind];
  return kind ? ` <span class="badge">${t(kind)}</span>` : "";
}

function text(value) {
  const span = document.createElement("span");
  span.textContent = value == null ? "" : String(value);
  return span.innerHTML;
}

function render(r) {
  const name = r.identity && r.identity.name && r.identity.name.value;
  $("name").textContent = name || "";
  const c = r.completeness;
  if (c) {
    $("bar").max = c.total;
    $("bar").value = c.filled;
    $("filled").textContent = c.filled === c.total ? t("complete") : t("filled", c.filled, c.total);
    $("next").hidden = !c.best_next;
    $("next-label").textContent = c.best_next_label || c.best_next || "";
    const list = $("missing");
    list.replaceChildren(
      ...(c.missing_labels || []).map((m) => {
        const li = document.createElement("li");
        li.textContent = m.label;
        return li;
      }),
    );
  }
  for (const [id, key] of [["height_cm", "height_cm"], ["weight_kg", "weight_kg"]]) {
    const fact = r.vitals && r.vitals[key];
    const label = document.querySelector(`label[for=${id}]`);
    label.innerHTML = text(t(id === "height_cm" ? "height" : "weight")) +
      (fact && fact.status === "recorded" ? `: ${text(fact.value)}${badge(fact)}` : "");
  }
}

async function loadLog() {
  const { status, data } = await call("GET", "/v1/me/access-log?limit=20");
  const list = $("entries");
  if (status !== 200) return;
  const entries = [...(data.emergencies || []), ...(data.entries || [])];
  if (!entries.length) {
    const li = document.createElement("li");
    li.textContent = t("log_empty");
    list.replaceChildren(li);
    return;
  }
  const seen = new Set();
  list.replaceChildren(
    ...entries.filter((e) => !seen.has(e.seq) && seen.add(e.seq)).map((e) => {
      const li = document.createElement("li");
      const when = document.createElement("span");
      when.className = "when";
      when.textContent = localTime(e.at);
      li.append(when, document.createTextNode(e.text_vi || e.action));
      return li;
    }),
  );
}

async function loadShares() {
  const { status, data } = await call("GET", "/v1/me/shares");
  if (status !== 200) return;
  $("shares").replaceChildren(...data.items.filter((s) => s.active).reverse().map((s) => {
    const li = document.createElement("li");
    li.append(document.createTextNode(`${t("share_active", s.scope, localTime(s.expires_at))} `));
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = t("revoke");
    button.addEventListener("click", async () => {
      const answer = await call("DELETE", `/v1/me/shares/${encodeURIComponent(s.share_id)}`);
      if (answer.status === 200) {
        $("share-made").hidden = true;
        say("revoked");
        await loadShares();
      } else {
        say(null, message(answer.data));
      }
    }, { once: true });
    li.append(button);
    return li;
  }));
}

async function share(event) {
  event.preventDefault();
  const form = event.target;
  const body = { scope: form.scope.value, hours: Number(form.hours.value) };
  const { status, data } = await call("POST", "/v1/me/shares", body);
  if (status !== 201) {
    say(null, message(data));
    return;
  }
  const img = $("share-qr");  // the code as the API drew it, shown as an image (CSP: data:)
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(data.svg)}`;
  img.alt = t("share_qr");
  $("share-until").textContent = t("share_until", localTime(data.expires_at));
  $("share-made").hidden = false;
  await loadShares();
}

function declaration(form) {
  const body = {};
  const number = (name) => (form[name].value.trim() === "" ? null : Number(form[name].value));
  if (number("height_cm") !== null) body.height_cm = number("height_cm");
  if (number("weight_kg") !== null) body.weight_kg = number("weight_kg");
  if (number("systolic") !== null || number("diastolic") !== null) {
    body.blood_pressure = { systolic: number("systolic"), diastolic: number("diastolic") };
  }
  if (form.blood_group.value) body.blood_group = form.blood_group.value;
  if (form.no_drug_allergy.checked) body.drug_allergies = { none_known: true };
  if (form.no_chronic.checked) body.chronic_conditions = { none_known: true };
  return body;
}

function clearErrors(form) {
  for (const el of form.querySelectorAll(".error")) el.textContent = "";
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

async function submit(event) {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  $("saved").textContent = "";
  const body = declaration(form);
  if (!Object.keys(body).length) {
    $("saved").textContent = t("nothing");
    return;
  }
  try {
    const { status, data } = await call("PATCH", "/v1/me/declaration", body);
    if (status === 422 && data && data.problems) {
      for (const p of data.problems) {
        const field = String(p.field || "").split(".")[0];
        const slot = $(`error-${field}`) || $("status");
        slot.textContent = (lang === "en" && p.message_en) || p.message;
        const input = form[field] || form.systolic;
        if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
      }
      (form.querySelector("[aria-invalid=true]") || form).focus();
      return;
    }
    if (status !== 200) {
      say(null, message(data));
      return;
    }
    record = data;
    render(record);
    form.reset();
    $("saved").textContent = t("saved");
  } catch (e) {
    say("failed");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  translate();
  $("lang").addEventListener("click", () => {
    lang = lang === "vi" ? "en" : "vi";
    localStorage.setItem("hssk-lang", lang);
    translate();
  });
  $("form").addEventListener("submit", submit);
  $("share-form").addEventListener("submit", share);
  $("sign-out").addEventListener("click", async () => {
    await call("POST", "/me/sign-out");
    record = null;
    show("signed-out");
    say("signed_out");
  });
  const code = location.pathname.match(/^\/q\/([A-Za-z0-9_.-]+)$/);
  if (code) {
    show("open");
    $("open-button").addEventListener("click", () => openWithCode(code[1]), { once: true });
  } else {
    load();
  }
});
