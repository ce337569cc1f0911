/* ragsell widget loader: draws the launcher button only; the chat loads when it is opened. */
(() => {
  "use strict";
  const me = document.currentScript;
  const key = me && me.dataset.site;
  if (!key || !/^pk_[\w-]{22}$/.test(key) || !window.fetch || !window.customElements) return;
  const origin = new URL(me.src).origin;
  const base = origin + "/widget/v1/sites/" + key;
  const slot = "ragsell:" + key;
  const LABEL = __RAGSELL_LABELS__;
  const ICON = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">' +
    '<path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

  const uuid = () => crypto.randomUUID ? crypto.randomUUID() :
    "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
      (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));

  // Everything the widget keeps lives under this one localStorage key.
  const state = (() => {
    try { return JSON.parse(localStorage.getItem(slot)) || {}; } catch (e) { return {}; }
  })();
  const save = () => {
    try { localStorage.setItem(slot, JSON.stringify(state)); } catch (e) { /* storage off: this page only */ }
  };

  // The text colour (black or white) with the better contrast on a #rrggbb background.
  const ink = (hex) => {
    const lum = [1, 3, 5].map((i) => {
      const c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    const l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  };

  const send = (path, body, extra) => fetch(base + path, Object.assign({
    method: "POST", credentials: "omit", headers: {"content-type": "application/json"}, body: JSON.stringify(body),
  }, extra));

  const start = (config) => {
    const brand = config.branding;
    if (!state.v) { state.v = uuid(); save(); }
    const host = document.createElement("ragsell-widget");
    host.style.cssText = "all:initial!important;position:fixed!important;bottom:0!important;" +
      (brand.position === "bottom-left" ? "left" : "right") + ":0!important;width:0!important;height:0!important;" +
      "z-index:2147483647!important;display:block!important;";
    const root = host.attachShadow({mode: "open"});
    const side = brand.position === "bottom-left" ? "left" : "right";
    root.innerHTML = "<style>.launcher{all:initial;position:fixed;bottom:20px;" + side + ":20px;width:56px;height:56px;" +
      "border-radius:50%;display:flex;align-items:center;justify-content:center;cursor:pointer;" +
      "box-shadow:0 4px 14px rgba(0,0,0,.3);box-sizing:border-box}" +
      ".launcher:focus-visible{outline:3px solid #1d4ed8;outline-offset:3px}</style>";
    const launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "launcher";
    launcher.setAttribute("aria-label", LABEL[brand.language] || LABEL.en);
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.setAttribute("aria-expanded", "false");
    launcher.style.background = brand.colour;
    launcher.style.color = ink(brand.colour);
    launcher.innerHTML = ICON;
    root.append(launcher);
    document.body.append(host);

    let ui = null;
    const open = (byVisitor) => {
      ui = ui || import(origin + "__RAGSELL_UI__").then((module) => module.mount({
        root, launcher, config, base, state, save, uuid, ink,
      }));
      ui.then((chat) => chat.open(byVisitor), () => { ui = null; });
    };
    launcher.addEventListener("click", () => {
      if (launcher.getAttribute("aria-expanded") === "true") ui.then((chat) => chat.close());
      else open(true);
    });
    send("/page-views", {
      visitorId: state.v,
      url: location.origin + location.pathname,
      referrer: document.referrer ? document.referrer.split(/[?#]/)[0] : null,
    }, {keepalive: true}).catch(() => {});
    if (brand.autoOpen && !state.closed) open(false);
  };

  // An origin the site does not allow gets no config: then nothing is drawn or sent.
  fetch(base + "/config", {credentials: "omit"})
    .then((response) => response.ok ? response.json() : null)
    .then((config) => {
      if (!config) return;
      if (document.body) start(config);
      else document.addEventListener("DOMContentLoaded", () => start(config));
    }, () => {});
})();
