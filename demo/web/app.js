// supportbot demo page: three panes fed by /api/events (server-sent events).
// Every message the bot sends arrives here through the outbox, as it would
// reach WhatsApp or Telegram; what is typed here goes to the engine.
"use strict";

const $ = (id) => document.getElementById(id);
let ui = {};
let managers = new Set();
let people = new Map();
const byOutbox = new Map(); // outbox id -> message element
let staffReplyTo = 0;
let busy = 0;

let lang = "fa";

function t(key) { return ui[key] || key; }

// Numbers the page writes itself, in the digits of the bot's language.
function num(n) {
  const s = String(n);
  return lang === "fa" ? s.replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]) : s;
}

async function api(path, body) {
  setBusy(+1);
  try {
    const r = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      showStatus(t("demo.error") + ": " + (data.error || r.status));
      return false;
    }
    showStatus("");
    return data;
  } catch (e) {
    showStatus(t("demo.error") + ": " + e);
    return false;
  } finally {
    setBusy(-1);
  }
}

function setBusy(d) {
  busy += d;
  document.body.classList.toggle("busy", busy > 0);
  for (const b of document.querySelectorAll("#clock-bar button")) b.disabled = busy > 0;
}

function showStatus(text) {
  const s = $("status");
  s.textContent = text;
  s.hidden = !text;
}

// Where a message goes: the outbox address decides the pane.
function paneOf(chat) {
  if (chat.startsWith("whatsapp:")) return "customer";
  if (chat === "telegram:managers") return "manager";
  const m = /^telegram:user:(\d+)$/.exec(chat);
  if (m && managers.has(Number(m[1]))) return "manager";
  return "staff";
}

// Generic reading of fields the desk may add to an outbox row: an edit of
// an earlier message ("Edit", "EditOf", … = its outbox id) and a topic
// ("Thread", "TopicID", … = the ticket or thread it belongs to).
function fieldLike(msg, re) {
  if (!msg) return 0;
  for (const [k, v] of Object.entries(msg)) {
    if (!re.test(k) || !v) continue;
    const n = typeof v === "string" ? Number(v.replace(/^m/, "")) : Number(v);
    if (n > 0) return n;
  }
  return 0;
}
const editOf = (msg) => fieldLike(msg, /^edit/i);
const threadOf = (msg) => fieldLike(msg, /thread|topic/i);

