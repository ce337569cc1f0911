/* ragsell chat UI: imported by the widget loader when the visitor opens the chat.
   Everything a visitor or a model wrote is put on the page as text, never as HTML. */
const CSS = __RAGSELL_CSS__;
const STRINGS = __RAGSELL_STRINGS__;
const ICONS = {
  close: "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
  add: "M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z",
  mail: "M20 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 4-8 5-8-5V6l8 5 8-5z",
  up: "M1 21h4V9H1v12zm22-11a2 2 0 0 0-2-2h-6.3l1-4.6V3a1.5 1.5 0 0 0-.5-1L14.2 1 7.6 7.6A2 2 0 0 0 7 9v10a2 2 0 0 0 2 2h9a2 2 0 0 0 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7z",
  down: "M15 3H6a2 2 0 0 0-1.8 1.2l-3 7.1c-.1.2-.2.5-.2.7v2a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.5 1.1L9.8 23l6.6-6.6c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2zm4 0v12h4V3z",
  mic: "M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1a7 7 0 0 0 6-6.9z",
  stop: "M6 6h12v12H6z",
  call: "M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.2 11.4 11.4 0 0 0 3.6.6 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.2.2 2.4.6 3.6a1 1 0 0 1-.3 1z",
};
// LiveKit's browser SDK, vendored beside this file as an ES module and imported only when a
// visitor starts a call: nothing of the page's (RequireJS's define, say) is used or touched.
const LIVEKIT = new URL("livekit-client-2.23.0.mjs", import.meta.url).href;
const MAX_RECORDING_SECONDS = 60;
// A visitor asking for a person, in the languages the widget speaks.
const PERSON = /\b(human|person|someone|agent|representative|call me|talk to|speak to|humano|persona|agente|llamad|humain|personne|conseiller|appelez|mensch|mitarbeiter|berater|anrufen|pessoa|atendente|liguem|umano|operatore|richiamat|medewerker|bel mij)/i;
const INLINE = /\\([!-/:-@[-`{-~])|`([^`\n]+)`|\*\*([^*\n]+)\*\*|\[([^\]\n]+)\]\(([^()\s]+)\)/g;
const LIST_ITEM = /^\s*(?:([-*+])|\d+[.)])\s+(.*)$/;

const E = (tag, attrs, ...kids) => {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (value != null && value !== false) el.setAttribute(name, value === true ? "" : value);
  }
  el.append(...kids.filter((kid) => kid != null));
  return el;
};
const icon = (name) => {
  const holder = E("span");
  holder.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="' + ICONS[name] + '"/></svg>';
  return holder.firstChild;
};

export function mount({root, launcher, config, base, state, save, uuid, ink}) {
  const brand = config.branding;
  const t = Object.assign({}, STRINGS.en, STRINGS[brand.language]);
  const say = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key]);
  const web = (address, against) => {
    try {
      const url = new URL(address, against);
      return /^https?:$/.test(url.protocol) ? url.href : null;
    } catch (e) {
      return null;
    }
  };
  const out = (href, ...kids) => E("a", {href, target: "_blank", rel: "noopener noreferrer"}, ...kids);
  const call = (method, path, body, headers) => fetch(base + path, {method, credentials: "omit", body, headers});
  const post = (path, body) => call("POST", path, JSON.stringify(body), {"content-type": "application/json"});
  const policy = (brand.privacyPolicyUrl && web(brand.privacyPolicyUrl)) || new URL(base).origin + "/privacy";
  const notice = () => E("span", {}, t.privacy + " ", out(policy, t.policy));

  // Answers: paragraphs, lists, bold, code and http(s) links, built as DOM nodes.
  const inline = (text, el) => {
    let at = 0;
    for (const m of text.matchAll(INLINE)) {
      el.append(text.slice(at, m.index));
      at = m.index + m[0].length;
      const [, escaped, code, bold, words, address] = m;
      const href = address && web(address, config.siteUrl);
      if (escaped !== undefined) el.append(escaped);
      else if (code !== undefined) el.append(E("code", {}, code));
      else if (bold !== undefined) inline(bold, el.appendChild(E("strong")));
      else inline(words, href ? el.appendChild(out(href)) : el);
    }
    el.append(text.slice(at));
  };
  const markdown = (text, el) => {
    el.textContent = "";
    let para = null;
    let list = null;
    for (const line of text.split("\n")) {
      const item = LIST_ITEM.exec(line);
      if (!line.trim()) {
        para = list = null;
      } else if (item) {
        const tag = item[1] ? "UL" : "OL";
        if (!list || list.tagName !== tag) list = el.appendChild(E(tag));
        para = null;
        inline(item[2], list.appendChild(E("li")));
      } else {
        list = null;
        if (para) para.append(E("br"));
        else para = el.appendChild(E("p"));
        const heading = /^#{1,6}\s+(.*)$/.exec(line);
        inline(heading ? heading[1] : line, heading ? para.appendChild(E("strong")) : para);
      }
    }
  };

  // The panel.
  const button = (label, name, onclick) => E("button", {type: "button", class: "icon", "aria-label": label, title: label, onclick}, icon(name));
  const avatar = brand.avatarUrl && web(brand.avatarUrl);
  const log = E("div", {class: "log", role: "log", "aria-live": "polite", "aria-label": t.conversation});
  const input = E("textarea", {rows: "1", maxlength: "2000", placeholder: t.placeholder, "aria-label": t.placeholder});
  const sendButton = E("button", {type: "submit", class: "send"}, t.send);
  const talk = (label, name, offered, onclick) => E("button", {
    type: "button", class: "talk", "aria-label": label, title: label, "aria-pressed": "false",
    hidden: !(offered && navigator.mediaDevices), onclick,
  }, icon(name));
  const mic = talk(t.talk, "mic", config.voiceEnabled && window.MediaRecorder, () => {
    if (recording) recording(true);
    else if (!busy && !live) record();
  });
  const dial = talk(t.call, "call", config.voiceCalls && window.RTCPeerConnection, () => (live ? hangUp() : ring()));
  const ask = E("form", {class: "ask"}, input, mic, dial, sendButton);
  const lead = E("form", {class: "lead", novalidate: true, hidden: true, "aria-labelledby": "rs-lead"});
  const panel = E("div", {
    class: brand.position === "bottom-left" ? "panel left" : "panel",
    role: "dialog", "aria-modal": "true", "aria-labelledby": "rs-title", hidden: true,
  }, E("div", {class: "head"},
    avatar ? E("img", {src: avatar, alt: "", referrerpolicy: "no-referrer"}) : null,
    E("div", {class: "title"}, E("h2", {id: "rs-title"}, brand.assistantName), E("p", {}, config.siteName)),
    button(t.newChat, "add", () => restart()),
    button(t.contact, "mail", () => showLead()),
    button(t.close, "close", () => close()),
  ), log, ask, lead);
  panel.style.setProperty("--brand", brand.colour);
  panel.style.setProperty("--ink", ink(brand.colour));
  root.append(E("style", {}, CSS), panel);

  const scroll = () => { log.scrollTop = log.scrollHeight; };
  const add = (el) => { log.append(el); scroll(); return el; };
  const note = (text, warn, ...extra) => add(E("div", {class: warn ? "note warn" : "note", role: warn ? "alert" : null}, text, ...extra));
  let intro;
  const showIntro = () => {
    log.textContent = "";
    add(E("div", {class: "msg bot"}, brand.greeting));
    intro = add(E("div", {class: "chips"}, ...brand.suggestedQuestions.map(
      (question) => E("button", {type: "button", class: "chip", onclick: () => send(question)}, question))));
    intro.after(E("p", {class: "privacy"}, notice()));
  };
  const hideIntro = () => {
    if (!intro) return;
    intro.nextSibling.remove();
    intro.remove();
    intro = null;
  };

  const mine = (text) => add(E("div", {class: "msg me"}, E("span", {class: "vh"}, t.you + ": "), text));
  const reply = () => {
    const body = E("div");
    const el = add(E("div", {class: "msg bot"}, E("span", {class: "vh"}, brand.assistantName + ": "), body));
    return {el, body};
  };
  const finish = ({el}, message) => {
    const sources = message.citations.map((c) => [web(c.url), c]).filter(([href]) => href).map(
      ([href, c]) => E("li", {}, out(href, c.title || href, c.heading ? " › " + c.heading : "")));
    if (sources.length) el.append(E("ul", {class: "src", "aria-label": t.sources}, ...sources));
    const rate = (rating, label) => E("button", {
      type: "button", "aria-label": label, title: label, "aria-pressed": String(message.feedback === rating),
      onclick: async (event) => {
        const chosen = event.currentTarget;
        const before = buttons.map((b) => b.getAttribute("aria-pressed"));
        buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === chosen)));
        const path = "/conversations/" + state.c + "/messages/" + message.id + "/feedback";
        const response = await post(path, {visitorId: state.v, rating}).catch(() => null);
        if (!response || !response.ok) buttons.forEach((b, i) => b.setAttribute("aria-pressed", before[i]));
      },
    }, icon(rating));
    const buttons = [rate("up", t.up), rate("down", t.down)];
    el.append(E("div", {class: "rate"}, ...buttons));
    scroll();
  };
  const leave = () => E("button", {type: "button", class: "ghost", onclick: () => showLead()}, t.leave);
  const offer = () => note(t.offer + " ", false, leave());

  // Asking, by typing or by voice: the answer streams in as Server-Sent Events.
  let busy = false;
  let recording = null;
  let live = null;
  const enable = () => {
    sendButton.disabled = busy || !!recording;
    // Not `disabled`, which would take the focus from a visitor who pressed it with the keyboard.
    mic.setAttribute("aria-disabled", String(busy || !!live));
  };
  const release = (stream) => stream && stream.getTracks().forEach((track) => track.stop());
  // A question left unanswered gets a note; only the latest offers to try again (or leave one's details).
  let failed = null;
  const settle = () => failed && failed.querySelectorAll("button").forEach((b) => b.remove());
  const fail = (text, retry, lead) => {
    settle();
    failed = note(text, true, " ", E("button", {type: "button", class: "ghost", onclick: () => {
      if (busy || recording) return;
      failed.remove();
      retry();
    }}, t.retry), " ", lead ? leave() : null);
  };
  const events = async (response, handle) => {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, {stream: true});
      let end;
      while ((end = buffer.search(/\r\n\r\n|\n\n|\r\r/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer[end] === "\r" && buffer[end + 1] === "\n" ? 4 : 2));
        let name = "message";
        let data = "";
        for (const line of block.split(/\r\n|\r|\n/)) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trim();
        }
        if (data) handle(name, JSON.parse(data));
      }
    }
  };
  const refused = async (response, retry) => {
    const problem = await response.json().catch(() => ({}));
    if (problem.code === "quota_exceeded") {
      note(t.quota, true, " ", leave());
    } else if (problem.code === "rate_limited") {
      note(t.rate, true);
    } else {
      // Sending the same recording again would not help: voice is off or down, or the audio unreadable.
      const text = problem.message || t.error;
      if (!retry || /^(voice|unreadable)_/.test(problem.code)) note(text, true);
      else fail(text, retry);
    }
  };
  const begin = async (retry) => {
    if (state.c) return true;
    const started = await post("/conversations", {visitorId: state.v});
    if (!started.ok) {
      await refused(started, retry);
      return false;
    }
    state.c = (await started.json()).conversationId;
    save();
    return true;
  };

  // The spoken answer: 16-bit PCM chunks played back to back on the AudioContext made
  // when the visitor pressed the microphone (browsers let a page play sound after a press).
  let speaker = null;
  let spokenUntil = 0;
  const play = ({audio, sampleRate}) => {
    const bytes = Uint8Array.from(atob(audio), (c) => c.charCodeAt(0));
    if (bytes.length < 2) return;
    const pcm = new DataView(bytes.buffer);
    const buffer = speaker.createBuffer(1, bytes.length >> 1, sampleRate);
    const samples = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i++) samples[i] = pcm.getInt16(2 * i, true) / 32768;
    const source = speaker.createBufferSource();
    source.buffer = buffer;
    source.connect(speaker.destination);
    spokenUntil = Math.max(spokenUntil, speaker.currentTime);
    source.start(spokenUntil);
    spokenUntil += buffer.duration;
  };

  // One question and its answer. `request(id)` sends the question; `question` is the
  // visitor's text, or for a recording none until it is heard. A retry keeps the id.
  const turn = async (request, question, id) => {
    if (busy || recording) return;
    busy = true;
    enable();
    hideIntro();
    settle();
    if (question && !id) mine(question);
    id = id || uuid();
    const retry = () => turn(request, question, id);
    const dots = (attrs) => E("div", attrs, E("i"), E("i"), E("i"));
    let typing = add(dots({class: "msg bot typing", role: "status", "aria-label": t.typing}));
    let answer = null;
    try {
      if (!(await begin(retry))) return;
      const response = await request(id);
      if (response.status === 404) {
        delete state.c;
        save();
      }
      if (!response.ok) return await refused(response, retry);
      let shown = "";
      let citations = [];
      let ended = false;
      await events(response, (name, data) => {
        if (name === "transcript") {
          if (!question && data.text) mine((question = data.text));
        } else if (name === "speech") {
          play(data);
        } else if (name === "token") {
          if (!answer) {
            // Dots until it ends; screen readers wait for all of it.
            typing.remove();
            answer = reply();
            answer.el.setAttribute("aria-busy", "true");
            typing = answer.el.appendChild(dots({class: "typing", "aria-hidden": "true"}));
          }
          markdown((shown += data.text), answer.body);
          scroll();
        } else if (name === "citations") {
          citations = data.citations;
        } else if (name === "done") {
          ended = true;
          typing.remove();
          answer = answer || reply();
          answer.el.removeAttribute("aria-busy");
          finish(answer, {id: data.messageId, citations, feedback: null});
          if (!data.answered || PERSON.test(question)) offer();
        } else if (name === "error" && data.code === "speech_unavailable") {
          note(data.message);
        } else if (name === "error" && data.code === "nothing_heard") {
          ended = true;
          reply().body.append(data.message);
        } else if (name === "error") {
          ended = true;
          if (answer) answer.el.remove();
          fail(data.message, retry, true);
        }
      });
      if (!ended) throw new Error("The answer stopped before its end.");
    } catch (e) {
      if (answer) answer.el.remove();
      fail(t.network, retry);
    } finally {
      typing.remove();
      busy = false;
      enable();
    }
  };
  // With `id`: a question shown already, sent again.
  const send = (text, id) => turn((clientMessageId) => post("/conversations/" + state.c + "/messages", {visitorId: state.v, clientMessageId, text}), text, id);
  ask.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy || recording) return;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask.requestSubmit();
    }
  });

  // Push to talk: a press starts recording, the next sends it; Escape cancels; it stops itself at the limit.
  const voiceTurn = (audio) => (id) => call("POST", "/conversations/" + state.c + "/voice-turns", audio, {
    "content-type": audio.type, "x-visitor-id": state.v, "x-client-message-id": id,
  });
  let hint = null;
  const listening = (clock) => {
    mic.setAttribute("aria-pressed", String(!!clock));
    mic.replaceChildren(icon(clock ? "stop" : "mic"), clock || "");
    if (hint) hint.remove();
    hint = clock && note(t.listening);
    enable();
  };
  const record = async () => {
    if (speaker) speaker.close();
    speaker = new AudioContext();
    spokenUntil = 0;
    recording = () => {}; // presses while the browser asks for the microphone do nothing
    const stream = await navigator.mediaDevices.getUserMedia({audio: true}).catch(() => null);
    if (!stream) {
      recording = null;
      return note(t.noMic, true);
    }
    const recorder = new MediaRecorder(stream);
    const chunks = [];
    const started = Date.now();
    const clock = E("span", {"aria-hidden": "true"}, "0:00");
    const tick = setInterval(() => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      clock.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
      if (seconds >= MAX_RECORDING_SECONDS) recording(true);
    }, 250);
    let keep = true;
    recorder.ondataavailable = (event) => chunks.push(event.data);
    recorder.onstop = () => {
      clearInterval(tick);
      release(stream);
      recording = null;
      listening(null);
      if (keep) turn(voiceTurn(new Blob(chunks, {type: recorder.mimeType})));
    };
    recording = (send) => {
      keep = send;
      if (recorder.state === "recording") recorder.stop();
    };
    recorder.start();
    listening(clock);
  };

  // A live call: the microphone first, then a room from the server, then LiveKit's SDK.
  // A browser may keep a failed import's failure for the page's life: a retry asks anew.
  let failedImports = 0;
  const livekit = () => import(LIVEKIT + (failedImports ? "?retry=" + failedImports : "")).catch((error) => {
    failedImports += 1;
    throw error;
  });
  const calling = (on) => {
    dial.setAttribute("aria-pressed", String(on));
    enable();
  };
  const hangUp = () => {
    const line = live;
    live = null;
    clearTimeout(line.end);
    if (line.room) line.room.disconnect();
    release(line.stream);
    root.querySelectorAll("audio").forEach((el) => el.remove());
    calling(false);
    if (line.up) note(t.callEnded);
  };
  const ring = async () => {
    const line = (live = {});
    // Later events of a call already hung up must not end the next one.
    const drop = () => live === line && hangUp();
    if (recording) recording(false);
    calling(true);
    const stream = await navigator.mediaDevices.getUserMedia({audio: true}).catch(() => null);
    if (live !== line) return release(stream);
    if (!stream) {
      hangUp();
      return note(t.noMic, true);
    }
    line.stream = stream;
    try {
      if (!(await begin())) return drop();
      const response = await post("/conversations/" + state.c + "/voice-calls", {visitorId: state.v});
      if (!response.ok) {
        drop();
        return await refused(response);
      }
      const ticket = await response.json();
      const {Room, RoomEvent} = await livekit();
      if (live !== line) return;
      const room = (line.room = new Room());
      room.on(RoomEvent.TrackSubscribed, (track) => track.kind === "audio" && root.append(track.attach()));
      await room.connect(ticket.url, ticket.token);
      // Only now: a failed connection ends with this event too, before connect() rejects.
      room.on(RoomEvent.Disconnected, drop);
      await room.localParticipant.publishTrack(stream.getAudioTracks()[0]);
      line.end = setTimeout(drop, Date.parse(ticket.endsAt) - Date.now());
      line.up = true;
      note(t.onCall);
    } catch (e) {
      if (live !== line) return;
      drop();
      note(t.callFailed, true);
    }
  };
  const restart = () => {
    if (busy) return;
    delete state.c;
    save();
    showIntro();
    input.focus();
  };

  // The lead form: checked here first, then by the server.
  const fields = {};
  const field = (name, type, attrs) => {
    const id = "rs-" + name;
    const error = E("p", {class: "err", id: id + "-error", hidden: true});
    const control = E(type === "textarea" ? "textarea" : "input", Object.assign(
      {id, name, "aria-describedby": id + "-error", "aria-invalid": "false"}, type === "textarea" ? {} : {type}, attrs));
    fields[name] = {control, error};
    return [E("label", {for: id}, t[name]), control, error];
  };
  const kind = (value, label, checked) => E("label", {}, E("input", {type: "radio", name: "kind", value, checked}), label);
  const status = E("p", {class: "err", role: "alert", hidden: true});
  lead.append(
    E("h3", {id: "rs-lead"}, t.leadTitle),
    ...field("name", "text", {autocomplete: "name", maxlength: "100", required: true}),
    ...field("email", "email", {autocomplete: "email", maxlength: "254"}),
    ...field("phone", "tel", {autocomplete: "tel", maxlength: "32"}),
    E("fieldset", {}, E("legend", {}, t.kind), kind("message", t.reply, true), kind("callback", t.callback)),
    ...field("message", "textarea", {maxlength: "2000"}),
    E("small", {}, say(t.consent, {site: config.siteName}), " ", notice()),
    status,
    E("div", {class: "row"}, E("button", {type: "submit", class: "send"}, t.submit),
      E("button", {type: "button", class: "ghost", onclick: () => hideLead()}, t.cancel)),
  );
  const showErrors = (problems) => {
    let first = null;
    for (const [name, {control, error}] of Object.entries(fields)) {
      const problem = problems[name];
      control.setAttribute("aria-invalid", String(!!problem));
      error.textContent = problem || "";
      error.hidden = !problem;
      first = first || (problem && control);
    }
    if (first) first.focus();
    return !!first;
  };
  const showLead = () => {
    log.hidden = ask.hidden = true;
    lead.hidden = false;
    fields.name.control.focus();
  };
  const hideLead = () => {
    lead.hidden = true;
    log.hidden = ask.hidden = false;
    scroll();
    input.focus();
  };
  lead.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (name) => fields[name].control.value.trim();
    const callback = lead.elements.kind.value === "callback";
    const problems = {};
    if (!value("name")) problems.name = t.needName;
    if (value("email") && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value("email"))) problems.email = t.badEmail;
    if (value("phone") && !/^\+?[\d\s().-]{6,}$/.test(value("phone"))) problems.phone = t.badPhone;
    if (callback && !value("phone")) problems.phone = problems.phone || t.needPhone;
    if (!value("email") && !value("phone")) problems.email = t.needContact;
    status.hidden = true;
    if (showErrors(problems)) return;
    const body = {
      visitorId: state.v, name: value("name"), email: value("email") || null, phone: value("phone") || null,
      message: value("message"), kind: callback ? "callback" : "message",
      conversationId: state.c || null, pageUrl: location.origin + location.pathname,
    };
    const response = await post("/leads", body).catch(() => null);
    if (response && response.ok) {
      lead.reset();
      hideLead();
      note(say(t.thanks, {name: body.name}));
      return;
    }
    const problem = response ? await response.json().catch(() => ({})) : {message: t.network};
    if (fields[problem.field]) {
      showErrors({[problem.field]: problem.message});
    } else {
      status.textContent = problem.message || t.error;
      status.hidden = false;
    }
  });

  // Keyboard: Tab stays inside the open panel, Escape cancels a recording or closes the panel.
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      if (recording) recording(false);
      else close();
    } else if (event.key === "Tab") {
      const stops = [...panel.querySelectorAll("button, a[href], input, textarea")].filter(
        (el) => !el.disabled && el.getClientRects().length && (el.type !== "radio" || el.checked));
      const first = stops[0];
      const last = stops[stops.length - 1];
      const at = root.activeElement;
      if (event.shiftKey ? at === first : at === last) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      }
    }
  });
  // Opened by the visitor, focus moves into the chat; opened by itself, it stays where it was.
  const open = (byVisitor) => {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", t.close);
    if (byVisitor) {
      delete state.closed;
      save();
      (lead.hidden ? input : fields.name.control).focus();
    }
    scroll();
  };
  const close = () => {
    if (recording) recording(false);
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", t.open);
    state.closed = true;
    save();
    launcher.focus();
  };

  // The conversation so far, after a reload or on another page of the site.
  showIntro();
  if (state.c) {
    call("GET", "/conversations/" + state.c, null, {"x-visitor-id": state.v}).then(async (response) => {
      if (response.status === 404) {
        delete state.c;
        save();
      }
      if (!response.ok) return;
      const {messages} = await response.json();
      if (messages.length) hideIntro();
      messages.forEach((message, i) => {
        const next = messages[i + 1] || {};
        if (message.role !== "visitor") {
          const answer = reply();
          markdown(message.text, answer.body);
          finish(answer, message);
        } else {
          mine(message.text);
          if (!next.role) fail(t.unanswered, () => send(message.text, message.clientMessageId), true);
          else if (next.role === "visitor") note(t.unanswered, true);
        }
      });
    }, () => {});
  }
  return {open, close};
}
