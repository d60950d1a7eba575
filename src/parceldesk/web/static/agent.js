// parceldesk agent workspace: the conversation live over a WebSocket (the customer's and the
// bot's lines, the customer typing or leaving), replies sent over it, suggested replies filled
// into the message box. Every text is shown with textContent (never as HTML). Without the
// socket, the page's forms still work.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const LABEL = { customer: "Customer", bot: "Bot", agent: "Agent" };
  let socket = null;
  let quietTimer = null;
  let lastTyping = 0;

  function addLine(sender, text, seq) {
    const list = $("transcript");
    if (seq !== undefined && list.querySelector('[data-seq="' + seq + '"]')) return;
    const item = document.createElement("li");
    item.className = "line " + sender;
    if (seq !== undefined) item.dataset.seq = String(seq);
    const who = document.createElement("span");
    who.className = "sender";
    who.textContent = LABEL[sender] || sender;
    const time = document.createElement("time");
    time.textContent = new Date().toISOString().slice(11, 16);
    const body = document.createElement("p");
    body.textContent = text;
    item.append(who, " ", time, body);
    list.append(item);
    item.scrollIntoView({ block: "end" });
  }
  function presence(text, fade) {
    $("presence").textContent = text;
    clearTimeout(quietTimer);
    if (fade) quietTimer = setTimeout(() => { $("presence").textContent = ""; }, 4000);
  }
  function onFrame(frame) {
    if (frame.type === "lines") frame.lines.forEach((l) => addLine(l.sender, l.text, l.seq));
    else if (frame.type === "agent") addLine("agent", frame.text, frame.seq);
    else if (frame.type === "signal" && frame.state === "typing") presence("The customer is typing…", true);
    else if (frame.type === "signal" && frame.state === "here") presence("The customer is in the chat.", true);
    else if (frame.type === "signal" && frame.state === "left") presence("The customer has left the chat.", false);
    else if (frame.type === "joined") presence(frame.name + " has joined the conversation.", true);
    else if (frame.type === "left") presence(frame.name + " has handed the conversation back.", false);
    else if (frame.type === "error") presence("Not sent: " + frame.message, false);
    else if (frame.type === "sent") $("reply").value = "";
  }
  function connect(desk) {
    const url = location.origin.replace(/^http/, "ws") + "/agent/conversations/" +
      encodeURIComponent(desk.dataset.conversation) + "/ws";
    socket = new WebSocket(url);
    socket.onmessage = (event) => onFrame(JSON.parse(event.data));
    socket.onclose = () => { socket = null; setTimeout(() => connect(desk), 3000); };
  }
  document.addEventListener("DOMContentLoaded", () => {
    const desk = $("desk");
    if (!desk) return;
    document.querySelectorAll("[data-reply]").forEach((chip) => chip.addEventListener("click", () => {
      $("reply").value = chip.dataset.reply;
      $("reply").focus();
    }));
    connect(desk);
    const form = $("reply-form");
    if (!form) return;
    form.addEventListener("submit", (event) => {
      if (!socket || socket.readyState !== WebSocket.OPEN) return; // the form posts instead
      event.preventDefault();
      socket.send(JSON.stringify({ type: "message", text: $("reply").value }));
    });
    $("reply").addEventListener("input", () => {
      if (!socket || socket.readyState !== WebSocket.OPEN || Date.now() - lastTyping < 2000) return;
      lastTyping = Date.now();
      socket.send(JSON.stringify({ type: "typing" }));
    });
    $("reply").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  });
})();
