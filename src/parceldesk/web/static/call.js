// The browser "phone": microphone → 8 kHz μ-law media frames over /api/v1/voice/media, the bot's
// μ-law audio played back, marks echoed once played, `clear` stops playback (barge-in), keypad
// buttons send DTMF. The same convention a SIP gateway speaks, so the same server code answers.
"use strict";
(() => {
  const RATE = 8000, FRAME = 160; // 20 ms of 8 kHz audio
  const WORDS = {
    en: {title: "Call parcel help", idle: "Not connected.", call: "Call", hang_up: "Hang up",
         heard: "Bot audio received", connecting: "Connecting…", connected: "Connected: speak after the greeting, or use the keypad.",
         ended: "Call ended.", no_mic: "The microphone is not available: ", error: "The call failed: ", pressed: "You pressed ",
         caller: "You said", bot: "Assistant said"},
    zh: {title: "拨打快递客服", idle: "未接通。", call: "拨打", hang_up: "挂断", heard: "已收到语音",
         connecting: "正在接通…", connected: "已接通：听完问候后请说话，也可以用键盘。", ended: "通话已结束。",
         no_mic: "无法使用麦克风：", error: "通话失败：", pressed: "您按了 ", caller: "您说", bot: "客服说"},
    id: {title: "Telepon layanan paket", idle: "Belum terhubung.", call: "Telepon", hang_up: "Tutup",
         heard: "Audio diterima", connecting: "Menghubungkan…", connected: "Terhubung: bicaralah setelah salam, atau pakai tombol.",
         ended: "Panggilan selesai.", no_mic: "Mikrofon tidak tersedia: ", error: "Panggilan gagal: ", pressed: "Anda menekan ",
         caller: "Anda", bot: "Asisten"},
  };
  const $ = (id) => document.getElementById(id);
  const language = $("language"), status = $("status"), log = $("log");
  let socket = null, context = null, microphone = null, processor = null;
  let playhead = 0, sources = [], marks = [], received = 0, sid = "";

  const words = () => WORDS[language.value] || WORDS.en;
  function translate() {
    document.documentElement.lang = language.value;
    document.querySelectorAll("[data-i18n]").forEach((el) => {
      const text = words()[el.dataset.i18n];
      if (text && !(el.id === "status" && socket)) el.textContent = text;
    });
  }
  function note(text) {
    const item = document.createElement("li");
    item.textContent = text;
    log.append(item);
  }
  // What was heard and what the bot says, as words (the server sends them because we ask).
  function said(speaker, text) {
    const item = document.createElement("li");
    item.className = "msg " + (speaker === "caller" ? "customer" : "bot");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = words()[speaker === "caller" ? "caller" : "bot"] + ": ";
    item.append(who, document.createTextNode(text));
    log.append(item);
    item.scrollIntoView({block: "end"});
  }
  function setStatus(key, extra = "") { status.textContent = words()[key] + extra; }

  // G.711 μ-law, as the telephone network companders it.
  function encodeSample(sample) {
    let pcm = Math.max(-32635, Math.min(32635, Math.round(sample * 32767)));
    const sign = pcm < 0 ? 0x80 : 0;
    if (sign) pcm = -pcm;
    pcm += 0x84;
    let exponent = 7;
    for (let mask = 0x4000; (pcm & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
    const mantissa = (pcm >> (exponent + 3)) & 0x0f;
    return ~(sign | (exponent << 4) | mantissa) & 0xff;
  }
  function decodeSample(code) {
    code = ~code & 0xff;
    const sign = code & 0x80, exponent = (code >> 4) & 0x07, mantissa = code & 0x0f;
    const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    return (sign ? -magnitude : magnitude) / 32768;
  }
  const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
  const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const send = (frame) => { if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame)); };

  // Microphone: averaged down to 8 kHz (a box filter before decimation), sent in 20 ms frames.
  let pending = [], carry = 0, sum = 0;
  function captured(event) {
    const input = event.inputBuffer.getChannelData(0), step = context.sampleRate / RATE;
    for (const sample of input) {
      sum += sample; carry += 1;
      if (carry >= step) { pending.push(encodeSample(sum / carry)); carry -= step; sum = 0; }
    }
    while (pending.length >= FRAME) {
      const frame = pending.splice(0, FRAME);
      send({event: "media", streamSid: sid, media: {track: "inbound", payload: toBase64(frame)}});
    }
  }

  function play(payload) {
    const bytes = fromBase64(payload), buffer = context.createBuffer(1, bytes.length, RATE);
    const channel = buffer.getChannelData(0);
    bytes.forEach((code, i) => { channel[i] = decodeSample(code); });
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    playhead = Math.max(playhead, context.currentTime);
    source.start(playhead);
    playhead += buffer.duration;
    sources.push(source);
    source.onended = () => { sources = sources.filter((s) => s !== source); };
    received += buffer.duration;
    $("received").textContent = received.toFixed(1);
  }
  function markPlayed(name) {
    const at = Math.max(0, playhead - context.currentTime) * 1000;
    const timer = setTimeout(() => {
      marks = marks.filter((m) => m !== timer);
      send({event: "mark", streamSid: sid, mark: {name}});
    }, at);
    marks.push(timer);
  }
  function clearPlayback() {
    sources.forEach((s) => { try { s.stop(); } catch (_) { /* already ended */ } });
    marks.forEach(clearTimeout);
    sources = []; marks = []; playhead = 0;
  }

  function onFrame(message) {
    const frame = JSON.parse(message.data);
    if (frame.event === "media") play(frame.media.payload);
    else if (frame.event === "mark") markPlayed(frame.mark.name);
    else if (frame.event === "clear") clearPlayback();
    else if (frame.event === "transcript") said(frame.transcript.speaker, frame.transcript.text);
    else if (frame.event === "error") { setStatus("error", frame.message); note(frame.code); }
  }

  async function dial() {
    $("dial").disabled = true;
    setStatus("connecting");
    try {
      microphone = await navigator.mediaDevices.getUserMedia(
        {audio: {echoCancellation: true, noiseSuppression: true, channelCount: 1}});
    } catch (error) {
      setStatus("no_mic", error.message);
      $("dial").disabled = false;
      return;
    }
    // At 8 kHz the browser resamples the microphone itself (with a proper filter); the box
    // filter in `captured` only runs where a browser refuses that rate.
    try { context = new AudioContext({sampleRate: RATE}); } catch (_) { context = new AudioContext(); }
    await context.resume();
    const source = context.createMediaStreamSource(microphone);
    processor = context.createScriptProcessor(2048, 1, 1);
    processor.onaudioprocess = captured;
    source.connect(processor);
    processor.connect(context.destination); // silent: the output buffer is left empty
    sid = "web-" + crypto.randomUUID();
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/api/v1/voice/media`);
    socket.onopen = () => {
      send({event: "connected", protocol: "Call", version: "1.0.0"});
      send({event: "start", streamSid: sid, start: {streamSid: sid, callSid: sid,
        customParameters: {language: language.value, transcript: "on"},
        mediaFormat: {encoding: "audio/x-mulaw", sampleRate: RATE, channels: 1}}});
      setStatus("connected");
      $("hangup").disabled = false;
      language.disabled = true;
    };
    socket.onmessage = onFrame;
    socket.onclose = () => finish();
  }

  function finish() {
    if (!socket) return;
    send({event: "stop", streamSid: sid, stop: {}});
    const open = socket;
    socket = null;
    open.close();
    clearPlayback();
    if (processor) processor.disconnect();
    if (microphone) microphone.getTracks().forEach((t) => t.stop());
    if (context) context.close();
    processor = microphone = context = null;
    $("dial").disabled = false;
    $("hangup").disabled = true;
    language.disabled = false;
    setStatus("ended");
  }

  $("dial").addEventListener("click", dial);
  $("hangup").addEventListener("click", finish);
  $("keypad").addEventListener("click", (event) => {
    const key = event.target.closest("button");
    if (!key || !socket) return;
    send({event: "dtmf", streamSid: sid, dtmf: {digit: key.textContent}});
    note(words().pressed + key.textContent);
  });
  language.addEventListener("change", translate);
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked && WORDS[asked]) language.value = asked;
  translate();
})();
