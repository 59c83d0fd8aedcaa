// fitroom live fitting room: camera frames → /api/v1/live/ws → dressed frames, garment switcher,
// snapshot. Protocol: [4-byte big-endian header length][JSON header][JPEG], both directions.
// Reactions: only while the shopper's consent box is ticked, frames ask for expression readings
// ("reactions": true); the replies' probabilities (numbers only) are collected per garment and
// posted to /api/v1/reactions when the garment changes or the camera stops.
"use strict";

(function () {
  const root = document.getElementById("live");
  const output = document.getElementById("live-output");
  if (!root || !output) return;
  const video = document.getElementById("live-camera");
  const startButton = document.getElementById("live-start");
  const stopButton = document.getElementById("live-stop");
  const snapButton = document.getElementById("live-snapshot");
  const stats = document.getElementById("live-stats");
  const error = document.getElementById("live-error");
  const hint = document.getElementById("live-hint");
  const consentBox = document.getElementById("live-reactions");
  const canvas = document.createElement("canvas");
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  /** Frames the server works on at once (one perceived while the one before is dressed). */
  const IN_FLIGHT = 2;
  /** Widest frame sent: the server's work grows with the pixels. */
  const MAX_WIDTH = 640;
  const STALL_MS = 2000;
  /** Most readings one POST carries (the server's limit). */
  const MAX_READINGS = 6000;
  const KEEPALIVE_BYTES = 60000;

  let socket = null;
  let stream = null;
  let garment = root.dataset.chosen || null;
  let sent = 0, received = 0, dropped = 0, errors = 0, encoding = false;
  let lastReply = 0, firstReply = 0, lastUrl = null, lastBlob = null, timer = null;
  let readings = [], readingGarment = null, reactionsSent = 0;

  const consented = () => Boolean(consentBox && consentBox.checked);

  function garmentId(slug) {
    const button = document.querySelector(`.garment-pick[data-garment="${CSS.escape(slug)}"]`);
    return button ? Number(button.dataset.garmentId) : NaN;
  }

  function sendReactions() {
    // Posts the readings of the garment worn until now; nothing is sent without consent.
    const frames = readings.slice(-MAX_READINGS);
    const id = readingGarment ? garmentId(readingGarment) : NaN;
    readings = [];
    if (!frames.length || !consented() || !Number.isInteger(id)) return;
    const body = JSON.stringify({ garment_id: id, frames, consent: true });
    fetch("/api/v1/reactions", {
      method: "POST",
      credentials: "same-origin",
      // keepalive lets the POST outlive a closed page, but browsers refuse it above 64 kB.
      keepalive: body.length < KEEPALIVE_BYTES,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body,
    }).then((response) => {
      if (!response.ok) return;
      reactionsSent += 1;
      root.dataset.reactionsSent = String(reactionsSent);
    }).catch(() => { /* a lost summary is not worth an error on screen */ });
  }

  function collectReading(header) {
    if (header.garment !== readingGarment) {
      sendReactions();
      readingGarment = header.garment;
    }
    if (Array.isArray(header.expression) && consented()) readings.push(header.expression);
    root.dataset.readings = String(readings.length);
  }

  const outstanding = () => sent - received - dropped - errors;

  function paintStats(header) {
    const seconds = (performance.now() - firstReply) / 1000;
    const fps = seconds > 0.5 ? (received / seconds).toFixed(1) : "…";
    const total = header && header.timings_ms ? `${Math.round(header.timings_ms.total)} ms per frame` : "";
    stats.textContent = `${received} frames · ${fps} fps · ${total} · wearing ${root.dataset.garment || "—"}`;
  }

  function sendFrame() {
    if (!socket || socket.readyState !== WebSocket.OPEN || encoding || video.readyState < 2) return;
    const scale = Math.min(1, MAX_WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    encoding = true;
    canvas.toBlob(async (blob) => {
      encoding = false;
      const target = socket;
      if (!blob || !target || target.readyState !== WebSocket.OPEN) return;
      const fields = { ts: Math.round(performance.now()), garment };
      if (consented()) fields.reactions = true;
      const header = encoder.encode(JSON.stringify(fields));
      const jpeg = new Uint8Array(await blob.arrayBuffer());
      // The camera may have been stopped (or restarted) while the bytes were read.
      if (socket !== target || target.readyState !== WebSocket.OPEN) return;
      const message = new Uint8Array(4 + header.length + jpeg.length);
      new DataView(message.buffer).setUint32(0, header.length);
      message.set(header, 4);
      message.set(jpeg, 4 + header.length);
      target.send(message);
      sent += 1;
      root.dataset.sent = String(sent);
      pump();
    }, "image/jpeg", 0.8);
  }

  function pump() {
    // A frame the server dropped gets no reply; after a stall the count starts afresh.
    if (lastReply && performance.now() - lastReply > STALL_MS) { sent = received + dropped + errors; lastReply = performance.now(); }
    if (outstanding() < IN_FLIGHT) sendFrame();
  }

  function onMessage(event) {
    lastReply = performance.now();
    if (typeof event.data === "string") {
      const problem = JSON.parse(event.data);
      errors += 1;
      show(error, problem.message);
      pump();
      return;
    }
    const bytes = new Uint8Array(event.data);
    const length = new DataView(event.data).getUint32(0);
    const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length)));
    const blob = new Blob([bytes.subarray(4 + length)], { type: "image/jpeg" });
    if (!firstReply) firstReply = performance.now();
    received += 1;
    dropped = header.dropped || 0;
    if (lastUrl) URL.revokeObjectURL(lastUrl);
    lastUrl = URL.createObjectURL(blob);
    lastBlob = blob;
    output.src = lastUrl;
    root.dataset.frames = String(received);
    root.dataset.garment = header.garment;
    root.dataset.personFound = String(header.person_found);
    collectReading(header);
    snapButton.disabled = false;
    if (!header.person_found) hint.textContent = "Step into the picture, facing the camera.";
    hint.hidden = header.person_found;
    paintStats(header);
    pump();
  }

  async function start() {
    show(error, "");
    startButton.disabled = true;
    try {
      // No size asked: a requested aspect ratio would crop the camera picture (head or feet).
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    } catch (err) {
      show(error, `The camera could not be opened (${err.name}): allow it in the browser, or use a photo try-on instead.`);
      startButton.disabled = false;
      return;
    }
    video.srcObject = stream;
    await video.play();
    hint.textContent = "Connecting…";
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const opened = new WebSocket(`${scheme}://${location.host}/api/v1/live/ws`);
    socket = opened;
    socket.binaryType = "arraybuffer";
    socket.onopen = () => { stopButton.disabled = false; hint.textContent = "Dressing…"; pump(); };
    socket.onmessage = (event) => { if (socket === opened) onMessage(event); };
    socket.onclose = (event) => {
      // A socket closed by Stop may report after the camera was started again: not this one.
      if (socket !== opened) return;
      root.dataset.closeCode = String(event.code);
      if (event.code !== 1000 && event.code !== 1005) show(error, event.reason || `The connection closed (code ${event.code}).`);
      stop();
    };
    timer = setInterval(pump, 100);
  }

  function stop() {
    sendReactions();
    if (timer) clearInterval(timer);
    timer = null;
    if (socket && socket.readyState === WebSocket.OPEN) socket.close(1000);
    socket = null;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    startButton.disabled = false;
    stopButton.disabled = true;
  }

  function snapshot() {
    if (!lastBlob) return;
    const url = URL.createObjectURL(lastBlob);
    const link = document.createElement("a");
    link.href = url;
    link.download = `fitroom-${root.dataset.garment || "look"}-${Date.now()}.jpg`;
    const thumb = document.createElement("img");
    thumb.src = url;
    thumb.alt = `Snapshot wearing ${root.dataset.garment}`;
    link.append(thumb);
    document.getElementById("live-snapshots").prepend(link);
  }

  document.querySelectorAll(".garment-pick").forEach((button) => button.addEventListener("click", () => {
    garment = button.dataset.garment;
    document.querySelectorAll(".garment-pick").forEach((b) => {
      b.classList.toggle("on", b === button);
      b.setAttribute("aria-checked", b === button ? "true" : "false");
    });
  }));
  if (consentBox) consentBox.addEventListener("change", () => {
    if (!consentBox.checked) { readings = []; root.dataset.readings = "0"; }
  });
  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  snapButton.addEventListener("click", snapshot);
  window.addEventListener("pagehide", stop);
})();
