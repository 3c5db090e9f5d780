// The card form: Stripe's Payment Element, loaded only when the portal has real Stripe keys.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") return;
  var stripe = Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  var placeholder = document.getElementById("payment-element");
  placeholder.textContent = "";
  elements.create("payment").mount(placeholder);
  var message = document.getElementById("payment-message");
  var button = form.querySelector("button[type=submit]");
  var label = button.textContent;

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    button.textContent = "Paying…";
    message.hidden = true;
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
      .then(function (result) {
        // Only reached when the payment could not start: the page stays, with Stripe's explanation.
        message.textContent = result.error.message;
        message.hidden = false;
        button.disabled = false;
        button.textContent = label;
      });
  });
})();
