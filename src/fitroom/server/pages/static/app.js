// fitroom shop pages: small progressive enhancements, no build step.
"use strict";

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)fitroom_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : document.querySelector('meta[name="csrf-token"]').content;
}

async function api(method, url, body) {
  const headers = { "X-CSRF-Token": csrfToken() };
  let payload = body;
  if (body && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  if (!response.ok) {
    let message = response.statusText;
    try {
      const data = await response.json();
      message = typeof data.detail === "string" ? data.detail : (data.detail || []).map((d) => d.msg).join("; ");
    } catch (_) { /* not JSON */ }
    throw new Error(message || `request failed (${response.status})`);
  }
  return response;
}

function show(el, text) { el.textContent = text; el.hidden = !text; }

function setupProduct() {
  const product = document.querySelector(".product");
  if (!product) return;
  const garmentId = Number(product.dataset.garmentId);
  const selectedSize = () => (document.querySelector('input[name="size"]:checked') || {}).value || "";
  const form = document.getElementById("tryon-form");
  let lastLookId = null;
  const feedback = (kind, extra) => api("POST", "/api/v1/feedback", Object.assign({ garment_id: garmentId, kind, look_id: lastLookId }, extra || {}));

  const cart = document.getElementById("add-to-cart");
  if (cart) cart.addEventListener("click", async () => {
    await feedback("add_to_cart", { size: selectedSize() || null });
    cart.textContent = `Added (${selectedSize()})`;
  });

  if (form) {
    const error = document.getElementById("tryon-error");
    const compare = document.getElementById("compare");
    const status = document.getElementById("look-status");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      show(error, "");
      const data = new FormData(form);
      data.set("size", selectedSize());
      const button = form.querySelector("button");
      button.disabled = true; button.textContent = "Fitting…";
      try {
        const response = await api("POST", "/api/v1/tryon", data);
        const blob = await response.blob();
        document.getElementById("before").src = URL.createObjectURL(data.get("photo"));
        document.getElementById("after").src = URL.createObjectURL(blob);
        compare.hidden = false;
        document.getElementById("after-actions").hidden = false;
        const warnings = JSON.parse(response.headers.get("X-Fitroom-Warnings") || "[]");
        const list = document.getElementById("tryon-warnings");
        list.replaceChildren(...warnings.map((w) => { const li = document.createElement("li"); li.textContent = w; return li; }));
        lastLookId = null; status.textContent = "";
      } catch (err) {
        show(error, err.message);
        compare.hidden = true;
      } finally {
        button.disabled = false; button.textContent = "Try on";
      }
    });
    document.getElementById("slider").addEventListener("input", (event) => {
      document.getElementById("after-clip").style.clipPath = `inset(0 0 0 ${event.target.value}%)`;
    });
    document.getElementById("save-look").addEventListener("click", async () => {
      const data = new FormData(form);
      data.set("size", selectedSize());
      data.set("keep_photo", document.getElementById("keep-photo").checked ? "true" : "false");
      try {
        const look = await (await api("POST", "/api/v1/looks", data)).json();
        lastLookId = look.id;
        status.innerHTML = 'Saved. <a href="/looks">See My looks</a>';
      } catch (err) { status.textContent = err.message; }
    });
    document.querySelectorAll("[data-feedback]").forEach((button) => button.addEventListener("click", async () => {
      await feedback(button.dataset.feedback);
      status.textContent = button.dataset.feedback === "like" ? "Thanks — liked." : "Thanks for the feedback.";
    }));
    document.querySelectorAll(".star").forEach((star) => star.addEventListener("click", async () => {
      const rating = Number(star.dataset.rating);
      await feedback("rating", { rating });
      document.querySelectorAll(".star").forEach((s) => s.classList.toggle("on", Number(s.dataset.rating) <= rating));
    }));
  }

  const commentForm = document.getElementById("comment-form");
  if (commentForm) commentForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    await feedback("comment", { comment: commentForm.comment.value });
    window.location.reload();
  });
}

