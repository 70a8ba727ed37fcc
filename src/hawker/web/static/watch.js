/* Hawker shoppable videos and replays: product cards appear at their moment in the video;
   on a replay, "jump" buttons seek to the moment a product was pinned. Without this script
   the page still lists every product with its moment and a Buy link. */
(function () {
  "use strict";

  /* Which moments show at `ms`: untimed ones always, timed ones from their moment on (until
     the next moment, or `until` when given). `moments` is [{at, until}] in page order. */
  function visible(moments, ms) {
    var timed = moments.filter(function (m) { return m.at !== null; });
    return moments.map(function (m) {
      if (m.at === null) return true;
      if (ms < m.at) return false;
      if (m.until !== null) return ms < m.until;
      var later = timed.filter(function (o) { return o.at > m.at; });
      return !later.length || ms < Math.min.apply(null, later.map(function (o) { return o.at; }));
    });
  }

  function number(value) {
    return value === null || value === "" || value === undefined ? null : parseInt(value, 10);
  }

  function Watch(root) {
    var video = document.getElementById("watch-video");
    var overlay = document.getElementById("watch-cards");
    var items = Array.prototype.slice.call(root.querySelectorAll(".moment"));
    var moments = items.map(function (li) {
      return { at: number(li.getAttribute("data-at")), until: number(li.getAttribute("data-until")) };
    });
    var shown = "";

    function update() {
      if (!video || !overlay) return;
      var flags = visible(moments, video.currentTime * 1000);
      var key = flags.join(",");
      if (key === shown) return;
      shown = key;
      overlay.textContent = "";
      items.forEach(function (li, i) {
        li.classList.toggle("is-now", flags[i] && moments[i].at !== null);
        if (!flags[i]) return;
        var card = document.createElement("li");
        card.className = "pinned";
        var info = li.querySelector(".minicard").cloneNode(true);
        info.classList.add("pinned__link");
        var buy = li.querySelector("a.btn").cloneNode(true);
        card.appendChild(info);
        card.appendChild(buy);
        overlay.appendChild(card);
      });
    }

    root.querySelectorAll("[data-seek]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        if (!video) return;
        video.currentTime = parseInt(button.getAttribute("data-seek"), 10) / 1000;
        var playing = video.play();
        if (playing && playing.catch) playing.catch(function () { /* needs a tap */ });
        video.scrollIntoView({ block: "nearest" });
      });
    });

    if (video) {
      video.addEventListener("timeupdate", update);
      video.addEventListener("seeked", update);
      update();
    }

    var id = root.getAttribute("data-video-id");
    if (id) {
      fetch("/api/v1/videos/" + encodeURIComponent(id) + "/views", { method: "POST", credentials: "same-origin" })
        .catch(function () { /* a view not counted is not worth bothering anyone about */ });
    }
  }

  window.HawkerWatch = { visible: visible };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-watch]");
    if (root) Watch(root);
  });
})();