// Telegram shows a mention as the person's name.
function mentions(text) {
  return text.replace(/tg:\/\/user\?id=(\d+)/g, (all, id) => {
    const p = people.get(Number(id));
    return p ? "\u2068@" + p + "\u2069" : all;
  });
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function fileNode(f) {
  const box = el("div", "file-box");
  if (f.url && f.kind === "image") {
    const img = el("img");
    img.alt = f.name;
    img.addEventListener("load", () => {
      const box = img.closest(".msgs");
      if (box) box.scrollTop = box.scrollHeight;
    });
    img.src = f.url;
    box.append(img);
  } else if (f.url && (f.kind === "voice" || f.kind === "audio")) {
    const a = el("audio");
    a.controls = true;
    a.src = f.url;
    box.append(a);
  }
  box.append(el("div", "file", "📎 " + f.name + " · " + f.size));
  return box;
}

function fill(node, ev) {
  node.replaceChildren();
  const msg = ev.message;
  if (ev.kind === "in" && ev.from) node.append(el("div", "from", ev.from));
  if (ev.kind === "out" && !ev.chat.startsWith("whatsapp:")) node.append(el("div", "from", t("demo.bot")));
  if (ev.reply_to && byOutbox.has(ev.reply_to)) {
    const q = byOutbox.get(ev.reply_to).querySelector(".text");
    node.append(el("div", "quote", q ? q.textContent.split("\n")[0] : ""));
  }
  if (ev.file) node.append(fileNode(ev.file));
  if (ev.button) node.append(el("div", "chip", "🔘 " + ev.button));
  if (ev.text) node.append(el("div", "text", ev.kind === "out" ? mentions(ev.text) : ev.text));
  if (ev.buttons && ev.buttons.length) {
    const row = el("div", "buttons");
    // Rows as the Telegram transport lays them out: one row of up to four,
    // else two a row.
    const perRow = ev.buttons.length > 4 ? 2 : ev.buttons.length;
    row.style.gridTemplateColumns = "repeat(" + perRow + ", 1fr)";
    for (const b of ev.buttons) {
      const btn = el("button", "", b.label);
      btn.type = "button";
      btn.dataset.callback = b.data;
      btn.addEventListener("click", () => press(ev.chat, b.data));
      row.append(btn);
    }
    node.append(row);
  }
  const meta = el("div", "meta");
  const thread = threadOf(msg);
  if (thread) meta.append(el("span", "chip topic", t("demo.topic") + " " + num(thread)));
  if (ev.chat.startsWith("telegram:user:")) meta.append(el("span", "chip private", t("demo.private")));
  if (ev.ticket && ev.kind === "out" && !ev.chat.startsWith("whatsapp:")) {
    meta.append(el("span", "chip", t("demo.ticket") + " " + num(ev.ticket)));
  }
  if (node.dataset.edited) meta.append(el("span", "chip", t("demo.edited")));
  if (ev.kind === "out" && ev.chat.startsWith("telegram:")) {
    const r = el("button", "reply-link", t("demo.reply"));
    r.type = "button";
    r.addEventListener("click", () => startReply(ev));
    meta.append(r);
  }
  meta.append(el("span", "", ev.at || ""));
  node.append(meta);
}

function add(ev) {
  const pane = paneOf(ev.chat);
  const box = $(pane + "-msgs");
  const target = ev.kind === "out" ? editOf(ev.message) : 0;
  if (target && byOutbox.has(target)) {
    const node = byOutbox.get(target);
    node.dataset.edited = "1";
    fill(node, Object.assign({}, ev, { outbox: target }));
    node.classList.remove("edited-now");
    void node.offsetWidth;
    node.classList.add("edited-now");
    return;
  }
  const node = el("div", "msg");
  node.dataset.seq = ev.seq;
  if (ev.kind === "in") node.classList.add("mine");
  if (ev.outbox) {
    node.dataset.outbox = ev.outbox;
    byOutbox.set(ev.outbox, node);
  }
  if (ev.buttons && ev.buttons.length && ev.ticket) node.classList.add("card");
  if (ev.kind === "out" && /^[⛔⚠⏰]/.test(ev.text || "")) node.classList.add("alert");
  if (pane === "customer") {
    node.dataset.phone = ev.chat.slice("whatsapp:".length);
    node.hidden = node.dataset.phone !== $("customer-pick").value;
    if (node.hidden) unread(node.dataset.phone, true);
  }
  fill(node, ev);
  const empty = box.querySelector(".empty");
  if (empty) empty.remove();
  box.append(node);
  box.scrollTop = box.scrollHeight;
}

// unread marks a customer in the picker whose chat has news not shown.
function unread(phone, on) {
  for (const o of $("customer-pick").options) {
    if (o.value !== phone) continue;
    o.textContent = (on ? "● " : "") + o.dataset.label;
  }
}

function clock(c) {
  $("clock-label").textContent = c.label;
  const b = $("clock-open");
  b.textContent = c.open ? t("demo.clock.open") : t("demo.clock.closed");
  b.classList.toggle("open", c.open);
}

function divider(c) {
  for (const pane of ["staff", "manager"]) {
    const box = $(pane + "-msgs");
    box.append(el("div", "divider", "🕘 " + c.label));
    box.scrollTop = box.scrollHeight;
  }
}

function handle(ev) {
  if (ev.kind === "clock") {
    clock(ev.clock);
    if (ev.seq > 1) divider(ev.clock);
    return;
  }
  add(ev);
}

function startReply(ev) {
  const pane = paneOf(ev.chat);
  if (pane !== "staff") {
    $(pane + "-text").focus();
    return;
  }
  staffReplyTo = ev.outbox;
  $("staff-replying-text").textContent = (ev.text || "").split("\n")[0];
  $("staff-replying").hidden = false;
  $("staff-text").focus();
}

function cancelReply() {
  staffReplyTo = 0;
  $("staff-replying").hidden = true;
}

function chatOf(address) {
  if (address === "telegram:managers") return "managers";
  if (address.startsWith("telegram:user:")) return "private";
  return "staff";
}

async function press(address, data) {
  const pane = paneOf(address);
  const user = Number($(pane === "manager" ? "manager-as" : "staff-as").value);
  await api("/api/staff", { chat: chatOf(address), user, callback: data });
}

async function sendCustomer(sample) {
  const area = $("customer-text");
  const text = area.value;
  if (!text.trim() && !sample) return;
  // Cleared at once, as a phone does, so what is typed next is kept; put
  // back if the bot refused it.
  area.value = "";
  const ok = await api("/api/customer", { phone: $("customer-pick").value, text, sample: sample || "" });
  if (!ok && !area.value) area.value = text;
}

async function sendStaff() {
  const area = $("staff-text");
  const text = area.value;
  if (!text.trim()) return;
  const replyTo = staffReplyTo;
  area.value = "";
  cancelReply();
  const ok = await api("/api/staff", { chat: "staff", user: Number($("staff-as").value), text, reply_to: replyTo });
  if (!ok && !area.value) area.value = text;
}

async function sendManager(text) {
  if (!text.trim()) return false;
  return api("/api/staff", { chat: "managers", user: Number($("manager-as").value), text });
}

function enterSends(area, send) {
  area.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  });
}

