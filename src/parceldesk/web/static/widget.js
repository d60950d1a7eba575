// parceldesk chat widget: put <script src="https://<parceldesk>/static/widget.js" data-lang="zh"
// defer></script> on a page of an allowed origin (PARCELDESK_EMBED_ORIGINS). It adds a button
// that opens the web chat in a frame; nothing of the host page is read or sent.
"use strict";
(function () {
  const script = document.currentScript;
  const origin = new URL(script.src).origin;
  const lang = script.dataset.lang || "";
  const labels = { zh: ["在线客服", "关闭"], en: ["Chat with us", "Close"], id: ["Chat dengan kami", "Tutup"] };
  const [open, close] = labels[lang] || labels.en;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = open;
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483646;padding:12px 18px;" +
    "border:0;border-radius:24px;background:#0b5cad;color:#fff;font:16px system-ui,sans-serif;cursor:pointer";
  const frame = document.createElement("iframe");
  frame.title = open;
  frame.src = origin + "/chat" + (lang ? "?lang=" + encodeURIComponent(lang) : "");
  frame.hidden = true;
  frame.style.cssText = "position:fixed;right:16px;bottom:72px;z-index:2147483647;width:min(380px,calc(100vw - 32px));" +
    "height:min(600px,calc(100vh - 96px));border:1px solid #c9d0d8;border-radius:12px;background:#fff";
  button.addEventListener("click", () => {
    frame.hidden = !frame.hidden;
    button.textContent = frame.hidden ? open : close;
    button.setAttribute("aria-expanded", String(!frame.hidden));
  });
  document.body.append(frame, button);
})();
