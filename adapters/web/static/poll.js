// Live progress without a library: each [data-poll] element reloads its fragment every second while the
// fragment says a job is running, and the page reloads once when that job ends, to show its result.
(function () {
  "use strict";
  function follow(element) {
    var wasRunning = !!element.querySelector("[data-running]");
    function tick() {
      fetch(element.getAttribute("data-poll"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          element.innerHTML = html;
          var running = !!element.querySelector("[data-running]");
          if (running) { wasRunning = true; setTimeout(tick, 1000); }
          else if (wasRunning) { window.location.reload(); }
        })
        .catch(function () { setTimeout(tick, 5000); });
    }
    if (wasRunning) { setTimeout(tick, 1000); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(follow);
  });
})();
