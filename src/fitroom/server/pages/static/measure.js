// fitroom: the size badge on product pages and the "My measurements" page (uses app.js's api()).
"use strict";

(function () {
  const ZONE_NAMES = { shoulders: "Shoulders", chest: "Chest", waist: "Waist", hips: "Hips", length: "Length" };
  const LABELS = {
    height: "Height", shoulder_width: "Shoulder width", chest: "Chest / bust", waist: "Waist",
    hip: "Hips", inseam: "Inside leg", arm_length: "Arm length", torso_length: "Torso length",
  };

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  async function setupSizeBadge() {
    const badge = document.getElementById("size-badge");
    if (!badge || badge.dataset.ready) return;
    badge.dataset.ready = "1";
    const garmentId = badge.dataset.garmentId;
    const here = `/products/${garmentId}`;
    const message = document.getElementById("size-badge-message");
    const action = document.getElementById("size-badge-action");
    let body;
    try {
      body = await (await fetch(`/api/v1/garments/${garmentId}/size-advice`, { credentials: "same-origin" })).json();
    } catch (err) {
      message.textContent = "Size advice is not available right now.";
      return;
    }
    badge.dataset.status = body.status;
    message.textContent = body.message;
    const link = (href, text) => { action.href = href; action.textContent = text; action.hidden = false; };
    if (body.status === "login") link(`/login?next=${encodeURIComponent(here)}`, "Log in");
    if (body.status === "no_measurements") link(`/measurements?next=${encodeURIComponent(here)}`, "Add my measurements");
    if (body.status !== "ok") return;
    const advice = body.advice;
    badge.dataset.recommended = advice.recommended;
    document.getElementById("size-badge-size").textContent = advice.recommended;
    const detail = [`${Math.round(advice.confidence * 100)}% sure`, `${advice.preference} fit`];
    if (advice.runner_up) detail.unshift(`runner-up ${advice.runner_up}`);
    document.getElementById("size-badge-detail").textContent = `(${detail.join(" · ")})`;
    document.getElementById("size-badge-pick").hidden = false;
    const zones = document.getElementById("size-badge-zones");
    zones.replaceChildren(...Object.entries(advice.zones).map(([zone, fit]) => {
      const li = element("li");
      li.dataset.zone = zone;
      li.dataset.fit = fit.fit;
      li.append(element("span", `fit fit-${fit.fit}`, fit.fit), ` ${ZONE_NAMES[zone] || zone}: you ${fit.body_cm} cm, size made for ${fit.range_cm[0]}–${fit.range_cm[1]} cm`);
      return li;
    }));
    link(`/measurements?next=${encodeURIComponent(here)}`, "Update my measurements");
    message.textContent = `${body.message}. A try-on here draws the size you pick to your measurements.`;
    // Preselect the recommended size, so a try-on shows it.
    const chip = document.querySelector(`input[name="size"][value="${CSS.escape(advice.recommended)}"]`);
    if (chip) {
      chip.checked = true;
      chip.closest(".chip").classList.add("recommended");
    }
  }

  function paintStored(data, saved) {
    const section = document.getElementById("stored-measurements");
    section.hidden = false;
    section.querySelector("h2").textContent = saved ? "Stored" : "Estimated (not kept)";
    const rows = Object.entries(data.measurements_cm).map(([name, value]) => {
      const tr = element("tr");
      tr.dataset.measurement = name;
      tr.append(element("th", "", LABELS[name] || name), element("td", "", `${value.toFixed(1)} cm`),
        element("td", "muted", `± ${data.uncertainty_cm[name].toFixed(1)}`));
      return tr;
    });
    document.querySelector("#stored-table tbody").replaceChildren(...rows);
    const source = data.views === "typed" ? "typed in" : `estimated from a ${data.views} photo`;
    document.getElementById("stored-summary").textContent = `Fit preference: ${data.preference} · ${source}`;
    document.getElementById("stored-warnings").replaceChildren(...data.warnings.map((w) => element("li", "", w)));
    document.getElementById("delete-measurements").hidden = !saved;
  }

  function setupMeasurementsPage() {
    const estimateForm = document.getElementById("estimate-form");
    const typedForm = document.getElementById("typed-form");
    if (!estimateForm || !typedForm) return;
    const error = document.getElementById("measure-error");
    const status = document.getElementById("measure-status");
    const busy = async (form, label, work) => {
      const button = form.querySelector("button[type=submit]");
      const text = button.textContent;
      button.disabled = true; button.textContent = label;
      show(error, ""); status.textContent = "";
      try { await work(); } catch (err) { show(error, err.message); } finally { button.disabled = false; button.textContent = text; }
    };

    estimateForm.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(estimateForm, "Measuring…", async () => {
        const data = new FormData(estimateForm);
        const side = data.get("side");
        if (!side || !side.size) data.delete("side");
        if (!data.get("sex")) data.delete("sex");
        const result = await (await api("POST", "/api/v1/measurements/estimate", data)).json();
        paintStored(result, result.saved);
        // Offer the numbers for correction and saving in the typed form.
        for (const [name, value] of Object.entries(result.measurements_cm)) {
          if (typedForm.elements[name]) typedForm.elements[name].value = value;
        }
        status.textContent = result.saved ? "Measured and saved." : "Measured, not kept: tick “Keep” to store them, or correct and save them below.";
      });
    });

    typedForm.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(typedForm, "Saving…", async () => {
        const measurements = {};
        for (const input of typedForm.querySelectorAll("input[type=number]")) {
          if (input.value !== "") measurements[input.name] = Number(input.value);
        }
        const body = { measurements_cm: measurements, preference: typedForm.elements.preference.value, consent: typedForm.elements.consent.checked };
        const result = await (await api("PUT", "/api/v1/measurements", body)).json();
        paintStored(result, true);
        status.textContent = "Saved.";
      });
    });

    document.getElementById("delete-measurements").addEventListener("click", async () => {
      if (!confirm("Delete your stored measurements?")) return;
      try {
        await api("DELETE", "/api/v1/measurements");
        document.getElementById("stored-measurements").hidden = true;
        for (const input of typedForm.querySelectorAll("input[type=number]")) input.value = "";
        status.textContent = "Deleted.";
      } catch (err) { show(error, err.message); }
    });
  }

  setupSizeBadge();
  setupMeasurementsPage();
})();
