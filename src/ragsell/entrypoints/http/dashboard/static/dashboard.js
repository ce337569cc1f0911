/* ragsell dashboard: small enhancements on top of pages that work without them.
   Text from the server is put on the page with textContent, never as HTML. */
(() => {
  "use strict";
  document.documentElement.classList.add("js");
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.content : "";

  // Every request to the dashboard API carries the CSRF token (the API wants it on changes).
  const api = async (path, options = {}) => {
    const response = await fetch(path, {
      credentials: "same-origin",
      ...options,
      headers: {"x-csrf-token": csrf, accept: "application/json", ...(options.headers || {})},
    });
    if (response.status === 401) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname);
      throw new Error("logged out");
    }
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  };

  const every = (seconds, task) => {
    let timer = null;
    const run = async () => {
      let again = true;
      try {
        again = (await task()) !== false;
      } catch (error) {
        again = error.message !== "logged out";
      }
      if (again) timer = setTimeout(run, seconds * 1000);
    };
    run();
    return () => clearTimeout(timer);
  };

  // Knowledge: the progress of a running crawl, until it ends; then the page shows its pages.
  const crawl = document.querySelector("[data-crawl-poll]");
  if (crawl) {
    const bar = crawl.querySelector("progress");
    const text = crawl.querySelector("[data-crawl-text]");
    every(1, async () => {
      const job = await api(crawl.dataset.crawlPoll);
      if (!job) return true;
      const {found, done, failed, percent} = job.progress;
      if (job.state === "queued") {
        text.textContent = "Waiting to start…";
      } else if (job.state === "running") {
        bar.value = percent;
        text.textContent = `Crawling: ${done + failed} of ${found} pages checked (${percent}%).`;
      } else {
        bar.value = job.state === "done" ? 100 : percent;
        text.textContent = job.state === "done"
          ? `Crawl finished: ${done} pages read, ${failed} failed. Loading the pages…`
          : "The crawl failed. Reloading…";
        setTimeout(() => location.reload(), 1200);
        return false;
      }
      return true;
    });
  }

  // Analytics: visitors active now, refreshed.
  const active = document.querySelector("[data-active-poll]");
  if (active) {
    const count = active.querySelector("[data-active-count]");
    every(15, async () => {
      const result = await api(active.dataset.activePoll);
      count.textContent = String(result.activeNow);
    });
  }

  // Install: copy the snippet.
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(source.textContent);
        button.textContent = "Copied";
      } catch (error) {
        getSelection().selectAllChildren(source);
        button.textContent = "Press Ctrl+C";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 2000);
    });
  }

  // Reset password: the link's token is in the address's fragment, which no server sees.
  const reset = document.querySelector("[data-reset-form]");
  if (reset) {
    const token = new URLSearchParams(location.hash.slice(1)).get("token");
    if (token) {
      reset.querySelector("[data-reset-token]").value = token;
      history.replaceState(null, "", location.pathname);
    } else {
      document.querySelector("[data-reset-missing]").hidden = false;
      reset.hidden = true;
    }
  }

  // Settings: the widget preview follows the branding fields as they change.
  const preview = document.querySelector("[data-preview]");
  if (preview) {
    const field = (name) => document.querySelector(`[data-preview-source="${name}"]`);
    const name = field("name");
    const colour = field("colour");
    const greeting = field("greeting");
    const position = field("position");
    const suggestions = document.querySelectorAll('[data-preview-source="suggestion"]');
    const draw = () => {
      if (/^#[0-9a-fA-F]{6}$/.test(colour.value)) preview.style.setProperty("--brand", colour.value);
      preview.querySelector("[data-preview-name]").textContent = name.value;
      preview.querySelector("[data-preview-initial]").textContent = name.value.trim().slice(0, 1);
      preview.querySelector("[data-preview-greeting]").textContent = greeting.value;
      preview.querySelector("[data-preview-launcher]").classList.toggle("left", position.value === "bottom-left");
      const list = preview.querySelector("[data-preview-suggestions]");
      list.replaceChildren(...[...suggestions].filter((input) => input.value.trim()).map((input) => {
        const chip = document.createElement("span");
        chip.textContent = input.value;
        return chip;
      }));
    };
    for (const input of [name, colour, greeting, position, ...suggestions]) input.addEventListener("input", draw);
    draw();
  }
})();
