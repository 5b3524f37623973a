/* The price before the click: rewrites the sentence of studio/web/quotes.py when "how many" changes. */
"use strict";

function quotePoints(n) { return `${n} point${n === 1 ? "" : "s"}`; }

function quoteText(box, n) {
  const unit = Number(box.dataset.unit), trial = Number(box.dataset.trial), available = Number(box.dataset.available);
  const used = Math.min(n, trial), pay = (n - used) * unit;
  let text = `${n} image${n === 1 ? "" : "s"} × ${quotePoints(unit)} = ${quotePoints(n * unit)}.`;
  if (trial) text += ` Your free trial (${trial} left) covers ${used}: you pay ${quotePoints(pay)}.`;
  text += ` Balance: ${quotePoints(available)}.`;
  const affordable = box.dataset.payg === "1" || pay <= available;
  if (!affordable) text += " Not enough points for this.";
  return { text, affordable };
}

document.querySelectorAll(".quote[data-unit]").forEach((box) => {
  const form = box.closest("form");
  const how = form && form.querySelector("select[name=n]");
  if (!how) return;
  const update = () => {
    const { text, affordable } = quoteText(box, Number(how.value) || 1);
    box.querySelector(".quote-text").textContent = text;
    const buy = box.querySelector(".quote-buy");
    if (buy) buy.hidden = affordable;
  };
  how.addEventListener("change", update);
  update();
});
