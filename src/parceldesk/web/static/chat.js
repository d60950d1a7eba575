// parceldesk web chat. Every text is shown with textContent (never as HTML). Messages wait in a
// local outbox until the server has stored and answered them, so a dropped connection or a
// reload loses nothing; a resend carries the same client_message_id and is answered only once.
"use strict";
(function () {
  const UI = {
    zh: { title: "快递客服", language: "语言", typing: "客服正在输入…", your_message: "您的消息",
          placeholder: "请输入消息", send: "发送", restart: "开始新的对话", you: "您说",
          bot: "客服说", agent: "人工客服说", offline: "网络已断开，恢复后会自动重发…", failed: "发送失败：",
          joined: "{name} 已接入对话", left: "人工客服已结束服务，智能客服继续为您服务" },
    en: { title: "Parcel help", language: "Language", typing: "The assistant is typing…",
          your_message: "Your message", placeholder: "Type your message", send: "Send",
          restart: "Start a new conversation", you: "You said", bot: "Assistant said", agent: "Agent said",
          offline: "Connection lost — your message will be sent when it is back…",
          failed: "Not sent: ", joined: "{name} has joined the chat",
          left: "Our colleague has handed you back to the assistant." },
    id: { title: "Bantuan paket", language: "Bahasa", typing: "Asisten sedang mengetik…",
          your_message: "Pesan Anda", placeholder: "Tulis pesan Anda", send: "Kirim",
          restart: "Mulai percakapan baru", you: "Anda", bot: "Asisten", agent: "Agen",
          offline: "Koneksi terputus — pesan akan dikirim saat tersambung kembali…",
          failed: "Tidak terkirim: ", joined: "{name} bergabung dalam percakapan",
          left: "Agen kami telah menyerahkan Anda kembali ke asisten." },
  };
  const KEY = "parceldesk.chat";
  const $ = (id) => document.getElementById(id);
  let session = load(KEY) || null;
  let outbox = load(KEY + ".outbox") || [];
  let language = pickLanguage();
  let flushing = false;
  let polling = null;
  let live = null;
  let agentTyping = null;
  let lastTyping = 0;
  const shown = new Set();
  let backoff = 1000;

  function load(key) { try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; } }
  function save() {
    localStorage.setItem(KEY, JSON.stringify(session));
    localStorage.setItem(KEY + ".outbox", JSON.stringify(outbox));
  }
  function pickLanguage() {
    const asked = new URLSearchParams(location.search).get("lang");
    if (UI[asked]) return asked;
    if (session && UI[session.language]) return session.language;
    const nav = (navigator.language || "en").slice(0, 2);
    return UI[nav] ? nav : "en";
  }
  function t(key) { return UI[language][key]; }
  function applyLanguage() {
    document.documentElement.lang = language === "zh" ? "zh-CN" : language;
    $("language").value = language;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
      el.placeholder = t(el.dataset.i18nPlaceholder);
    });
  }
  function newId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function bubble(sender, text, id) {
    const item = document.createElement("li");
    item.className = "msg " + sender;
    if (id) item.dataset.id = id;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = t(sender === "customer" ? "you" : sender === "agent" ? "agent" : "bot") + ": ";
    item.append(who, document.createTextNode(text));
    $("messages").append(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }
  function quickReplies(options) {
    const box = $("quick");
    box.replaceChildren();
    (options || []).forEach((text) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = text;
      button.addEventListener("click", () => send(text));
      box.append(button);
    });
  }
  function status(text) { $("status").textContent = text || ""; }
  function typing(on) { $("typing").hidden = !on; }

  async function call(method, path, body) {
    const headers = { "Content-Type": "application/json" };
    if (session && session.token) headers.Authorization = "Bearer " + session.token;
    const response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const data = await response.json().catch(() => ({}));
    return { status: response.status, data, retryAfter: Number(response.headers.get("Retry-After")) };
  }

  async function start() {
    outbox = [];
    $("messages").replaceChildren();
    typing(true);
    try {
      const r = await call("POST", "/api/v1/conversations", { channel: "web", language });
      if (r.status !== 201) throw new Error((r.data.error || {}).message || r.status);
      session = { id: r.data.id, token: r.data.token, language };
      save();
      r.data.replies.forEach((text) => bubble("bot", text));
      quickReplies(r.data.quick_replies);
      status("");
    } catch (error) {
      status(t("offline"));
      setTimeout(start, 3000);
    } finally { typing(false); }
  }

  async function resume() {
    const r = await call("GET", "/api/v1/conversations/" + encodeURIComponent(session.id));
    if (r.status === 404 || r.status === 401) { session = null; return start(); }
    if (r.status !== 200) { status(t("offline")); return setTimeout(resume, 3000); }
    $("messages").replaceChildren();
    r.data.messages.forEach((m) => { bubble(m.sender, m.text); shown.add(m.seq); });
    if (r.data.handed_off) watchAgent();
    outbox.forEach((m) => bubble("customer", m.text, m.client_message_id).classList.add("pending"));
    flush();
  }

  function send(text) {
    text = text.trim();
    if (!text || !session) return;
    const message = { client_message_id: newId(), text };
    outbox.push(message);
    save();
    bubble("customer", text, message.client_message_id).classList.add("pending");
    quickReplies([]);
    flush();
  }

  async function flush() {
    if (flushing || !session) return;
    flushing = true;
    typing(true);
    try {
      while (outbox.length) {
        const message = outbox[0];
        let r;
        try {
          r = await call("POST", "/api/v1/conversations/" + encodeURIComponent(session.id) + "/messages", message);
        } catch (error) { r = { status: 0, data: {} }; }
        if (r.status === 200) {
          outbox.shift();
          save();
          backoff = 1000;
          status("");
          const mine = document.querySelector('[data-id="' + message.client_message_id + '"]');
          if (mine) mine.classList.remove("pending");
          r.data.replies.forEach((text) => bubble("bot", text));
          quickReplies(r.data.quick_replies);
          if (r.data.handed_off) watchAgent();
        } else if (r.status === 0 || r.status >= 500 || r.status === 409 || r.status === 429) {
          status(t("offline"));
          typing(false);
          const wait = r.status === 429 ? (r.retryAfter || 5) * 1000 : backoff;
          backoff = Math.min(backoff * 2, 15000);
          setTimeout(flush, wait);
          return;
        } else if (r.status === 404 || r.status === 401) {
          session = null; save(); return start();
        } else {
          outbox.shift();
          save();
          status(t("failed") + ((r.data.error || {}).message || r.status));
        }
      }
    } finally { flushing = false; if (!outbox.length) typing(false); }
  }

  // While a person has the conversation, their messages arrive over the WebSocket; if it cannot
  // be opened (or drops), they are fetched every few seconds instead.
  function showAgent(m) {
    if (!shown.has(m.seq)) bubble("agent", m.text);
    shown.add(m.seq);
  }
  function showSurvey(frame) {  // the bot's rating question once the person has finished
    if (!frame.bot || shown.has(frame.bot_seq)) return;
    shown.add(frame.bot_seq);
    bubble("bot", frame.bot);
    quickReplies(frame.quick_replies);
  }
  function watchAgent() {
    if (live || polling || !session) return;
    const url = location.origin.replace(/^http/, "ws") + "/api/v1/conversations/" +
      encodeURIComponent(session.id) + "/ws";
    try { live = new WebSocket(url); } catch (error) { return pollAgent(); }
    live.onopen = () => live.send(JSON.stringify({ type: "auth", token: session.token }));
    live.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "agent") { typing(false); showAgent(frame); }
      else if (frame.type === "joined") status(t("joined").replace("{name}", frame.name));
      else if (frame.type === "left") { status(t("left")); showSurvey(frame); }
      else if (frame.type === "signal" && frame.state === "typing") {
        typing(true);
        clearTimeout(agentTyping);
        agentTyping = setTimeout(() => typing(false), 4000);
      }
    };
    live.onclose = () => { live = null; pollAgent(); };
  }
  function pollAgent() {
    if (polling) return;
    polling = setInterval(async () => {
      if (!session) return;
      const r = await call("GET", "/api/v1/conversations/" + encodeURIComponent(session.id)).catch(() => null);
      if (!r || r.status !== 200) return;
      r.data.messages.forEach((m) => (m.sender === "agent" ? showAgent(m) : null));
      if (!r.data.handed_off) {  // handed back: what the bot said since (the rating question)
        clearInterval(polling); polling = null;
        const lastAgent = Math.max(-1, ...r.data.messages.filter((m) => m.sender === "agent").map((m) => m.seq));
        r.data.messages.filter((m) => lastAgent >= 0 && m.sender === "bot" && m.seq > lastAgent && !shown.has(m.seq))
          .forEach((m) => { shown.add(m.seq); bubble("bot", m.text); });
      }
    }, 2000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    applyLanguage();
    $("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      send($("text").value);
      $("text").value = "";
      $("text").focus();
    });
    $("text").addEventListener("input", () => {  // a person on the other side sees it
      if (!live || live.readyState !== WebSocket.OPEN || Date.now() - lastTyping < 2000) return;
      lastTyping = Date.now();
      live.send(JSON.stringify({ type: "typing" }));
    });
    $("text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("composer").requestSubmit();
      }
    });
    $("language").addEventListener("change", () => {
      language = $("language").value; applyLanguage(); session = null; save(); start();
    });
    $("restart").addEventListener("click", () => { session = null; save(); start(); });
    window.addEventListener("online", flush);
    if (session && session.language === language) resume(); else start();
  });
})();
