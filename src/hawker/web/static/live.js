/* Hawker live rooms: the buyer's room (/live/{id}) and the host's console.
   Joins the room's WebSocket (docs/live-protocol.md): a snapshot, then coalesced frames.
   A connection closed with 4008 ("lagging"), or one whose frames go out of order,
   reconnects and starts again from a fresh snapshot.
   Nothing a viewer writes is ever inserted as markup: every text goes in with textContent. */
(function () {
  "use strict";

  var MAX_COMMENTS = 50;
  var LIKE_FLUSH_MS = 250;
  var MAX_LIKES_PER_MESSAGE = 50;
  var CLOSE_LAGGING = 4008;
  var CLOSE_NOT_FOUND = 4004;
  var ENDED = ["ENDED", "CANCELLED"];

  // ------------------------------------------------------------------ the room's state (pure)

  function newState() {
    return {
      seq: -1, session: null, pinned: null, bag: [], deal: null, stock: {},
      viewers: 0, likes: 0, comments: [], you: null
    };
  }

  function copy(state) {
    var out = {};
    for (var k in state) if (Object.prototype.hasOwnProperty.call(state, k)) out[k] = state[k];
    return out;
  }

  /* Apply one server message. Returns {state, changed: {key: true}, bought: [...],
     reconnect: bool}; the state passed in is not modified. */
  function apply(state, msg) {
    var result = { state: state, changed: {}, bought: [], reconnect: false };
    if (!msg || typeof msg !== "object") return result;
    if (msg.type === "snapshot") {
      var s = newState();
      s.seq = msg.seq;
      s.session = msg.session || null;
      s.pinned = msg.pinned || null;
      s.bag = msg.bag || [];
      s.deal = msg.deal || null;
      s.stock = msg.stock || {};
      s.viewers = msg.viewers || 0;
      s.likes = msg.likes || 0;
      s.comments = (msg.comments || []).slice(-MAX_COMMENTS);
      s.you = msg.you || null;
      result.state = s;
      result.changed = {
        snapshot: true, session: true, pinned: true, bag: true, deal: true, stock: true,
        viewers: true, likes: true, comments: true, status: true
      };
      return result;
    }
    if (msg.type !== "frame") return result;
    if (typeof msg.seq !== "number" || msg.seq <= state.seq) {
      result.reconnect = true; // out of order: this connection cannot be trusted
      return result;
    }
    var next = copy(state);
    next.seq = msg.seq;
    var changed = result.changed;
    ["viewers", "likes", "pinned", "bag", "deal"].forEach(function (key) {
      if (Object.prototype.hasOwnProperty.call(msg, key)) {
        next[key] = key === "bag" ? msg.bag || [] : msg[key];
        changed[key] = true;
      }
    });
    if (msg.stock) {
      next.stock = copy(state.stock || {});
      for (var id in msg.stock) next.stock[id] = msg.stock[id];
      changed.stock = true;
    }
    if (msg.comments || msg.removed) {
      var list = state.comments.slice();
      if (msg.comments) {
        var seen = {};
        list.forEach(function (c) { seen[c.id] = true; });
        msg.comments.forEach(function (c) {
          if (!seen[c.id]) { list.push(c); seen[c.id] = true; }
        });
      }
      if (msg.removed) {
        var gone = {};
        msg.removed.forEach(function (id) { gone[id] = true; });
        list = list.filter(function (c) { return !gone[c.id]; });
      }
      next.comments = list.slice(-MAX_COMMENTS);
      changed.comments = true;
    }
    if (msg.status) {
      next.session = copy(state.session || {});
      next.session.status = msg.status;
      next.session.playback = msg.playback || null;
      if (ENDED.indexOf(msg.status) >= 0) next.pinned = null;
      changed.status = true;
      changed.pinned = true;
    }
    if (msg.bought) result.bought = msg.bought;
    result.state = next;
    return result;
  }

  /* Where a deal is at `now` (ms): COUNTDOWN, LIVE or ENDED, as the server decides it. */
  function dealPhase(deal, now) {
    if (!deal) return "ENDED";
    if (deal.status === "ENDED" || deal.status === "CANCELLED") return "ENDED";
    if (deal.remaining <= 0) return "ENDED";
    if (now >= Date.parse(deal.ends_at)) return "ENDED";
    if (now < Date.parse(deal.starts_at)) return "COUNTDOWN";
    return "LIVE";
  }

  function clock(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var m = Math.floor(total / 60);
    var s = total % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function compact(n) {
    if (n >= 1e6) return (n / 1e6).toFixed(n >= 1e7 ? 0 : 1).replace(/\.0$/, "") + "M";
    if (n >= 1e4) return (n / 1e3).toFixed(n >= 1e5 ? 0 : 1).replace(/\.0$/, "") + "K";
    return String(n);
  }

  // ------------------------------------------------------------------ the connection

  function socketUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  /* Keep one socket open to `path`; `onMessage(msg)` for each message, `onEnd()` when the
     live is over. Reconnects after a drop (at once after 4008, else with back-off). */
  function connect(path, onMessage, onEnd) {
    var ws = null;
    var stopped = false;
    var attempts = 0;
    var timer = null;

    function open() {
      timer = null;
      if (stopped) return;
      ws = new WebSocket(socketUrl(path));
      var mine = ws;
      ws.onopen = function () { attempts = 0; };
      ws.onmessage = function (event) {
        if (mine !== ws) return;
        var msg;
        try { msg = JSON.parse(event.data); } catch (e) { return; }
        onMessage(msg);
      };
      ws.onclose = function (event) {
        if (mine !== ws || stopped) return;
        ws = null;
        if (event.code === 1000 && event.reason === "ended") { stopped = true; if (onEnd) onEnd(); return; }
        if (event.code === CLOSE_NOT_FOUND) { stopped = true; return; }
        var delay = event.code === CLOSE_LAGGING ? 100 : Math.min(500 * Math.pow(2, attempts), 8000);
        attempts += 1;
        timer = setTimeout(open, delay);
      };
    }

    open();
    return {
      send: function (message) {
        if (!ws || ws.readyState !== 1) return false;
        ws.send(JSON.stringify(message));
        return true;
      },
      reconnect: function () {
        var old = ws;
        ws = null;
        if (old) { try { old.close(4000, "resync"); } catch (e) { /* already closing */ } }
        if (!timer && !stopped) timer = setTimeout(open, 50);
      },
      stop: function () {
        stopped = true;
        if (ws) ws.close(1000, "bye");
      }
    };
  }

  // ------------------------------------------------------------------ DOM helpers

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function img(src, className) {
    var node = document.createElement("img");
    node.src = src;
    node.alt = "";
    if (className) node.className = className;
    return node;
  }

  function show(node, visible) { if (node) node.hidden = !visible; }

  function readJson(id) {
    var node = $(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent || "null"); } catch (e) { return null; }
  }

  function priceText(card) {
    var from = card.price_from ? card.price_from.formatted : "";
    var to = card.price_to ? card.price_to.formatted : "";
    return to && to !== from ? from + " – " + to : from;
  }

  function renderComment(c, onRemove) {
    var li = el("li", "comment");
    li.dataset.id = c.id;
    li.appendChild(el("b", "comment__name", c.user && c.user.name));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("span", "comment__text", c.text));
    if (onRemove) {
      var remove = el("button", "comment__remove linklike", "Remove");
      remove.type = "button";
      remove.addEventListener("click", function () { onRemove(c); });
      li.appendChild(remove);
    }
    return li;
  }

  function renderComments(list, comments, onRemove) {
    if (!list) return;
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.textContent = "";
    comments.forEach(function (c) { list.appendChild(renderComment(c, onRemove)); });
    if (atBottom || list.scrollTop === 0) list.scrollTop = list.scrollHeight;
  }

  // ------------------------------------------------------------------ the buyer's room

  function Room(root) {
    var data = readJson("room-data") || {};
    var state = newState();
    var back = "/live/" + data.session_id;
    var conn = null;
    var pendingLikes = 0;
    var shownLikes = 0;
    var likeTimer = null;
    var bought = [];
    var boughtTimer = null;
    var dealTicker = null;
    var refs = 0;

    var nodes = {
      viewers: $("room-viewers"), likes: $("room-likes"), status: $("room-status"),
      comments: $("room-comments"), pinned: $("room-pinned"), deal: $("room-deal"),
      bagList: $("room-bag-list"), bagCount: $("room-bag-count"), bought: $("room-bought"),
      toast: $("room-toast"), notice: $("room-notice"), hearts: $("room-hearts"),
      composer: $("room-composer"), comment: $("room-comment"), like: $("room-like"),
      bag: $("room-bag"), bagOpen: $("room-bag-open"), bagClose: $("room-bag-close"),
      sound: $("room-sound"), noplay: $("room-noplay")
    };

    function toast(text) {
      if (!nodes.toast) return;
      nodes.toast.textContent = text;
      nodes.toast.hidden = false;
      clearTimeout(toast.timer);
      toast.timer = setTimeout(function () { nodes.toast.hidden = true; }, 4000);
    }

    // the picture -------------------------------------------------------------------------
    function video() { return $("room-video"); }

    function startVideo(v) {
      if (!v) return;
      var hls = v.getAttribute("data-hls");
      if (hls && !v.getAttribute("src")) {
        if (v.canPlayType("application/vnd.apple.mpegurl")) v.src = hls;
        else { show(nodes.noplay, true); return; }
      }
      var playing = v.play();
      if (playing && playing.catch) playing.catch(function () { /* autoplay refused */ });
      show(nodes.sound, v.muted);
    }

    function setPlayback(playback) {
      var v = video();
      if (!playback) {
        if (v) v.pause();
        return;
      }
      if (!v) {
        var off = root.querySelector(".room__video--off");
        v = document.createElement("video");
        v.id = "room-video";
        v.className = "room__video";
        v.muted = true;
        v.autoplay = true;
        v.loop = true;
        v.setAttribute("playsinline", "");
        if (off) off.replaceWith(v);
        else root.querySelector(".room__stage").prepend(v);
      }
      if (playback.kind === "mp4") v.src = playback.url;
      else { v.removeAttribute("src"); v.setAttribute("data-hls", playback.url); }
      show(nodes.notice, false);
      startVideo(v);
    }

    // what the room shows -------------------------------------------------------------------
    function stockOf(id) {
      var left = state.stock ? state.stock[id] : undefined;
      return typeof left === "number" ? left : null;
    }

    function renderPinned() {
      var box = nodes.pinned;
      if (!box) return;
      box.textContent = "";
      var p = state.pinned;
      show(box, !!p);
      if (!p) return;
      var href = "/products/" + p.id + "?back=" + encodeURIComponent(back);
      var tag = el("span", "pinned__tag", "Pinned");
      var link = el("a", "pinned__link");
      link.href = href;
      link.dataset.product = p.id;
      if (p.image_url) link.appendChild(img(p.image_url, "pinned__img"));
      var text = el("span", "pinned__text");
      text.appendChild(el("span", "pinned__title", p.title));
      var left = stockOf(p.id);
      var soldOut = left === 0 || p.in_stock === false;
      text.appendChild(el("span", "pinned__price", soldOut ? "Sold out" : priceText(p)));
      link.appendChild(text);
      var buy = el("a", "btn btn--primary btn--small pinned__buy", "Buy");
      buy.href = href;
      buy.dataset.buy = p.id;
      box.appendChild(tag);
      box.appendChild(link);
      box.appendChild(buy);
    }

    function renderBag() {
      if (nodes.bagCount) nodes.bagCount.textContent = String(state.bag.length);
      var list = nodes.bagList;
      if (!list) return;
      list.textContent = "";
      if (!state.bag.length) {
        list.appendChild(el("li", "room-bag__empty muted", "The host hasn't added products yet."));
        return;
      }
      state.bag.forEach(function (p) {
        var href = "/products/" + p.id + "?back=" + encodeURIComponent(back);
        var li = el("li", "room-bag__item");
        li.dataset.id = p.id;
        var card = el("a", "room-bag__card");
        card.href = href;
        card.dataset.product = p.id;
        var mini = el("div", "minicard");
        var media = el("div", "minicard__media");
        if (p.image_url) media.appendChild(img(p.image_url));
        var body = el("div", "minicard__body");
        body.appendChild(el("p", "minicard__title", p.title));
        body.appendChild(el("p", "minicard__price", priceText(p)));
        var left = stockOf(p.id);
        if (left === 0 || p.in_stock === false) body.appendChild(el("p", "minicard__stock", "Sold out"));
        else if (left !== null && left <= 10) body.appendChild(el("p", "minicard__stock", left + " left"));
        mini.appendChild(media);
        mini.appendChild(body);
        card.appendChild(mini);
        var buy = el("a", "btn btn--primary btn--small", "Buy");
        buy.href = href;
        buy.dataset.buy = p.id;
        li.appendChild(card);
        li.appendChild(buy);
        list.appendChild(li);
      });
    }

    function renderDeal() {
      var box = nodes.deal;
      if (!box) return;
      var d = state.deal;
      box.textContent = "";
      clearInterval(dealTicker);
      dealTicker = null;
      if (!d || d.status === "CANCELLED") { show(box, false); return; }
      show(box, true);
      box.dataset.dealId = d.id;
      var head = el("div", "deal__head");
      head.appendChild(el("span", "deal__kicker", "⚡ Flash deal"));
      var timer = el("span", "deal__timer");
      timer.setAttribute("role", "timer");
      head.appendChild(timer);
      var body = el("div", "deal__body");
      if (d.product && d.product.image_url) body.appendChild(img(d.product.image_url, "deal__img"));
      var info = el("div", "deal__info");
      var name = d.product ? d.product.title + (d.product.sku_name ? " · " + d.product.sku_name : "") : "";
      info.appendChild(el("p", "deal__title", name));
      var prices = el("p", "deal__prices");
      prices.appendChild(el("span", "deal__price", d.price.formatted));
      prices.appendChild(document.createTextNode(" "));
      prices.appendChild(el("s", "deal__was", d.regular_price.formatted));
      info.appendChild(prices);
      var meter = el("progress", "deal__meter");
      meter.max = d.stock_cap;
      meter.value = Math.max(0, d.remaining);
      meter.setAttribute("aria-label", "Units left");
      info.appendChild(meter);
      info.appendChild(el("p", "deal__left", d.remaining > 0 ? d.remaining + " of " + d.stock_cap + " left" : "Sold out"));
      body.appendChild(info);
      var buy = el("button", "btn btn--deal deal__buy", "Buy now");
      buy.type = "button";
      buy.addEventListener("click", function () { openDeal(); });
      body.appendChild(buy);
      box.appendChild(head);
      box.appendChild(body);

      function tick() {
        var now = Date.now();
        var phase = dealPhase(d, now);
        box.dataset.phase = phase;
        if (phase === "COUNTDOWN") {
          timer.textContent = "Starts in " + clock(Date.parse(d.starts_at) - now);
          buy.disabled = true;
          buy.textContent = "Get ready";
        } else if (phase === "LIVE") {
          timer.textContent = "Ends in " + clock(Date.parse(d.ends_at) - now);
          buy.disabled = false;
          buy.textContent = "Buy now";
        } else {
          timer.textContent = d.remaining > 0 ? "Deal over" : "Sold out";
          buy.disabled = true;
          buy.textContent = d.remaining > 0 ? "Deal over" : "Sold out";
          clearInterval(dealTicker);
          dealTicker = null;
        }
      }
      tick();
      dealTicker = setInterval(tick, 250);
    }

    function renderStatus() {
      var session = state.session || {};
      var status = session.status;
      root.dataset.status = status || "";
      if (nodes.status) {
        nodes.status.textContent = status === "LIVE" ? "LIVE" : (status === "ENDED" ? "Ended" : (status === "CANCELLED" ? "Cancelled" : "Scheduled"));
        nodes.status.classList.toggle("room__badge--live", status === "LIVE");
      }
      if (status === "LIVE" && session.playback) setPlayback(session.playback);
      if (ENDED.indexOf(status) >= 0) ended();
    }

    function showBought(notices) {
      notices.forEach(function (n) { bought.push(n); });
      if (boughtTimer || !nodes.bought) return;
      (function next() {
        var n = bought.shift();
        if (!n) { nodes.bought.hidden = true; boughtTimer = null; return; }
        nodes.bought.textContent = n.buyer + " just bought " + n.product;
        nodes.bought.hidden = false;
        boughtTimer = setTimeout(next, 2500);
      })();
    }

    function setLikes(total) {
      shownLikes = Math.max(shownLikes, total);
      if (nodes.likes) nodes.likes.textContent = compact(shownLikes);
    }

    function onMessage(msg) {
      if (msg.type === "error") {
        if (msg.code === "live_not_found") return;
        toast(msg.message || "That didn't work.");
        return;
      }
      if (msg.type !== "snapshot" && msg.type !== "frame") return;
      var result = apply(state, msg);
      if (result.reconnect) { conn.reconnect(); return; }
      state = result.state;
      var c = result.changed;
      if (c.viewers && nodes.viewers) nodes.viewers.textContent = compact(state.viewers);
      if (c.likes) setLikes(state.likes);
      if (c.comments) renderComments(nodes.comments, state.comments, null);
      if (c.pinned || c.stock) renderPinned();
      if (c.bag || c.stock) renderBag();
      if (c.deal) renderDeal();
      if (c.status) renderStatus();
      if (result.bought.length) showBought(result.bought);
      root.dataset.seq = String(state.seq);
    }

    function ended() {
      show(nodes.notice, true);
      if (nodes.notice) {
        nodes.notice.textContent = "";
        nodes.notice.appendChild(el("p", "room__notice-title", "This live has ended"));
        var link = el("a", "btn btn--primary", "See the replay");
        link.href = back + "/replay";
        nodes.notice.appendChild(link);
      }
      var v = video();
      if (v) v.pause();
      if (nodes.composer) nodes.composer.hidden = true;
    }

    // likes -------------------------------------------------------------------------------
    function burst() {
      if (!nodes.hearts) return;
      var heart = el("span", "heart heart--" + (1 + Math.floor(Math.random() * 4)), "♥");
      heart.addEventListener("animationend", function () { heart.remove(); });
      nodes.hearts.appendChild(heart);
      while (nodes.hearts.childNodes.length > 24) nodes.hearts.firstChild.remove();
    }

    function flushLikes() {
      likeTimer = null;
      if (!pendingLikes) return;
      var count = Math.min(pendingLikes, MAX_LIKES_PER_MESSAGE);
      if (conn.send({ type: "like", count: count })) pendingLikes -= count;
      if (pendingLikes) likeTimer = setTimeout(flushLikes, LIKE_FLUSH_MS);
    }

    if (nodes.like) {
      nodes.like.addEventListener("click", function () {
        if (!data.logged_in) { location.href = data.login; return; }
        burst();
        pendingLikes += 1;
        setLikes(shownLikes + 1);
        if (!likeTimer) likeTimer = setTimeout(flushLikes, LIKE_FLUSH_MS);
      });
    }

    // comments ----------------------------------------------------------------------------
    if (nodes.composer) {
      nodes.composer.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = (nodes.comment.value || "").trim();
        if (!text) return;
        refs += 1;
        if (conn.send({ type: "comment", text: text, ref: "c" + refs })) nodes.comment.value = "";
        else toast("Reconnecting… try again in a moment.");
      });
    }

    // the bag (a sheet on phones, a column on wide screens) -------------------------------
    function setBag(open) {
      if (!nodes.bag) return;
      nodes.bag.classList.toggle("is-open", open);
      document.body.classList.toggle("has-sheet", open);
      if (open) nodes.bag.focus();
      else if (nodes.bagOpen) nodes.bagOpen.focus();
    }
    if (nodes.bagOpen) nodes.bagOpen.addEventListener("click", function (e) { e.preventDefault(); setBag(true); });
    if (nodes.bagClose) nodes.bagClose.addEventListener("click", function () { setBag(false); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && nodes.bag && nodes.bag.classList.contains("is-open")) setBag(false);
    });

    // buying: product cards open the options sheet ----------------------------------------
    var buySheet = $("buy-sheet");
    root.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("[data-buy], [data-product]") : null;
      if (!target || !root.contains(target)) return;
      var id = target.getAttribute("data-buy") || target.getAttribute("data-product");
      if (conn) conn.send({ type: "click", product_id: id });
      if (!buySheet) return; // guests follow the link to the product page
      event.preventDefault();
      setBag(false);
      openProduct(id);
    });

    function openProduct(id) {
      var form = $("buy-form");
      $("buy-product").value = id;
      $("buy-title").textContent = "Loading…";
      $("buy-price").textContent = "";
      $("buy-stock").textContent = "";
      $("buy-media").textContent = "";
      $("buy-options").textContent = "";
      form.querySelectorAll("[data-needs-choice]").forEach(function (b) { b.disabled = true; });
      if (!buySheet.open) buySheet.showModal();
      fetch("/api/v1/products/" + encodeURIComponent(id), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (product) { fillProduct(product); })
        .catch(function () { $("buy-title").textContent = "This product isn't available any more."; });
    }

    function optionNames(skus) {
      var names = [];
      if (skus.length) (skus[0].sales_attributes || []).forEach(function (a) { if (names.indexOf(a.name) < 0) names.push(a.name); });
      return names.slice(0, 3);
    }

    function valueOf(sku, name) {
      var found = (sku.sales_attributes || []).filter(function (a) { return a.name.toLowerCase() === name.toLowerCase(); })[0];
      return found ? found.value_name : "";
    }

    function fillProduct(product) {
      var form = $("buy-form");
      var skus = product.skus || [];
      var names = optionNames(skus);
      $("buy-title").textContent = product.title;
      if (product.images && product.images.length) $("buy-media").appendChild(img(product.images[0].thumb_uri || product.images[0].uri));
      var box = $("buy-options");
      names.forEach(function (name, i) {
        var set = el("fieldset", "options");
        set.appendChild(el("legend", "options__legend", name));
        var values = el("div", "options__values");
        var seen = [];
        skus.forEach(function (sku) {
          var value = valueOf(sku, name);
          if (!value || seen.indexOf(value) >= 0) return;
          seen.push(value);
          var wrap = el("span", "option");
          var input = el("input", "option__input");
          input.type = "radio";
          input.name = "option-" + i;
          input.value = value;
          input.id = "buy-opt-" + i + "-" + seen.length;
          var label = el("label", "option__label", value);
          label.htmlFor = input.id;
          wrap.appendChild(input);
          wrap.appendChild(label);
          values.appendChild(wrap);
        });
        set.appendChild(values);
        box.appendChild(set);
      });

      function chosen() {
        var picked = names.map(function (_, i) {
          var c = form.querySelector('input[name="option-' + i + '"]:checked');
          return c ? c.value : "";
        });
        if (picked.some(function (v) { return !v; })) return null;
        return skus.filter(function (sku) {
          return names.every(function (name, i) { return valueOf(sku, name) === picked[i]; });
        })[0] || false;
      }

      function update() {
        var sku = names.length ? chosen() : skus[0];
        var buttons = form.querySelectorAll("[data-needs-choice]");
        if (sku) {
          $("buy-price").textContent = sku.price.formatted;
          $("buy-stock").textContent = sku.available > 0 ? sku.available + " in stock" : "Sold out";
          $("buy-qty").max = String(Math.max(1, Math.min(99, sku.available)));
        } else {
          $("buy-price").textContent = priceText(product);
          $("buy-stock").textContent = sku === false ? "This combination isn't available" : "Choose " + names.join(" and ").toLowerCase();
        }
        buttons.forEach(function (b) { b.disabled = !sku || sku.available <= 0; });
      }
      form.onchange = update;
      update();
      var first = form.querySelector(".option__input");
      if (first) first.focus();
    }

    // buying a flash deal: the deal's own endpoint, then pay in the sheet ------------------
    var dealSheet = $("deal-sheet");
    var dealKey = null;

    function randomKey() {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    }

    function addressFields(visible) {
      show($("deal-address-fields"), visible);
      show($("deal-address-change"), !visible && !!data.address);
    }

    function openDeal() {
      var d = state.deal;
      if (!d) return;
      if (!data.logged_in || !dealSheet) { location.href = data.login; return; }
      dealKey = randomKey();
      $("deal-title").textContent = d.product.title + (d.product.sku_name ? " · " + d.product.sku_name : "");
      $("deal-price").textContent = d.price.formatted;
      $("deal-was").textContent = d.regular_price.formatted;
      $("deal-left").textContent = d.remaining + " of " + d.stock_cap + " left · up to " + d.per_buyer_limit + " each";
      var media = $("deal-media");
      media.textContent = "";
      if (d.product.image_url) media.appendChild(img(d.product.image_url));
      var qty = $("deal-qty");
      qty.textContent = "";
      for (var i = 1; i <= Math.max(1, Math.min(d.per_buyer_limit, d.remaining)); i++) {
        var opt = el("option", "", String(i));
        opt.value = String(i);
        qty.appendChild(opt);
      }
      var saved = $("deal-address-saved");
      if (data.address) {
        var a = data.address;
        saved.textContent = [a.name, a.line1, a.city + (a.region ? ", " + a.region : "") + " " + a.postal_code].join(" · ");
        show(saved, true);
        ["name", "phone", "line1", "city", "region", "postal_code"].forEach(function (f) { $("f-deal-" + f).value = a[f] || ""; });
        addressFields(false);
      } else {
        show(saved, false);
        addressFields(true);
      }
      show($("deal-error"), false);
      show($("deal-step-buy"), true);
      show($("deal-step-pay"), false);
      $("deal-buy").disabled = false;
      if (!dealSheet.open) dealSheet.showModal();
    }

    function readAddress() {
      var out = { country_code: data.country };
      var missing = null;
      ["name", "phone", "line1", "city", "region", "postal_code"].forEach(function (f) {
        var input = $("f-deal-" + f);
        out[f] = (input.value || "").trim();
        if (!out[f] && input.required && !missing) missing = input;
      });
      return { address: out, missing: missing };
    }

    function dealError(text) {
      var box = $("deal-error");
      box.textContent = text;
      show(box, true);
    }

    if ($("deal-address-change")) {
      $("deal-address-change").addEventListener("click", function () {
        addressFields(true);
        show($("deal-address-saved"), false);
        $("f-deal-name").focus();
      });
    }

    if ($("deal-form")) {
      $("deal-form").addEventListener("submit", function (event) {
        event.preventDefault();
        var d = state.deal;
        if (!d) return;
        var body = { quantity: parseInt($("deal-qty").value, 10) || 1 };
        if (!$("deal-address-fields").hidden) {
          var read = readAddress();
          if (read.missing) {
            dealError("Fill in " + (read.missing.labels[0] ? read.missing.labels[0].textContent.replace("optional", "").trim().toLowerCase() : "the address") + ".");
            read.missing.focus();
            return;
          }
          body.address = read.address;
        }
        show($("deal-error"), false);
        var button = $("deal-buy");
        button.disabled = true;
        fetch(d.buy_url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "Idempotency-Key": dealKey },
          body: JSON.stringify(body)
        }).then(function (r) {
          return r.json().then(function (json) { return { status: r.status, json: json }; });
        }).then(function (answer) {
          button.disabled = false;
          if (answer.status === 201) { toPay(answer.json); return; }
          if (answer.status === 401) { location.href = data.login; return; }
          var error = answer.json && answer.json.error;
          dealError(error && error.message ? error.message : "That didn't work. Try again.");
        }).catch(function () {
          button.disabled = false;
          dealError("We couldn't reach Hawker. Check your connection and try again.");
        });
      });
    }

    function toPay(order) {
      var form = $("deal-pay-form");
      form.action = "/checkout/" + encodeURIComponent(order.order_id) + "/pay";
      $("deal-pay-key").value = randomKey();
      $("deal-pay").textContent = "Pay " + order.total.formatted;
      var by = new Date(order.pay_by);
      $("deal-pay-by").textContent = "Pay by " + by.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + " to keep it.";
      show($("deal-step-buy"), false);
      show($("deal-step-pay"), true);
      $("deal-pay-title").focus();
    }

    document.querySelectorAll("dialog [data-close]").forEach(function (button) {
      button.addEventListener("click", function () { button.closest("dialog").close(); });
    });

    // go ------------------------------------------------------------------------------------
    if (nodes.sound) {
      nodes.sound.addEventListener("click", function () {
        var v = video();
        if (v) { v.muted = false; v.play(); }
        show(nodes.sound, false);
      });
    }
    startVideo(video());
    var status = data.status;
    if (status === "ENDED" || status === "CANCELLED") return;
    conn = connect(data.socket, onMessage, function () { ended(); });
  }

  // ------------------------------------------------------------------ the host's console

  function Console(root) {
    var path = root.getAttribute("data-socket");
    var state = newState();
    var conn = null;
    var list = $("console-comments");

    function remove(c) {
      conn.send({ type: "remove_comment", comment_id: c.id, ref: "r" + c.id });
    }

    function stat(name, value) {
      root.querySelectorAll('[data-stat="' + name + '"]').forEach(function (node) { node.textContent = value; });
    }

    function onMessage(msg) {
      if (msg.type === "stats") {
        stat("viewers", compact(msg.viewers));
        stat("peak_viewers", compact(msg.peak_viewers));
        stat("unique_viewers", compact(msg.unique_viewers));
        stat("comments", compact(msg.comments));
        stat("likes", compact(msg.likes));
        stat("product_clicks", compact(msg.product_clicks));
        stat("orders", compact(msg.orders));
        stat("gmv", msg.gmv.formatted);
        stat("conversion", (parseFloat(msg.conversion) * 100).toFixed(1) + "%");
        root.dataset.stats = "live";
        return;
      }
      if (msg.type === "error") {
        var toast = $("console-toast");
        if (toast) { toast.textContent = msg.message || "That didn't work."; toast.hidden = false; }
        return;
      }
      var result = apply(state, msg);
      if (result.reconnect) { conn.reconnect(); return; }
      state = result.state;
      if (result.changed.viewers) stat("viewers", compact(state.viewers));
      if (result.changed.likes) stat("likes", compact(state.likes));
      if (result.changed.comments) renderComments(list, state.comments, remove);
      if (result.changed.deal && state.deal) {
        var d = state.deal;
        stat("deal_remaining", String(d.remaining));
        stat("deal_sold", String(d.sold));
      }
      if (result.changed.pinned) {
        var pinned = state.pinned ? state.pinned.id : "";
        root.querySelectorAll("[data-bag-item]").forEach(function (row) {
          row.classList.toggle("is-pinned", row.getAttribute("data-bag-item") === pinned);
        });
      }
    }

    conn = connect(path, onMessage, null);
  }

  // Exposed for tests and for the console's inline helpers.
  window.HawkerLive = { newState: newState, apply: apply, dealPhase: dealPhase, clock: clock, compact: compact, connect: connect };

  document.addEventListener("DOMContentLoaded", function () {
    var room = document.querySelector("[data-room]");
    if (room) Room(room);
    var console_ = document.querySelector("[data-console]");
    if (console_) Console(console_);
  });
})();
