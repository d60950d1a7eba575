// Live read-back of the new address while the customer types (text only, never HTML).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("address");
  const out = document.getElementById("preview");
  if (!box || !out) return;
  const csrf = document.querySelector('input[name="csrf"]').value;
  let timer = null;
  let latest = 0;
  async function preview() {
    const asked = ++latest;
    const text = box.value.trim();
    if (!text) { out.replaceChildren(); return; }
    try {
      const response = await fetch(out.dataset.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ address: text }),
      });
      const data = await response.json();
      if (asked !== latest) return;
      out.replaceChildren();
      if (!response.ok) {
        const p = document.createElement("p");
        p.className = "error";
        p.textContent = (data.error || {}).message || "";
        out.append(p);
        return;
      }
      const title = document.createElement("p");
      title.textContent = out.dataset.title + ":";
      const list = document.createElement("dl");
      list.className = "facts";
      data.fields.forEach(([label, value]) => {
        const dt = document.createElement("dt");
        dt.textContent = label;
        const dd = document.createElement("dd");
        dd.textContent = value;
        list.append(dt, dd);
      });
      const note = document.createElement("p");
      note.textContent = data.text;
      out.append(title, list, note);
    } catch (error) { /* offline: the form still works without the preview */ }
  }
  box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(preview, 350); });
  if (box.value) preview();
});
