/* The website's small progressive enhancements; every page also works without them.
   Photos are uploaded one by one and checked as they arrive; job progress is polled every second. */
"use strict";

function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

async function pollJob(url, onStatus) {
  for (;;) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return null;
    const status = await response.json();
    onStatus(status);
    if (status.final) return status;
    await sleep(1000);
  }
}

function progressText(status) {
  let text = `${status.progress} %`;
  if (status.eta_seconds) text += `, about ${status.eta_seconds} s left`;
  if (status.error) text += `: ${status.error}`;
  return text;
}

/* Progress bars of train and create jobs. */
function startJobBars() {
  document.querySelectorAll(".job[data-job-url]").forEach((box) => {
    const bar = box.querySelector("progress");
    if (box.querySelector(".job-state").textContent.match(/succeeded|failed|canceled/)) return;
    pollJob(box.dataset.jobUrl, (status) => {
      bar.value = status.progress;
      box.querySelector(".job-state").textContent = status.state;
      box.querySelector(".job-text").textContent = progressText(status);
    }).then((status) => {
      if (status && box.dataset.reload === "1") window.location.reload();
    });
  });
}

/* New avatar page. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([key, value]) => node.setAttribute(key, value));
  children.forEach((child) => node.append(child));
  return node;
}

function photoVerdict(item, check) {
  const verdict = item.querySelector(".verdict");
  verdict.replaceChildren();
  item.classList.remove("pending", "pass", "fail");
  if (check.passed) {
    item.classList.add("pass");
    verdict.append(el("strong", {}, "Passed"));
    check.notes.forEach((note) => verdict.append(el("span", { class: "small" }, " " + note)));
    // Soft problems (glasses, a hand over the face, blur) do not refuse a photo; they say how to do better.
    if (check.reasons.length) {
      const advice = el("ul", { class: "reasons advice", "aria-label": "To do better" });
      check.reasons.forEach((reason) => advice.append(el("li", {}, reason)));
      verdict.append(advice);
    }
  } else {
    item.classList.add("fail");
    verdict.append(el("strong", {}, "Not usable"), ": " + check.message);
    const list = el("ul", { class: "reasons" });
    check.reasons.forEach((reason) => list.append(el("li", {}, reason)));
    verdict.append(list);
  }
  updateTrainButton();
}

function updateTrainButton() {
  const button = document.getElementById("train-button");
  if (!button) return;
  const passed = document.querySelectorAll("#photos .photo.pass").length;
  document.getElementById("passed-count").textContent = passed;
  button.disabled = passed < Number(button.dataset.min);
}

function photoPlaceholder(file) {
  const item = el("li", { class: "photo pending" },
    el("img", { src: URL.createObjectURL(file), alt: "Your photo " + file.name }),
    el("div", { class: "verdict" }, el("span", {}, "Waiting to upload " + file.name + "…")));
  document.getElementById("photos").append(item);
  return item;
}

function removeForm(item, url) {
  const form = el("form", { method: "post", action: url, class: "remove" },
    el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrfToken() }),
    el("button", { class: "link" }, "Remove"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" } });
    if (response.ok) { item.remove(); updateTrainButton(); } else form.submit();
  });
  item.append(form);
}

/* One upload at a time, in the order chosen or dropped, so the server keeps that order; the checks
   of uploaded photos run meanwhile. */
async function uploadOne(form, file, item) {
  item.querySelector(".verdict").replaceChildren(el("span", {}, "Uploading " + file.name + "…"));
  const body = new FormData();
  body.append("photo", file);
  const response = await fetch(form.dataset.uploadUrl, {
    method: "POST", body, credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
  }).catch(() => null);
  const answer = response ? await response.json().catch(() => ({})) : {};
  if (!response || !response.ok) {
    photoVerdict(item, { passed: false, message: answer.error || "The upload failed.", reasons: [], notes: [] });
    const dismiss = el("button", { type: "button", class: "link" }, "Dismiss");
    dismiss.addEventListener("click", () => item.remove());
    item.append(dismiss);
    return;
  }
  const photo = answer.photo;
  item.dataset.photo = photo.id;
  item.querySelector("img").alt = photo.alt;
  removeForm(item, photo.delete_url);
  item.querySelector(".verdict").replaceChildren(el("span", {}, "Checking…"),
    el("progress", { max: "100", value: "0", "aria-label": "Check of " + file.name }));
  followCheck(item, answer.job.id, photo.id);
}

async function followCheck(item, jobId, photoId) {
  const status = await pollJob(`/jobs/${jobId}.json`, (s) => {
    const bar = item.querySelector("progress");
    if (bar) bar.value = s.progress;
  });
  const check = status && status.checks && status.checks.find((c) => c.photo === photoId);
  if (check) photoVerdict(item, check);
  else photoVerdict(item, { passed: false, message: (status && status.error) || "The check did not finish.", reasons: [], notes: [] });
}

function startDropZone() {
  const form = document.getElementById("photo-form");
  if (!form) return;
  const input = form.querySelector("input[type=file]");
  const drop = document.getElementById("drop");
  let queue = Promise.resolve();
  const send = (files) => Array.from(files).forEach((file) => {
    const item = photoPlaceholder(file);
    queue = queue.then(() => uploadOne(form, file, item));
  });
  input.addEventListener("change", () => { send(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach((name) => drop.addEventListener(name, (event) => {
    event.preventDefault(); drop.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((name) => drop.addEventListener(name, () => drop.classList.remove("over")));
  drop.addEventListener("drop", (event) => { event.preventDefault(); send(event.dataTransfer.files); });
  // Photos still being checked when the page was (re)loaded: followed in place, as new ones are.
  document.querySelectorAll("#photos .photo.pending[data-job]").forEach((item) => {
    followCheck(item, item.dataset.job, Number(item.dataset.photo));
  });
}

/* Gallery favourites: toggled in place (no reload, no jump to the top); the form posts without JS. */
function startFavourites() {
  document.querySelectorAll("form.fav-form").forEach((form) => form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button.fav");
    if (button.getAttribute("aria-busy") === "true") return;  // not disabled: that would drop focus
    button.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      if (!response.ok) { form.submit(); return; }
      const answer = await response.json();
      form.querySelector("input[name=favourite]").value = answer.favourite ? "0" : "1";
      button.setAttribute("aria-pressed", String(answer.favourite));
      button.textContent = answer.favourite ? "★ Favourite" : "☆ Favourite";
      const zip = document.getElementById("zip-favourites");
      if (zip) zip.hidden = !answer.has_favourites;
    } finally {
      button.removeAttribute("aria-busy");
    }
  }));
}

/* Copy buttons, the before/after slider, confirmations. */
function startSmallThings() {
  document.querySelectorAll("button.copy").forEach((button) => button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    const text = source.value !== undefined ? source.value : source.textContent;
    try { await navigator.clipboard.writeText(text); } catch (error) { source.select && source.select(); document.execCommand("copy"); }
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  }));
  document.querySelectorAll(".compare-range").forEach((range) => range.addEventListener("input", () => {
    range.parentElement.style.setProperty("--pos", range.value + "%");
  }));
  document.querySelectorAll("form[data-confirm]").forEach((form) => form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  startJobBars();
  startDropZone();
  startFavourites();
  startSmallThings();
});