function setupLooks() {
  document.querySelectorAll("[data-delete-look]").forEach((button) => button.addEventListener("click", async () => {
    if (!confirm("Delete this look?")) return;
    await api("DELETE", `/api/v1/looks/${button.dataset.deleteLook}`);
    document.getElementById(`look-${button.dataset.deleteLook}`).remove();
  }));
}

function setupAccount() {
  const button = document.getElementById("delete-account");
  if (!button) return;
  button.addEventListener("click", async () => {
    if (!confirm("Delete your account, looks and photos for good?")) return;
    try {
      await api("DELETE", "/api/v1/account");
      window.location.href = "/";
    } catch (err) { show(document.getElementById("account-error"), err.message); }
  });
}

function setupMerchant() {
  const add = document.getElementById("add-garment");
  if (add) {
    const box = document.getElementById("job-status");
    const paint = (job) => {
      box.hidden = false;
      box.className = `job ${job.status}`;
      box.textContent = job.status === "failed" ? `Refused: ${job.error}` : job.status === "done" ? "Ingested — the garment is live." : `Ingestion ${job.status}…`;
    };
    add.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const created = await (await api("POST", "/api/v1/merchant/garments", new FormData(add))).json();
        let job = created.job;
        paint(job);
        while (job.status === "queued" || job.status === "running") {
          await new Promise((resolve) => setTimeout(resolve, 700));
          job = await (await api("GET", `/api/v1/merchant/jobs/${job.id}`)).json();
          paint(job);
        }
        if (job.status === "done") setTimeout(() => window.location.reload(), 800);
      } catch (err) { paint({ status: "failed", error: err.message }); }
    });
  }
  const importing = document.getElementById("import-catalogue");
  if (importing) {
    const box = document.getElementById("import-status");
    const paint = (job) => {
      const p = job.progress || { done: 0, total: 0, added: 0, skipped: 0, refused: [] };
      box.hidden = false;
      box.className = `job ${job.status}`;
      box.textContent = job.status === "failed" ? `Refused: ${job.error}`
        : job.status === "done" ? `Imported: ${p.added} added, ${p.skipped} already in the shop, ${p.refused.length} refused.`
        : `Import ${job.status}: ${p.done} of ${p.total} items…`;
    };
    importing.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        let job = (await (await api("POST", "/api/v1/merchant/imports", new FormData(importing))).json()).job;
        paint(job);
        while (job.status === "queued" || job.status === "running") {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          job = await (await api("GET", `/api/v1/merchant/jobs/${job.id}`)).json();
          paint(job);
        }
        if (job.status === "done") setTimeout(() => window.location.reload(), 1500);
      } catch (err) { paint({ status: "failed", error: err.message }); }
    });
  }
  const edit = document.getElementById("edit-garment");
  if (edit) edit.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = edit.elements;
    const split = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
    const body = { name: f.name.value, price_cents: Number(f.price_cents.value), description: f.description.value, sizes: split(f.sizes.value), colours: split(f.colours.value) };
    const status = document.getElementById("edit-status");
    try {
      if (f.size_chart.value.trim()) body.size_chart = JSON.parse(f.size_chart.value);
      await api("PATCH", `/api/v1/merchant/garments/${edit.dataset.garmentId}`, body);
      status.textContent = "Saved.";
    } catch (err) { status.textContent = err.message; }
  });
  const addImage = document.getElementById("add-image");
  if (addImage) addImage.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/api/v1/merchant/garments/${addImage.dataset.garmentId}/images`, new FormData(addImage));
      window.location.reload();
    } catch (err) { document.getElementById("edit-status").textContent = err.message; }
  });
  document.querySelectorAll("[data-archive],[data-restore]").forEach((button) => button.addEventListener("click", async () => {
    const id = button.dataset.archive || button.dataset.restore;
    await api("POST", `/api/v1/merchant/garments/${id}/${button.dataset.archive ? "archive" : "restore"}`);
    window.location.reload();
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  setupProduct();
  setupLooks();
  setupAccount();
  setupMerchant();
});