function options(select, items) {
  for (const it of items) {
    const o = el("option", "", it.text);
    o.value = it.value;
    o.dataset.label = it.text;
    select.append(o);
  }
}

async function start() {
  const st = await (await fetch("/api/state")).json();
  ui = st.ui;
  lang = st.lang;
  document.documentElement.lang = st.lang;
  document.documentElement.dir = st.lang === "fa" ? "rtl" : "ltr";
  document.title = t("demo.title");
  const texts = {
    title: "demo.title", note: "demo.note", "clock-name": "demo.clock",
    "clock-hour": "demo.clock.hour", "clock-opening": "demo.clock.opening",
    "clock-day": "demo.clock.day", "clock-month_end": "demo.clock.month_end",
    "customer-title": "demo.pane.customer", "customer-pick-label": "demo.customer.pick",
    "customer-photo": "demo.sample.photo", "customer-voice": "demo.sample.voice",
    "customer-send": "demo.send", "staff-title": "demo.pane.staff", "staff-as-label": "demo.staff.as",
    "staff-send": "demo.send", "staff-replying-label": "demo.replying", "staff-reply-cancel": "demo.cancel",
    "manager-title": "demo.pane.manager", "manager-as-label": "demo.staff.as", "manager-send": "demo.send",
    "manager-digest": "demo.manager.digest", "manager-usage": "demo.manager.usage",
    "manager-outage-on": "demo.manager.outage_on", "manager-outage-off": "demo.manager.outage_off",
  };
  for (const [id, key] of Object.entries(texts)) $(id).textContent = t(key);
  $("customer-text").placeholder = t("demo.placeholder.customer");
  $("staff-text").placeholder = t("demo.placeholder.staff");
  $("manager-text").placeholder = t("demo.placeholder.staff");
  for (const p of st.staff.concat(st.managers)) people.set(p.id, p.name);
  managers = new Set(st.managers.map((p) => p.id));
  options($("customer-pick"), st.customers.map((c) => ({ value: c.phone, text: c.name + " " + c.label })));
  options($("staff-as"), st.staff.map((p) => ({ value: p.id, text: p.name })));
  options($("manager-as"), st.managers.map((p) => ({ value: p.id, text: p.name })));
  for (const box of ["customer-msgs", "staff-msgs", "manager-msgs"]) $(box).append(el("div", "empty", t("demo.empty")));
  clock(st.clock);

  $("customer-pick").addEventListener("change", () => {
    const phone = $("customer-pick").value;
    unread(phone, false);
    for (const m of $("customer-msgs").querySelectorAll(".msg")) m.hidden = m.dataset.phone !== phone;
    $("customer-msgs").scrollTop = $("customer-msgs").scrollHeight;
  });
  $("customer-form").addEventListener("submit", (e) => { e.preventDefault(); sendCustomer(); });
  $("customer-photo").addEventListener("click", () => sendCustomer("photo"));
  $("customer-voice").addEventListener("click", () => sendCustomer("voice"));
  enterSends($("customer-text"), () => sendCustomer());
  $("staff-form").addEventListener("submit", (e) => { e.preventDefault(); sendStaff(); });
  enterSends($("staff-text"), sendStaff);
  $("staff-reply-cancel").addEventListener("click", cancelReply);
  const mgr = async () => {
    const area = $("manager-text");
    const text = area.value;
    area.value = "";
    if (!(await sendManager(text)) && !area.value) area.value = text;
  };
  $("manager-form").addEventListener("submit", (e) => { e.preventDefault(); mgr(); });
  enterSends($("manager-text"), mgr);
  for (const b of document.querySelectorAll(".quick button")) {
    b.addEventListener("click", () => sendManager(b.dataset.command));
  }
  for (const b of document.querySelectorAll("#clock-bar button")) {
    b.addEventListener("click", () => api("/api/clock", { move: b.dataset.move }));
  }

  const es = new EventSource("/api/events");
  es.onmessage = (m) => { showStatus(""); handle(JSON.parse(m.data)); };
  es.onerror = () => showStatus(t("demo.offline"));
  document.body.dataset.ready = "1";
}

start();
