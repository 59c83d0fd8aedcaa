// Recommendation panels and the shopper's reaction summaries (no framework, text only).
"use strict";
(() => {
  const csrf = () => {
    const match = document.cookie.match(/(?:^|;\s*)fitroom_csrf=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  };
  const euros = (cents) => `€${(cents / 100).toFixed(2)}`;

  function card(item) {
    const g = item.garment;
    const link = document.createElement("a");
    link.className = "card";
    link.href = `/products/${g.id}`;
    const thumb = document.createElement("div");
    thumb.className = "thumb";
    if (g.image_url) {
      const img = document.createElement("img");
      img.src = g.image_url; img.alt = g.name; img.loading = "lazy";
      thumb.append(img);
    }
    const body = document.createElement("div");
    body.className = "card-body";
    const name = document.createElement("h3"); name.textContent = g.name;
    const reason = document.createElement("p"); reason.className = "muted reason"; reason.textContent = item.reason;
    const price = document.createElement("p"); price.className = "price"; price.textContent = euros(g.price_cents);
    body.append(name, reason, price);
    link.append(thumb, body);
    return link;
  }

  async function fillPanels() {
    const section = document.getElementById("recommendations");
    if (!section || section.dataset.filled) return;
    section.dataset.filled = "1";
    const garmentId = section.dataset.garmentId;
    for (const panel of section.querySelectorAll("[data-recs]")) {
      const kind = panel.dataset.recs;
      const url = kind === "for-me" ? `/api/v1/recommendations/for-me?k=6${garmentId ? `&not=${garmentId}` : ""}` : `/api/v1/garments/${garmentId}/${kind}?k=${kind === "similar" ? 6 : 4}`;
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) continue;
        const data = await response.json();
        if (!data.items.length) continue;
        panel.querySelector(".rec-grid").replaceChildren(...data.items.map(card));
        panel.hidden = false;
      } catch (err) {
        // A panel that cannot load stays hidden: the page works without it.
      }
    }
  }

  async function fillReactions() {
    const consent = document.getElementById("reactions-consent");
    if (!consent || consent.dataset.bound) return;
    consent.dataset.bound = "1";
    const insight = document.getElementById("reactions-insight");
    const list = document.getElementById("reactions-list");
    async function load() {
      const response = await fetch("/api/v1/reactions/mine", { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      insight.hidden = !data.favourite_garment_name;
      insight.textContent = data.favourite_garment_name ? `You smiled most in ${data.favourite_garment_name}.` : "";
      list.replaceChildren(...data.items.slice(0, 10).map((r) => {
        const li = document.createElement("li");
        li.textContent = `${r.garment_name}: smiling in ${Math.round(r.smile_share * 100)}% of ${r.frames} frame(s), mostly ${r.dominant}`;
        return li;
      }));
    }
    consent.addEventListener("change", async () => {
      await fetch("/api/v1/reactions/consent", {
        method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify({ consent: consent.checked }),
      });
      await load();
    });
    await load();
  }

  const start = () => { fillPanels(); fillReactions(); };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
